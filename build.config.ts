import { readFile, writeFile } from 'node:fs/promises'
import { relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineBuildConfig, type BuildEntry } from 'unbuild'
import type { OutputOptions, RollupOptions } from 'rollup'

// `nuxt-module-build build` (npm pack runs it) names its entries after the usual
// `src/module.ts` and `src/runtime/`. Here the module is modules/guard and the
// built-in pages, components, stores and styles are top-level folders, so the
// entries are pointed there; the console lands beside the runtime in dist/runtime.
const CONSOLE_FOLDERS = ['pages', 'components', 'stores', 'assets']
/** The runtime's sources: what `#guard/…` names while the package is built (modules/guard/index.ts registers the alias for apps). */
const RUNTIME_SOURCES = fileURLToPath(new URL('./modules/guard/runtime', import.meta.url))

export default defineBuildConfig({
  // The runtime ships beside the module (dist/runtime): imports of it are not package dependencies.
  externals: [/^\.\/runtime\/.*\.js$/],
  hooks: {
    'build:prepare'(ctx) {
      ctx.options.entries = ctx.options.entries.flatMap((entry): BuildEntry[] => {
        if (entry === 'src/module') return [{ input: 'modules/guard/index', name: 'module' }]
        if (typeof entry === 'string' || entry.input !== 'src/runtime/') return [entry]
        return [
          { ...entry, input: 'modules/guard/runtime/' },
          ...CONSOLE_FOLDERS.map(folder => ({ ...entry, input: `${folder}/`, outDir: `${entry.outDir}/${folder}` })),
        ]
      })
    },
    // The runtime and the console import the runtime through `#guard/…`: mkdist's declarations resolve
    // it to the sources, so each handler's .d.ts keeps its answer type (the app's GuardApi reads it)
    // instead of `any`; the .js files keep the specifier, which the app's Nuxt and Nitro resolve.
    'mkdist:entry:options'(_ctx, _entry, options) {
      const compilerOptions = ((options.typescript ??= {}).compilerOptions ??= {})
      compilerOptions.paths = { ...compilerOptions.paths, '#guard': [RUNTIME_SOURCES], '#guard/*': [`${RUNTIME_SOURCES}/*`] }
    },
    // The module imports its runtime (the config schema, for build-time validation) as external
    // files; rollup would write those paths relative to modules/guard, not to dist/module.mjs.
    'rollup:options'(ctx, options) { pathsFromDist(ctx.options.outDir, options) },
    // rollup-plugin-dts writes them as `../../dist/runtime/…` in module.d.mts (and so in types.d.mts).
    async 'rollup:done'(ctx) {
      for (const file of ['module.d.mts', 'types.d.mts'].map(name => resolve(ctx.options.outDir, name))) {
        const text = await readFile(file, 'utf8').catch(() => undefined)
        if (text) await writeFile(file, text.replaceAll(/(['"])(?:\.\.\/)+dist\/runtime\//g, '$1./runtime/'))
      }
    },
  },
})

function pathsFromDist(outDir: string, options: RollupOptions): void {
  const runtimeDir = resolve(outDir, 'runtime')
  for (const output of [options.output ?? []].flat() as OutputOptions[]) {
    output.paths = (id: string) => (id.startsWith(runtimeDir) ? `./${relative(outDir, id)}` : id)
  }
}
