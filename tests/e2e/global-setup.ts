import { existsSync } from 'node:fs'
import { loadNuxt, buildNuxt } from '@nuxt/kit'
import { fixturePaths, type FixtureName } from '../support/fixtures'

const FIXTURES: FixtureName[] = ['basic', 'skip-middleware']

/**
 * Builds each e2e fixture once per run (7–15 s each), so every test file can
 * start the built server instead of building its own copy.
 * `GUARD_E2E_REUSE_BUILD=1` skips fixtures that are already built.
 */
export default async function buildFixtures(): Promise<void> {
  for (const name of FIXTURES) {
    const { rootDir, buildDir, outputDir } = fixturePaths(name)
    if (process.env.GUARD_E2E_REUSE_BUILD === '1' && existsSync(`${outputDir}/server/index.mjs`)) continue
    const started = Date.now()
    const nuxt = await loadNuxt({
      cwd: rootDir,
      dev: false,
      overrides: { buildDir, nitro: { output: { dir: outputDir } }, logLevel: 'silent' },
    })
    await buildNuxt(nuxt)
    await nuxt.close()
    console.info(`[e2e] built fixture ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
}
