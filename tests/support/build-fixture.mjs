// Builds one app (an e2e fixture, the playground) into <root>/.nuxt/e2e, or the
// build and output directories given (run in its own process:
// a Nuxt build inside the test runner's process ends that process).
import { loadNuxt, buildNuxt, writeTypes } from '@nuxt/kit'

const [rootDir, buildDir = `${rootDir}/.nuxt/e2e`, outputDir = `${buildDir}/output`] = process.argv.slice(2)
const nuxt = await loadNuxt({
  cwd: rootDir,
  dev: false,
  overrides: { buildDir, nitro: { output: { dir: outputDir } }, logLevel: 'silent' },
})
// As `nuxt build` does: an app's tsconfig.json may refer to the tsconfig files written here.
await writeTypes(nuxt)
await buildNuxt(nuxt)
await nuxt.close()
