import { join } from 'node:path'
import { existsSync } from 'node:fs'
import {
  defineNuxtModule, createResolver, addServerHandler, addServerPlugin, addServerImports, addImports, addPlugin,
  addRouteMiddleware, addTypeTemplate, addComponentsDir, extendPages, installModule, hasNuxtModule,
} from '@nuxt/kit'
import { defu } from 'defu'
import type { GuardConfigInput } from './runtime/core/config/schema'
import { validateConfig, formatConfigIssues } from './runtime/core/config/validate'
import { parseTrustProxy } from './runtime/core/network/trust-proxy'
import { tokenAudienceSettings } from './runtime/core/tokens/token-audience'
import type { GuardRuntimeConfig, GuardPublicRuntimeConfig } from './runtime/server/utils/guard-instance'
import { guardApiRoutes } from './setup/api-routes'
import { builtInPages, consoleDir, isConsolePage, pagePaths } from './setup/console-files'
import { installPageRules } from './setup/page-meta'

export interface ModuleOptions {
  /**
   * Do not register the guard middleware; write your own
   * `server/middleware/guard.ts` with `guardMiddleware(handler?)` instead.
   * @default false
   */
  skipServerMiddleware: boolean
  /**
   * Log one line per decision: method, path, verdict, rule and reason.
   * @default false
   */
  debug: boolean
  /**
   * Storage. Embedded PGlite under `dataDir` unless a PostgreSQL URL is given
   * at run time (`NUXT_GUARD_DATABASE_URL`, else `DATABASE_URL`). A `url` set
   * here is built into the server; prefer the environment variables.
   * @default { url: '', dataDir: '<rootDir>/.data/guard' in development, '.data/guard' in production }
   */
  database: { url?: string; dataDir?: string }
  /**
   * The initial config document, seeded on first boot. Later edits are made
   * in the admin console and live in the database.
   * @default {}
   */
  config: GuardConfigInput
  /**
   * Mark cookies `Secure`.
   * @default true in production, false in development
   */
  cookieSecure?: boolean
  /**
   * The reverse proxies in front of the server whose forwarded client address
   * (`X-Forwarded-For`, else `Forwarded`) is believed: the number of proxies
   * (`1`), their addresses or CIDR ranges (`['10.0.0.0/8']` or
   * `"10.0.0.0/8, fd00::/8"`), or both. Unset, forwarded headers are ignored
   * and the client is the direct peer. Throttling and audit use this address.
   * Runtime: `NUXT_GUARD_TRUST_PROXY`.
   * @default 0 (no proxy trusted)
   */
  trustProxy?: number | string | string[]
  /**
   * The built-in sign-in, sign-up, MFA and account pages. `false` registers
   * none (build your own from the `Guard…` components). A page the app defines
   * at the same path always wins.
   * @default true
   */
  pages: boolean
  /**
   * The admin console: `false` to leave it out, or where it lives.
   * The admin API (`/api/_guard/admin/*`) checks the admin role either way.
   * @default { path: '/admin' }
   */
  console: false | { path?: string }
  /**
   * Origins besides the app's own that may open WebSocket connections
   * (every upgrade is judged like a request for its path; a cross-origin one
   * is refused unless listed). Runtime: `NUXT_GUARD_ALLOWED_ORIGINS`.
   * @default []
   */
  allowedOrigins: string[]
  /**
   * The audience of session tokens (`aud`, RFC 7519 §4.1.3): new tokens carry
   * it (one value as a string, several as an array) and a token that does not
   * is judged as signed out, as another service's `verifyGuardToken({ audience })`
   * refuses it. Runtime: `NUXT_GUARD_AUDIENCE` (JSON array or comma list).
   * @default [] (no `aud`, not checked)
   */
  audience?: string | string[]
  /**
   * The origins the app is served at (`['https://app.example.com']`): a
   * session token's `azp` (the origin it was issued to, stamped at sign-in
   * from the request's origin) must be one of them, else the request is
   * judged as signed out (401 for the API, a redirect to sign-in for pages);
   * a sign-in or sign-up from any other origin is refused with 403
   * `unauthorized_party`. Clerk's `authorizedParties`. Per request:
   * `guardMiddleware(handler, event => ({ authorizedParties }))`.
   * Runtime: `NUXT_GUARD_AUTHORIZED_PARTIES` (JSON array or comma list).
   * @default [] (not checked; tokens still carry `azp`)
   */
  authorizedParties?: string[]
  /**
   * The application's name: the issuer authenticator apps show beside the
   * account, the start of every email's subject, and the built-in pages'
   * titles and headings. Runtime: `NUXT_PUBLIC_GUARD_APP_NAME`.
   * @default '' (the request's host name, e.g. `app.example.com`)
   */
  appName?: string
  /**
   * The breached-password check's client, used when the config's
   * `account.breachedPasswordCheck` is on: the k-anonymity range API (only
   * the first 5 hex digits of a new password's SHA-1 are sent) and how long
   * to wait before allowing the password unchecked (the check fails open,
   * with a logged warning). Runtime: `NUXT_GUARD_BREACHED_PASSWORDS_URL`,
   * `NUXT_GUARD_BREACHED_PASSWORDS_TIMEOUT_MS`.
   * @default { rangeUrl: 'https://api.pwnedpasswords.com/range', timeoutMs: 2000 }
   */
  breachedPasswords?: { rangeUrl?: string; timeoutMs?: number }
  /**
   * The site's own origin (`https://app.example.com`): what the links in
   * emails (password reset, address verification, invitations) point at.
   * Without it they point at the request's origin only where that cannot be
   * forged to send a reader elsewhere (development, a loopback address, one
   * of `authorizedParties`); elsewhere the emails carry their codes without
   * a link. Runtime: `NUXT_GUARD_BASE_URL`.
   * @default ''
   */
  baseUrl?: string
}

/** `runtimeConfig.guard`: every key can be set at run time by `NUXT_GUARD_<KEY>`. */
export interface ModuleRuntimeConfig { guard: GuardRuntimeConfig }
/** `runtimeConfig.public.guard`. */
export interface ModulePublicRuntimeConfig { guard: GuardPublicRuntimeConfig }

export default defineNuxtModule<ModuleOptions>({
  meta: { name: 'nuxt-guard', configKey: 'guard', compatibility: { nuxt: '>=4.0.0' } },
  defaults: {
    skipServerMiddleware: false,
    debug: false,
    database: {},
    config: {},
    pages: true,
    console: { path: '/admin' },
    allowedOrigins: [],
  },
  async setup(options, nuxt) {
    const resolver = createResolver(import.meta.url)
    const seed = validateConfig(options.config)
    if (!seed.ok) throw new Error(`[nuxt-guard] \`guard.config\` in nuxt.config.ts is invalid:\n${formatConfigIssues(seed.issues)}`)
    const consolePath = options.console === false ? '' : (options.console.path || '/admin').replace(/\/+$/, '')
    if (options.console !== false && !/^\/[\w\-/]*$/.test(consolePath)) {
      throw new Error(`[nuxt-guard] \`guard.console.path\` must be a path such as "/admin" or "/ops/guard"; got ${JSON.stringify(options.console.path)}.`)
    }

    // Settings a deployment changes are runtime config: NUXT_GUARD_SECRET, NUXT_GUARD_DATABASE_URL, … override them.
    nuxt.options.runtimeConfig.guard = defu(nuxt.options.runtimeConfig.guard, {
      secret: '',
      databaseUrl: options.database.url ?? '',
      dataDir: options.database.dataDir ?? (nuxt.options.dev ? join(nuxt.options.rootDir, '.data/guard') : '.data/guard'),
      smtpUrl: '',
      mfaTokenTtl: 0,
      debug: options.debug,
      cookieSecure: options.cookieSecure ?? !nuxt.options.dev,
      trustProxy: validTrustProxy(options.trustProxy),
      seed: seed.config,
      allowedOrigins: options.allowedOrigins,
      ...validTokenAudience(options),
      baseUrl: validBaseUrl(options.baseUrl),
      breachedPasswordsUrl: options.breachedPasswords?.rangeUrl ?? '',
      breachedPasswordsTimeoutMs: options.breachedPasswords?.timeoutMs ?? 0,
    } satisfies GuardRuntimeConfig)
    nuxt.options.runtimeConfig.public.guard = defu(nuxt.options.runtimeConfig.public.guard, { consolePath, appName: options.appName ?? '' } satisfies GuardPublicRuntimeConfig)
    // `#guard/…` is the runtime (modules/guard/runtime from source, dist/runtime in the package) for the
    // app, the shipped pages and components, and Nitro (the API handlers import through it); Nuxt
    // writes both into the generated tsconfigs (.nuxt/tsconfig.app.json, .nuxt/tsconfig.server.json).
    const runtimeDir = resolver.resolve('./runtime')
    nuxt.options.alias['#guard'] = runtimeDir
    nuxt.options.nitro.alias = { ...nuxt.options.nitro.alias, '#guard': runtimeDir }
    // Nuxt auto-imports nothing into files under node_modules unless told to: the shipped pages and
    // components (dist/runtime/pages, dist/runtime/components) call useHead, useRoute, computed, … unimported.
    nuxt.options.imports.transform ??= {}
    ;(nuxt.options.imports.transform.include ??= []).push(new RegExp(`^${escapeRegExp(runtimeDir)}/`))

    // Server: the start-up plugin, the middleware, the API and the server utilities.
    addServerPlugin(resolver.resolve('./runtime/server/plugins/guard'))
    if (!options.skipServerMiddleware) {
      addServerHandler({ middleware: true, handler: resolver.resolve('./runtime/server/middleware/guard') })
    }
    // Server middleware never sees a WebSocket upgrade: with Nitro's WebSockets on, the guard judges each upgrade too.
    nuxt.hook('nitro:config', (config) => {
      if (config.experimental?.websocket) (config.plugins ||= []).push(resolver.resolve('./runtime/server/plugins/websocket'))
    })
    // Every file under runtime/server/api/_guard is a route named by its path and method: `mfa/totp/enroll.post.ts`.
    for (const { route, method, file } of guardApiRoutes(resolver.resolve('./runtime/server/api/_guard'))) {
      addServerHandler({ route: `/api/_guard/${route}`, method, handler: file })
    }
    addServerImports(['guardMiddleware', 'requireAuth', 'getAuth'].map(name => ({
      name,
      from: resolver.resolve(`./runtime/server/utils/${name.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)}`),
    })))
    // Auth0's step-up errors, for app handlers to throw and catch (each answers its documented body).
    addServerImports(['MfaRequiredError', 'MfaTokenExpiredError', 'MfaTokenInvalidError', 'MfaTokenNotFoundError'].map(name => ({
      name, from: resolver.resolve('./runtime/core/mfa/step-up-errors'),
    })))

    // App: the session loaded once per page, composables, and the client-side judge of navigations.
    addPlugin(resolver.resolve('./runtime/app/plugins/session'))
    addImports(['useAuth', 'useUser', 'useClaimValue'].map(name => ({ name, from: resolver.resolve(`./runtime/app/composables/${name}`) })))
    addImports({ name: 'safeRedirectPath', from: resolver.resolve('./runtime/core/policy/redirect') })
    addRouteMiddleware({ name: 'guard', path: resolver.resolve('./runtime/app/middleware/guard'), global: true })
    // A page's `definePageMeta({ guard })` becomes a server rule at build time, so the server judges the page by it.
    installPageRules(nuxt, { schemaPath: resolver.resolve('./runtime/core/config/schema'), pageRulesPath: resolver.resolve('./runtime/core/policy/page-rules') })

    // The built-in pages and console: components prefixed Guard…, scoped styles, Pinia for the console.
    addComponentsDir({ path: consoleDir(resolver.resolve, 'components'), prefix: 'Guard', pathPrefix: true })
    nuxt.options.css.push(join(consoleDir(resolver.resolve, 'assets'), 'console.css'))
    if (options.pages || consolePath) {
      if (!hasNuxtModule('@pinia/nuxt')) await installModule('@pinia/nuxt')
      const pagesDir = consoleDir(resolver.resolve, 'pages')
      extendPages((pages) => {
        const taken = pagePaths(pages)
        const include = (path: string) => (isConsolePage(path) ? Boolean(consolePath) : options.pages)
        pages.push(...builtInPages(pagesDir, { consolePath, include }).filter(page => !taken.has(page.path)))
      })
    }
    // The guard's error page (sign in, set up MFA, no access, unavailable), unless the app has its own error.vue.
    nuxt.hook('app:resolve', (app) => {
      const own = nuxt.options._layers.some(layer => existsSync(join(layer.config.srcDir, 'error.vue')))
      if (!own) app.errorComponent = join(consoleDir(resolver.resolve, 'components'), 'ErrorPage.vue')
    })

    addTypeTemplate({
      filename: 'types/nuxt-guard.d.ts',
      getContents: () => `import type { GuardAuth } from ${JSON.stringify(resolver.resolve('./runtime/core/policy/auth'))}
declare module 'h3' {
  interface H3EventContext {
    /** Set by the nuxt-guard middleware on every route it judges. */
    auth: GuardAuth
  }
}
export {}
`,
    }, { nitro: true, nuxt: true })
  },
})

export type { GuardConfigInput, GuardConfig } from './runtime/core/config/schema'
export type { GuardAuth, GuardSessionClaims, SessionClaims } from './runtime/core/policy/auth'

/**
 * The `trustProxy` option, checked at build time (a typo would otherwise only show at the first
 * sign-in), as the one string runtime config holds: `'1'`, `'10.0.0.0/8, 1'`, `''` for none.
 */
function validTrustProxy(setting: ModuleOptions['trustProxy']): string {
  try { return parseTrustProxy(setting).source }
  catch (error) { throw new Error(`[nuxt-guard] ${(error as Error).message}`) }
}

/** `baseUrl` as an origin, checked at build time: a path or a non-HTTP scheme would make every emailed link wrong. */
function validBaseUrl(value: string | undefined): string {
  if (!value) return ''
  let url: URL
  try { url = new URL(value) }
  catch { throw new Error(`[nuxt-guard] \`guard.baseUrl\` must be the site's origin, such as "https://app.example.com"; got ${JSON.stringify(value)}.`) }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname !== '/' || url.search || url.hash) {
    throw new Error(`[nuxt-guard] \`guard.baseUrl\` must be an origin only (scheme and host, no path), such as "https://app.example.com"; got ${JSON.stringify(value)}.`)
  }
  return url.origin
}

/** `audience` and `authorizedParties`, checked at build time (a path in an origin would otherwise refuse every sign-in). */
function validTokenAudience(options: Pick<ModuleOptions, 'audience' | 'authorizedParties'>): { audience: string[]; authorizedParties: string[] } {
  return tokenAudienceSettings({ audience: options.audience, authorizedParties: options.authorizedParties })
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
