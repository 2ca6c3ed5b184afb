import { addServerTemplate, addTypeTemplate, useLogger } from '@nuxt/kit'
import type { Nuxt } from '@nuxt/schema'
import type { PageRule } from '../runtime/core/policy/page-rules'
import { PAGE_META_KEY, extractPageRules, serverRoutesOf } from './page-rules'

/** The Nitro virtual module holding the page rules; the server plugin registers them at start. */
export const PAGE_RULES_MODULE = '#nuxt-guard/page-rules'

/**
 * Wires `definePageMeta({ guard })` to the server: Nuxt reads the `guard` key of every page at build
 * time (`experimental.scanPageMeta` with `extraPageMetaExtractionKeys`), `pages:resolved` turns it
 * into rules (`extractPageRules`; any problem fails the build), and the server reads them from a
 * virtual module, so the middleware judges the page's SSR request and every client navigation's
 * verdict by the same rule the page declares. In development a change of the rules restarts Nuxt.
 *
 * @example
 * installPageRules(nuxt, { schemaPath: resolver.resolve('./runtime/core/config/schema'), pageRulesPath: resolver.resolve('./runtime/core/policy/page-rules') })
 */
export function installPageRules(nuxt: Nuxt, paths: { schemaPath: string; pageRulesPath: string }): void {
  const experimental = nuxt.options.experimental
  experimental.extraPageMetaExtractionKeys = [...new Set([...(experimental.extraPageMetaExtractionKeys ?? []), PAGE_META_KEY])]
  if (experimental.scanPageMeta === false) {
    useLogger('nuxt-guard').warn('`experimental.scanPageMeta: false` turned back on (\'after-resolve\'): the server reads each page\'s `guard` meta at build time.')
    experimental.scanPageMeta = 'after-resolve'
  }

  type Handlers = { route?: string; middleware?: boolean }[]
  let nitro: { scannedHandlers: Handlers; options: { handlers: Handlers } } | undefined
  nuxt.hook('nitro:init', (instance) => { nitro = instance })
  let rules: PageRule[] | undefined
  nuxt.hook('pages:resolved', async (pages) => {
    const handlers = nitro ? [...nitro.scannedHandlers, ...nitro.options.handlers] : []
    const found = extractPageRules(pages, { rootDir: nuxt.options.rootDir, serverRoutes: serverRoutesOf(handlers) })
    if (found.problems.length) {
      throw new Error(`[nuxt-guard] definePageMeta({ guard }) cannot become a server rule:\n${found.problems.map(problem => `  - ${problem}`).join('\n')}`)
    }
    const first = rules === undefined
    const changed = !first && JSON.stringify(rules) !== JSON.stringify(found.rules)
    rules = found.rules
    if (rules.length && (first || changed)) useLogger('nuxt-guard').info(`page rules: ${rules.map(rule => `${rule.pattern} ${JSON.stringify(rule.require)} (${rule.page})`).join('; ')}`)
    // The server bundle holds the rules it started with: only a restart gives the dev server the new ones.
    if (changed && nuxt.options.dev) await nuxt.callHook('restart')
  })
  addServerTemplate({ filename: PAGE_RULES_MODULE, getContents: () => `export default ${JSON.stringify(rules ?? [])}\n` })

  addTypeTemplate({
    filename: 'types/nuxt-guard-page-meta.d.ts',
    getContents: () => `import type { RouteRequirement } from ${JSON.stringify(paths.schemaPath)}
declare module '#app' {
  interface PageMeta {
    /**
     * nuxt-guard: this page's rule, judged by the server (its SSR request and every client
     * navigation's verdict) after the config's rules: \`{ mfa: false }\` waives the global MFA
     * requirement (\`mfa.enforce: 'all'\`) here, unless a config rule demands \`mfa: true\`;
     * \`{ stepUp: { maxAgeSeconds: 300 } }\`, \`{ roles: ['admin'] }\`, … add requirements.
     * Must be a literal object: it is read at build time.
     */
    guard?: RouteRequirement
  }
}
export {}
`,
  }, { nuxt: true })
  addTypeTemplate({
    filename: 'types/nuxt-guard-page-rules.d.ts',
    getContents: () => `declare module ${JSON.stringify(PAGE_RULES_MODULE)} {
  const rules: import(${JSON.stringify(paths.pageRulesPath)}).PageRule[]
  export default rules
}
`,
  }, { nitro: true })
}
