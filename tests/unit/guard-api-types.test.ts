/**
 * The guard API's answers are typed in the app from the handlers themselves:
 * tsc checks guard-api-types.check.ts against this app's generated types
 * (.nuxt/types/nitro-routes.d.ts, which `npm test` prepares first). A handler
 * whose answer stops reaching `$fetch`, or a GuardApi entry that drifts from
 * Nitro's, fails here.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const nuxtDir = join(root, '.nuxt')

describe('guard API types in the app', () => {
  it('types $fetch of every guard route from its handler, as GuardApi says', () => {
    expect(existsSync(join(nuxtDir, 'types/nitro-routes.d.ts')), 'run `npx nuxt prepare` first (npm test does)').toBe(true)
    const dir = mkdtempSync(join(tmpdir(), 'guard-api-types-'))
    try {
      // The app's compiler options and aliases, over only the check file and Nitro's types (routes, server auto-imports).
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        extends: join(nuxtDir, 'tsconfig.app.json'),
        compilerOptions: { noEmit: true, incremental: false },
        files: [join(nuxtDir, 'types/nitro.d.ts'), fileURLToPath(new URL('./guard-api-types.check.ts', import.meta.url))],
        include: [],
      }))
      const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: root, encoding: 'utf8' })
      expect(tsc.status, `tsc found type errors:\n${tsc.stdout}${tsc.stderr}`).toBe(0)
    }
    finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
