import { join } from 'node:path'
import { guardApiRoutes } from './api-routes'
import { defineNuxtModule, createResolver, addServerHandler, addServerPlugin, addServerImports, addImports, addRouteMiddleware, addTypeTemplate } from '@nuxt/kit'
import { defu } from 'defu'
import type { GuardConfigInput } from './runtime/core/config/schema'
import { validateConfig, formatConfigIssues } from './runtime/core/config/validate'
import type { GuardRuntimeConfig } from './runtime/server/utils/guard-instance'

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
   * Storage. Embedded PGlite under `dataDir` unless `url` (or the
   * `NUXT_GUARD_DATABASE_URL` / `DATABASE_URL` environment variable) names a
   * PostgreSQL server.
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
}

export default defineNuxtModule<ModuleOptions>({
  meta: { name: 'nuxt-guard', configKey: 'guard', compatibility: { nuxt: '>=4.0.0' } },
  defaults: {
    skipServerMiddleware: false,
    debug: false,
    database: {},
    config: {},
  },
  setup(options, nuxt) {
    const resolver = createResolver(import.meta.url)
    const seed = validateConfig(options.config)
    if (!seed.ok) throw new Error(`[nuxt-guard] \`guard.config\` in nuxt.config.ts is invalid:\n${formatConfigIssues(seed.issues)}`)

    const runtimeConfig = nuxt.options.runtimeConfig as Record<string, unknown>
    runtimeConfig.guard = defu(runtimeConfig.guard as Partial<GuardRuntimeConfig> | undefined, {
      secret: '',
      databaseUrl: options.database.url || process.env.DATABASE_URL || '',
      dataDir: options.database.dataDir ?? (nuxt.options.dev ? join(nuxt.options.rootDir, '.data/guard') : '.data/guard'),
      debug: options.debug,
      cookieSecure: options.cookieSecure ?? !nuxt.options.dev,
      seed: seed.config,
    } satisfies GuardRuntimeConfig)

    addServerPlugin(resolver.resolve('./runtime/server/plugins/guard'))
    if (!options.skipServerMiddleware) {
      addServerHandler({ middleware: true, handler: resolver.resolve('./runtime/server/middleware/guard') })
    }
    // Every file under runtime/server/api/_guard is a route named by its path and method: `mfa/totp/enroll.post.ts`.
    for (const { route, method, file } of guardApiRoutes(resolver.resolve('./runtime/server/api/_guard'))) {
      addServerHandler({ route: `/api/_guard/${route}`, method, handler: file })
    }
    addServerImports(['guardMiddleware', 'requireAuth', 'getAuth'].map(name => ({
      name,
      from: resolver.resolve(`./runtime/server/utils/${name.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)}`),
    })))

    addImports(['useAuth', 'useUser'].map(name => ({ name, from: resolver.resolve(`./runtime/app/composables/${name}`) })))
    addImports({ name: 'safeRedirectPath', from: resolver.resolve('./runtime/core/policy/redirect') })
    addRouteMiddleware({ name: 'guard', path: resolver.resolve('./runtime/app/middleware/guard'), global: true })

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
export type { GuardAuth, SessionClaims } from './runtime/core/policy/auth'
