import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'

export type FixtureName = 'basic' | 'skip-middleware'

/** Where a fixture lives and where its one shared build goes. */
export function fixturePaths(name: FixtureName) {
  const rootDir = fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))
  // GUARD_E2E_BUILD_ID gives concurrent runs on one checkout build directories of their own.
  const buildDir = `${rootDir}/.nuxt/e2e${process.env.GUARD_E2E_BUILD_ID ? `-${process.env.GUARD_E2E_BUILD_ID}` : ''}`
  return { rootDir, buildDir, outputDir: `${buildDir}/output` }
}

/** A fresh server secret per test file. */
export const testSecret = () => randomBytes(32).toString('base64url')

/**
 * `setup()` options that start an already built fixture (no build: the
 * global setup built it once) on a throwaway in-memory database. The
 * fixtures are served over plain HTTP, so their cookies are not Secure and
 * keep the plain names (`guard_session`); pass `NUXT_GUARD_COOKIE_SECURE: 'true'`
 * for the HTTPS names (`__Host-guard_session`).
 */
export function fixtureSetup(name: FixtureName, env: Record<string, string> = {}) {
  const { rootDir, buildDir } = fixturePaths(name)
  return {
    rootDir,
    buildDir,
    build: false,
    server: true,
    browser: false,
    setupTimeout: 120_000,
    env: { NUXT_GUARD_SECRET: testSecret(), NUXT_GUARD_DATA_DIR: 'memory://', NUXT_GUARD_COOKIE_SECURE: 'false', ...env },
  }
}
