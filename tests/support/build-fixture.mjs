// Builds one e2e fixture into <fixture>/.nuxt/e2e (run in its own process:
// a Nuxt build inside the test runner's process ends that process).
import { loadNuxt, buildNuxt } from '@nuxt/kit'

const [rootDir, buildDir = `${rootDir}/.nuxt/e2e`] = process.argv.slice(2)
const nuxt = await loadNuxt({
  cwd: rootDir,
  dev: false,
  overrides: { buildDir, nitro: { output: { dir: `${buildDir}/output` } }, logLevel: 'silent' },
})
await buildNuxt(nuxt)
await nuxt.close()
