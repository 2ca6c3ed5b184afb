import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startBuiltServer } from './built-server'

/**
 * The consumer tests do what a stranger does with nuxt-guard: `npm pack` this
 * repository, create fresh Nuxt apps OUTSIDE it (in the OS temp directory, so
 * node resolution can never fall back to this repository's node_modules),
 * install the tarball with npm, build and start them.
 */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
/**
 * Everything the consumer tests create lives here: GUARD_CONSUMER_DIR moves it, and
 * GUARD_E2E_BUILD_ID (as for the e2e builds) gives concurrent runs their own.
 */
export const CONSUMER_ROOT = process.env.GUARD_CONSUMER_DIR
  || join(tmpdir(), `nuxt-guard-consumer${process.env.GUARD_E2E_BUILD_ID ? `-${process.env.GUARD_E2E_BUILD_ID}` : ''}`)
export const PACK_DIR = join(CONSUMER_ROOT, 'pack')
/** App A: `modules: ['nuxt-guard']` with the module's own middleware. */
export const APP_A = join(CONSUMER_ROOT, 'app-a')
/** App B: `skipServerMiddleware: true` and the README's hand-written recipe. */
export const APP_B = join(CONSUMER_ROOT, 'app-b')
/** What the global setup measured (pack, install, build), read back by the test files. */
export const TIMINGS_FILE = join(CONSUMER_ROOT, 'timings.json')

export type ConsumerKind = 'a' | 'b'

export interface Timings {
  [step: string]: number | string
}

/** The environment for npm and nuxi: this process's, without what `npm test` and vitest add. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue
    if (/^(npm_|VITEST|VITE_|NUXT_|NITRO_)/i.test(key)) continue
    if (['NODE_ENV', 'TEST', 'INIT_CWD', 'NODE_OPTIONS', 'PORT', 'HOST', 'DATABASE_URL'].includes(key)) continue
    env[key] = value
  }
  return { ...env, ...extra }
}

/**
 * Runs a command to the end; resolves to its duration in ms, rejects with the
 * last 60 lines of its output.
 *
 * @example
 * const ms = await run('npm', ['install'], APP_A)
 */
export function run(command: string, args: string[], cwd: string, options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ ms: number; output: string; code: number }> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout!.on('data', (chunk: Buffer) => { output += chunk })
    child.stderr!.on('data', (chunk: Buffer) => { output += chunk })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000)
    child.on('error', (error) => { clearTimeout(timer); reject(error) })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ ms: Date.now() - started, output, code: code ?? (signal ? 128 : 1) })
    })
  })
}

/** Like run(), but a non-zero exit is an error that shows the end of the output. */
export async function runOk(command: string, args: string[], cwd: string, options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ ms: number; output: string }> {
  const result = await run(command, args, cwd, options)
  if (result.code !== 0) {
    throw new Error(`\`${command} ${args.join(' ')}\` in ${cwd} exited with ${result.code}:\n${tail(result.output, 60)}`)
  }
  return result
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/** The versions the consumer apps use: this repository's nuxt, typescript and vue-tsc. */
export function consumerVersions(): { nuxt: string; typescript: string; vueTsc: string } {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'))
  const installed = (name: string): string | undefined => {
    const file = join(REPO_ROOT, 'node_modules', name, 'package.json')
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : undefined
  }
  return {
    nuxt: pkg.devDependencies.nuxt,
    typescript: pkg.devDependencies.typescript,
    // The exact version this repository's lockfile installed (already in the npm cache).
    vueTsc: installed('vue-tsc') ?? pkg.devDependencies['vue-tsc'],
  }
}

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, text)
}

/** The claims template of app A's seed (what a developer writes in guard.config). */
export const APP_A_TEMPLATE = { isMfa: '{{user.two_factor_enabled}}', email: '{{user.email}}' }

/**
 * Writes a fresh consumer app into `dir`: its own package.json depending on
 * `nuxt` and the tarball (`file:`), app.vue with only <NuxtPage />, an index
 * page, a dashboard page showing the session claims, one API route and
 * nuxt.config.ts with `modules: ['nuxt-guard']`. App B also skips the module's
 * middleware and writes the README's server/middleware/guard.ts recipe.
 */
export function writeConsumerApp(dir: string, kind: ConsumerKind, tarball: string): void {
  const versions = consumerVersions()
  write(join(dir, 'package.json'), `${JSON.stringify({
    name: `nuxt-guard-consumer-${kind}`,
    private: true,
    type: 'module',
    scripts: { build: 'nuxt build', dev: 'nuxt dev', start: 'node .output/server/index.mjs', typecheck: 'nuxt typecheck' },
    dependencies: { 'nuxt': versions.nuxt, 'nuxt-guard': `file:${tarball}` },
    devDependencies: { 'typescript': versions.typescript, 'vue-tsc': versions.vueTsc },
    overrides: { rollup: '4.67.4' },
  }, null, 2)}\n`)

  // What `npx nuxi init` gives (minus the welcome page): the tsconfig that references .nuxt's.
  write(join(dir, 'tsconfig.json'), `${JSON.stringify({
    files: [],
    references: [
      { path: './.nuxt/tsconfig.app.json' },
      { path: './.nuxt/tsconfig.server.json' },
      { path: './.nuxt/tsconfig.shared.json' },
      { path: './.nuxt/tsconfig.node.json' },
    ],
  }, null, 2)}\n`)

  write(join(dir, 'app/app.vue'), '<template><NuxtPage /></template>\n')

  write(join(dir, 'app/pages/index.vue'), `<script setup lang="ts">
const { isSignedIn } = useAuth()
</script>

<template>
  <div>
    <h1>Consumer ${kind.toUpperCase()}</h1>
    <p>A public page of the app's own.</p>
    <NuxtLink v-if="isSignedIn" to="/dashboard">Dashboard</NuxtLink>
    <NuxtLink v-else to="/sign-in">Sign in</NuxtLink>
  </div>
</template>
`)

  // The app's own page: not restyled by the console's CSS (its .card has no console look).
  write(join(dir, 'app/pages/dashboard.vue'), `<script setup lang="ts">
const { session, userId, refresh } = useAuth()
// Read again in the browser, so the claims shown are the live ones after a client-side navigation.
onMounted(() => { refresh() })
const claims = computed(() => JSON.stringify(session.value?.claims ?? null))
</script>

<template>
  <div>
    <h1 data-testid="own-heading">Consumer dashboard</h1>
    <section class="card" data-testid="own-card">
      <p>Signed in as <span data-testid="user-id">{{ userId }}</span></p>
      <pre data-testid="claims">{{ claims }}</pre>
    </section>
  </div>
</template>
`)

  write(join(dir, 'server/api/hello.get.ts'), `export default defineEventHandler((event) => {
  return { userId: getAuth(event).userId }
})
`)

  const guard = kind === 'a'
    ? `{
    config: {
      afterSignInUrl: '/dashboard',
      routes: { public: ['/', '/sign-in', '/sign-up'] },
      mfa: { enforce: 'all' },
      claims: { template: ${JSON.stringify(APP_A_TEMPLATE)} },
    },
  }`
    : `{
    skipServerMiddleware: true,
    config: { claims: { template: { isMfa: '{{user.two_factor_enabled}}' } } },
  }`
  write(join(dir, 'nuxt.config.ts'), `export default defineNuxtConfig({
  modules: ['nuxt-guard'],
  guard: ${guard},
  compatibilityDate: '2025-07-15',
})
`)

  if (kind === 'b') {
    // README "Server utilities": Clerk's "force MFA for all users", the same file the e2e fixture runs.
    write(join(dir, 'server/middleware/guard.ts'), readFileSync(join(REPO_ROOT, 'tests/fixtures/skip-middleware/server/middleware/guard.ts'), 'utf8'))
  }
}

/** Whether `dir` holds a finished build. */
export const isBuilt = (dir: string): boolean => existsSync(join(dir, '.output/server/index.mjs'))

export function readTimings(): Timings {
  return existsSync(TIMINGS_FILE) ? JSON.parse(readFileSync(TIMINGS_FILE, 'utf8')) : {}
}

export function writeTimings(timings: Timings): void {
  mkdirSync(CONSUMER_ROOT, { recursive: true })
  writeFileSync(TIMINGS_FILE, `${JSON.stringify(timings, null, 2)}\n`)
}

export interface RunningConsumer {
  /** `http://127.0.0.1:<port>` */
  origin: string
  output(): string
  stop(): Promise<void>
}

/**
 * Starts a built consumer app as production does (`node .output/server/index.mjs`)
 * with a random secret, a throwaway in-memory database and a port the kernel picks;
 * resolves once the guard says it is ready.
 *
 * @example
 * const app = await startConsumer(APP_A)
 */
export async function startConsumer(dir: string): Promise<RunningConsumer> {
  const env = cleanEnv({ NODE_ENV: 'production', NUXT_GUARD_SECRET: randomBytes(32).toString('base64url'), NUXT_GUARD_DATA_DIR: 'memory://' })
  const server = await startBuiltServer({ entry: join(dir, '.output/server/index.mjs'), cwd: dir, env, label: `the consumer app in ${dir}` })
  return { origin: server.origin, output: server.output, stop: server.stop }
}
