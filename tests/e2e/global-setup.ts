import { existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { fixturePaths, type FixtureName } from '../support/fixtures'

const FIXTURES: FixtureName[] = ['basic', 'skip-middleware']
const BUILDER = fileURLToPath(new URL('../support/build-fixture.mjs', import.meta.url))

/**
 * Builds each e2e fixture once per run (about 15 s each), so every test file
 * starts the built server instead of building its own copy.
 * `GUARD_E2E_REUSE_BUILD=1` skips fixtures that are already built.
 */
export default function buildFixtures(): void {
  for (const name of FIXTURES) {
    const { rootDir, buildDir, outputDir } = fixturePaths(name)
    if (process.env.GUARD_E2E_REUSE_BUILD === '1' && existsSync(`${outputDir}/server/index.mjs`)) continue
    const started = Date.now()
    execFileSync(process.execPath, [BUILDER, rootDir, buildDir], { stdio: ['ignore', 'ignore', 'inherit'] })
    if (!existsSync(`${outputDir}/server/index.mjs`)) throw new Error(`building the ${name} fixture produced no server; see the output above`)
    console.info(`[e2e] built fixture ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
}
