/**
 * The honest baseline: the same route in the same fresh app, built once
 * without nuxt-guard (the limit) and once with `modules: ['nuxt-guard']`
 * installed from this repository's `npm pack` tarball; measured interleaved
 * with autocannon, guarded with a valid session cookie. Prints guarded ÷ limit.
 */
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { startBuiltServer, type BuiltServer } from '../tests/support/built-server'
import { cleanEnv, consumerVersions, REPO_ROOT, runOk } from '../tests/support/consumer-app'

const ROOT = join(tmpdir(), 'nuxt-guard-bench-consumer')
const ROUTE = '/api/bench'

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, text)
}

function writeApp(dir: string, tarball: string, guarded: boolean): void {
  const { nuxt } = consumerVersions()
  write(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module', dependencies: { 'nuxt': nuxt, 'nuxt-guard': `file:${tarball}` }, overrides: { rollup: '4.67.4' } }, null, 2))
  write(join(dir, 'app.vue'), '<template><NuxtPage /></template>\n')
  write(join(dir, 'pages/index.vue'), '<template><h1>Home</h1></template>\n')
  // The same handler in both apps: what a real JSON endpoint returns.
  write(join(dir, 'server/api/bench.get.ts'), `export default defineEventHandler(() => ({ ok: true, items: Array.from({ length: 10 }, (_, i) => ({ id: i, name: 'item ' + i })) }))\n`)
  write(join(dir, 'nuxt.config.ts'), `export default defineNuxtConfig({
  ${guarded ? "modules: ['nuxt-guard'],\n  guard: { config: { session: { tokenTtlSeconds: 3600 } } }," : '// the limit: the same app without nuxt-guard'}
  devtools: { enabled: false },
  telemetry: false,
  compatibilityDate: '2026-11-01',
})\n`)
}

function start(dir: string, guarded: boolean): Promise<BuiltServer> {
  const env = cleanEnv({ NODE_ENV: 'production', NUXT_GUARD_SECRET: randomBytes(32).toString('base64url'), NUXT_GUARD_DATA_DIR: 'memory://' })
  return startBuiltServer({ entry: join(dir, '.output/server/index.mjs'), cwd: dir, env, label: dir, ready: guarded ? '[nuxt-guard] ready' : false })
}

/**
 * Packs, installs and builds the two apps, starts both and hands their URLs
 * (and the guarded app's session cookie) to `measure`.
 *
 * @example
 * await benchConsumerBaseline(async (cases) => runInterleaved(cases))
 */
export async function benchConsumerBaseline(measure: (cases: { name: string; url: string; headers: Record<string, string> }[]) => Promise<void>): Promise<void> {
  rmSync(ROOT, { recursive: true, force: true })
  mkdirSync(join(ROOT, 'pack'), { recursive: true })
  console.info('\npacking nuxt-guard and building a fresh app with and without it …')
  await runOk('npm', ['pack', '--pack-destination', join(ROOT, 'pack')], REPO_ROOT)
  const tarball = join(ROOT, 'pack', readdirSync(join(ROOT, 'pack')).find(name => name.endsWith('.tgz'))!)
  const [guardedDir, limitDir] = [join(ROOT, 'guarded'), join(ROOT, 'limit')]
  writeApp(guardedDir, tarball, true)
  writeApp(limitDir, tarball, false)
  await runOk('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], guardedDir)
  symlinkSync(join(guardedDir, 'node_modules'), join(limitDir, 'node_modules'), 'dir')
  for (const dir of [guardedDir, limitDir]) await runOk('npx', ['nuxi', 'build'], dir)
  const servers = [await start(guardedDir, true), await start(limitDir, false)]
  const [guarded, limit] = servers.map(server => server.origin)
  try {
    const signUp = await fetch(`${guarded}/api/_guard/sign-up`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@acme.test', password: 'correct horse battery' }),
    })
    if (!signUp.ok) throw new Error(`sign-up failed: ${signUp.status} ${await signUp.text()}`)
    const cookie = signUp.headers.getSetCookie().map(line => line.split(';')[0]).join('; ')
    const check = await fetch(`${guarded}${ROUTE}`, { headers: { cookie } })
    if (check.status !== 200) throw new Error(`the guarded route answered ${check.status} with a valid session`)
    await measure([
      { name: 'limit (no nuxt-guard)', url: `${limit}${ROUTE}`, headers: { cookie } },
      { name: 'guarded (tarball)', url: `${guarded}${ROUTE}`, headers: { cookie } },
    ])
  }
  finally {
    await Promise.all(servers.map(server => server.stop()))
  }
}
