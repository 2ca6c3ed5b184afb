import { existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { PLAYGROUND_BUILD_DIR, PLAYGROUND_OUTPUT, PLAYGROUND_ROOT } from '../support/app-server'

const BUILDER = fileURLToPath(new URL('../support/build-fixture.mjs', import.meta.url))

/**
 * Builds the playground once for every browser journey (each journey then
 * starts it on its own in-memory database). `GUARD_E2E_REUSE_BUILD=1`
 * reuses an existing build.
 */
export default function buildPlayground(): void {
  if (process.env.GUARD_E2E_REUSE_BUILD === '1' && existsSync(`${PLAYGROUND_OUTPUT}/server/index.mjs`)) return
  const started = Date.now()
  execFileSync(process.execPath, [BUILDER, PLAYGROUND_ROOT, PLAYGROUND_BUILD_DIR, PLAYGROUND_OUTPUT], { stdio: ['ignore', 'ignore', 'inherit'] })
  if (!existsSync(`${PLAYGROUND_OUTPUT}/server/index.mjs`)) throw new Error('building the playground produced no server; see the output above')
  console.info(`[browser] built the playground in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}
