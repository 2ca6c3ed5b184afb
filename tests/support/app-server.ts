import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { startBuiltServer } from './built-server'

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
 * Starts the built playground on a port the kernel picks with a throwaway in-memory
 * database, optionally with another seed config, and resolves once the guard
 * says it is ready.
 *
 * @example
 * const app = await startApp({ mfa: { enforce: 'all' } })
 * await page.goto(`${app.origin}/sign-up`)
 * await app.stop()
 */
export async function startApp(seed?: Record<string, unknown>): Promise<RunningApp> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'production',
    NUXT_GUARD_SECRET: randomBytes(32).toString('base64url'), NUXT_GUARD_DATA_DIR: 'memory://',
    ...(seed ? { NUXT_GUARD_SEED: JSON.stringify(seed) } : {}),
  }
  const server = await startBuiltServer({ entry: `${PLAYGROUND_OUTPUT}/server/index.mjs`, env, label: 'the playground', timeoutMs: 30_000 })
  return { origin: server.origin, output: server.output, stop: server.stop }
}
