import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'

/** This repository's app ("Acme", srcDir playground/), built once per run by tests/browser/global-setup.ts. */
export const PLAYGROUND_ROOT = fileURLToPath(new URL('../..', import.meta.url))
// The build directory stays `.nuxt`: tsconfig.json refers to the tsconfig files Nuxt writes there.
export const PLAYGROUND_BUILD_DIR = `${PLAYGROUND_ROOT}/.nuxt`
export const PLAYGROUND_OUTPUT = `${PLAYGROUND_BUILD_DIR}/browser-output${process.env.GUARD_E2E_BUILD_ID ? `-${process.env.GUARD_E2E_BUILD_ID}` : ''}`

export interface RunningApp {
  /** `http://127.0.0.1:<port>` */
  origin: string
  /** Everything the server printed so far. */
  output(): string
  stop(): Promise<void>
}

/**
 * Starts the built playground on a free port with a throwaway in-memory
 * database, optionally with another seed config, and resolves once the guard
 * says it is ready.
 *
 * @example
 * const app = await startApp({ mfa: { enforce: 'all' } })
 * await page.goto(`${app.origin}/sign-up`)
 * await app.stop()
 */
export async function startApp(seed?: Record<string, unknown>): Promise<RunningApp> {
  const port = 4100 + Math.floor(Math.random() * 800)
  const env: Record<string, string> = {
    ...process.env as Record<string, string>,
    NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port),
    NUXT_GUARD_SECRET: randomBytes(32).toString('base64url'), NUXT_GUARD_DATA_DIR: 'memory://',
    ...(seed ? { NUXT_GUARD_SEED: JSON.stringify(seed) } : {}),
  }
  const child = spawn(process.execPath, [`${PLAYGROUND_OUTPUT}/server/index.mjs`], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk })
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the playground did not start in 30 s:\n${output}`)), 30_000)
    const poll = setInterval(() => {
      if (!output.includes('[nuxt-guard] ready')) return
      clearInterval(poll); clearTimeout(timer); resolve()
    }, 50)
    child.on('exit', (code) => { clearInterval(poll); clearTimeout(timer); reject(new Error(`the playground exited with ${code}:\n${output}`)) })
  })
  return { origin: `http://127.0.0.1:${port}`, output: () => output, stop: () => stopChild(child) }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref()
  })
}
