import { defineNitroPlugin, useRuntimeConfig } from 'nitropack/runtime'
import { resolveSecret } from '../utils/secret-file'
import { guardSettings, startGuard, useGuard } from '../utils/guard-instance'
import { countUsers } from '../../core/store/users'
import { DataDirLockedError } from '../../core/store/db/data-dir-lock'
import { registerPageRules } from '../../core/policy/page-rules'
// The pages' `definePageMeta({ guard })` as rules, extracted at build time (modules/guard/setup/page-rules.ts).
import pageRules from '#nuxt-guard/page-rules'

/**
 * Starts nuxt-guard with the server: checks the secret (a clear error in
 * production when it is missing or short), opens the database, loads the live
 * config and keys, and says where to go next. In production, an embedded
 * data directory held by another live process stops this one (exit 1,
 * naming the holder); on shutdown the database is closed before the process
 * ends, releasing that directory.
 */
export default defineNitroPlugin((nitroApp) => {
  // Typed, no cast: Nuxt generates RuntimeConfig from the module's defaults; the package's types.d.mts adds ModuleRuntimeConfig.
  const runtimeConfig = useRuntimeConfig()
  const settings = runtimeConfig.guard
  const secret = resolveSecret(settings.secret, settings.dataDir, Boolean(import.meta.dev))
  // Before the first policy is compiled: every compile judges the pages' own rules after the config's.
  registerPageRules(pageRules)
  startGuard(settings, secret, runtimeConfig.public.guard).then(
    async (guard) => {
      const users = await countUsers(guard.db)
      const where = guardSettings().databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${settings.dataDir}`
      console.info(`[nuxt-guard] ready: config v${guard.live.policy.version}, ${users} user${users === 1 ? '' : 's'}, ${where}`)
      if (users === 0) {
        const signUp = guard.live.policy.config.signUpUrl
        const where = import.meta.dev ? `http://localhost:${process.env.NUXT_PORT || process.env.PORT || 3000}${signUp}` : signUp
        console.info(`[nuxt-guard] no users yet: open ${where}; the first account to sign up becomes the admin`)
      }
    },
    (error) => {
      const message = error instanceof Error ? error.message : String(error)
      if ((error instanceof DataDirLockedError || (error as Error | undefined)?.name === 'DataDirLockedError') && !import.meta.dev) {
        // Another live process holds the embedded database: serving beside it would lose data. Stop.
        console.error(`[nuxt-guard] refusing to start:\n  ${message}`)
        process.exit(1)
      }
      console.error(`[nuxt-guard] could not start; protected routes answer 503 until this is fixed:\n  ${message}`)
    },
  )
  // Shutdown (SIGTERM, SIGINT, dev reload): close the database and wait for it, so the PGlite lock is released.
  nitroApp.hooks.hook('close', async () => {
    const guard = await useGuard().catch(() => undefined)
    if (!guard) return
    try { await guard.close() }
    catch (error) { console.error(`[nuxt-guard] closing the database failed: ${error instanceof Error ? error.message : String(error)}`) }
  })
})
