import { createGuard, type Guard } from '../../core/engine/create-guard'
import { compilePolicy, type CompiledPolicy } from '../../core/policy/compile'
import { defaultConfig, validateConfig } from '../../core/config/validate'
import { DEFAULT_CONSOLE_PATH } from '../../core/admin/console-access'
import { tokenAudienceSettings } from '../../core/tokens/token-audience'

/**
 * `runtimeConfig.guard`, written by the module; each key is overridable at run
 * time by its `NUXT_GUARD_*` variable (`databaseUrl` → `NUXT_GUARD_DATABASE_URL`).
 */
export interface GuardRuntimeConfig {
  /** Server secret, at least 32 bytes (`NUXT_GUARD_SECRET`); generated into `dataDir` in development. */
  secret: string
  /** PostgreSQL URL; empty = `DATABASE_URL` at run time, else embedded PGlite. */
  databaseUrl: string
  /** Where PGlite keeps its files, or `memory://`. */
  dataDir: string
  /** `smtp://user:pass@host:587` for email codes; empty = the console's outbox. */
  smtpUrl: string
  /** Lifetime of the step-up `mfa_token` in seconds; 0 = the config's `mfa.mfaTokenTtlSeconds`. */
  mfaTokenTtl: number
  debug: boolean
  cookieSecure: boolean
  /** Trusted reverse proxies: a hop count and/or CIDRs (`'1'`, `'10.0.0.0/8, 1'`); empty = none (`NUXT_GUARD_TRUST_PROXY`, which may arrive as a number). */
  trustProxy: string | number
  /** The config document seeded on first boot (validated at build time). */
  seed: Record<string, unknown>
  /** Other origins allowed to open WebSockets (`https://app.example.com`); JSON array or comma list in `NUXT_GUARD_ALLOWED_ORIGINS`. */
  allowedOrigins: string[] | string
  /** `aud` of new session tokens, and what a token must carry (`guard.audience`; JSON array or comma list in `NUXT_GUARD_AUDIENCE`). Normalized to an array once started. */
  audience?: string[] | string
  /** Origins a token's `azp` must be one of (`guard.authorizedParties`; JSON array or comma list in `NUXT_GUARD_AUTHORIZED_PARTIES`). Normalized to an array once started. */
  authorizedParties?: string[] | string
  /** The site's own origin (`https://app.example.com`, `NUXT_GUARD_BASE_URL`): what emailed links point at. Empty: see emailLink. */
  baseUrl?: string
  /** The breached-password check's range API (`NUXT_GUARD_BREACHED_PASSWORDS_URL`); empty = Pwned Passwords. `account.breachedPasswordCheck` switches the check on. */
  breachedPasswordsUrl?: string
  /** Milliseconds before a range lookup is given up and the password allowed (`NUXT_GUARD_BREACHED_PASSWORDS_TIMEOUT_MS`); 0 = 2000. */
  breachedPasswordsTimeoutMs?: number
}

/** `runtimeConfig.public.guard`. */
export interface GuardPublicRuntimeConfig {
  /** Where the admin console's pages are; empty when the console is switched off. */
  consolePath: string
  /**
   * The application's name (`guard.appName`, env `NUXT_PUBLIC_GUARD_APP_NAME`): the TOTP issuer,
   * the start of email subjects and the page titles. Empty: the request's host name.
   */
  appName?: string
}

type GuardState =
  | { status: 'starting'; ready: Promise<Guard> }
  | { status: 'ready'; guard: Guard }
  | { status: 'failed'; error: unknown; fallback: CompiledPolicy }

let state: GuardState | undefined
let settings: GuardRuntimeConfig | undefined
let publicSettings: GuardPublicRuntimeConfig = { consolePath: DEFAULT_CONSOLE_PATH }

/**
 * The settings the guard was started with.
 *
 * @example
 * if (guardSettings().debug) console.info(line)
 */
export function guardSettings(): GuardRuntimeConfig {
  if (!settings) throw new Error('nuxt-guard has not started: is the module registered in nuxt.config.ts?')
  return settings
}

/**
 * `runtimeConfig.public.guard` as the guard was started with (the console at
 * `/admin` when the starter gave none).
 *
 * @example
 * reviewConfig(document, nowSeconds, guardPublicSettings().consolePath)
 */
export function guardPublicSettings(): GuardPublicRuntimeConfig {
  return publicSettings
}

/**
 * Starts the guard once per server (called by the Nitro plugin with
 * `runtimeConfig.guard` and `runtimeConfig.public.guard`); later calls
 * return the same promise.
 *
 * @example
 * const guard = await startGuard(settings, secret, useRuntimeConfig().public.guard)
 */
export function startGuard(runtimeSettings: GuardRuntimeConfig, secret: string, publicRuntimeSettings?: GuardPublicRuntimeConfig): Promise<Guard> {
  if (state?.status === 'ready') return Promise.resolve(state.guard)
  if (state?.status === 'starting') return state.ready
  settings = { ...runtimeSettings, databaseUrl: databaseUrlOf(runtimeSettings), ...tokenAudienceSettings(runtimeSettings) }
  if (publicRuntimeSettings) publicSettings = publicRuntimeSettings
  const dataDir = runtimeSettings.dataDir.startsWith('memory://') ? runtimeSettings.dataDir : `${runtimeSettings.dataDir.replace(/\/$/, '')}/db`
  const ready = createGuard({
    database: { url: settings.databaseUrl || undefined, dataDir }, secret, seed: runtimeSettings.seed,
    // MFA: SMTP for email codes (else the outbox table) and a step-up token TTL that beats the config.
    smtpUrl: runtimeSettings.smtpUrl || undefined,
    mfaTokenTtlSeconds: positiveInteger(runtimeSettings.mfaTokenTtl),
    audience: settings.audience as string[],
    appName: publicRuntimeSettings?.appName?.trim() || undefined,
    breachedPasswords: { rangeUrl: runtimeSettings.breachedPasswordsUrl || undefined, timeoutMs: positiveInteger(runtimeSettings.breachedPasswordsTimeoutMs) },
  })
  state = { status: 'starting', ready }
  ready.then(
    (guard) => { state = { status: 'ready', guard } },
    (error) => {
      const seed = validateConfig(runtimeSettings.seed)
      state = { status: 'failed', error, fallback: compilePolicy(seed.ok ? seed.config : defaultConfig(), 0) }
    },
  )
  return ready
}

/**
 * The running guard, waiting for start-up if needed. Throws when start-up
 * failed; callers answer 503.
 *
 * @example
 * const guard = await useGuard()
 * const user = await findUserById(guard.db, id)
 */
export async function useGuard(): Promise<Guard> {
  if (!state) throw new Error('nuxt-guard has not started: is the module registered in nuxt.config.ts?')
  if (state.status === 'ready') return state.guard
  if (state.status === 'failed') throw state.error
  return state.ready
}

/**
 * The guard and the policy to judge by. While starting, waits; when start-up
 * failed, there is no guard and the policy is the seed config's, so public
 * routes keep working while protected ones answer 503.
 *
 * @example
 * const { guard, policy } = await currentGuard()
 * if (!guard) return serviceUnavailable(event)
 */
export async function currentGuard(): Promise<{ guard?: Guard; policy: CompiledPolicy }> {
  if (state?.status === 'ready') return { guard: state.guard, policy: state.guard.live.policy }
  await useGuard().catch(() => {})
  return currentGuardAfterStart()
}

/**
 * The guard when it is ready, synchronously (the hot path avoids a
 * promise); `undefined` while starting or after a failed start.
 *
 * @example
 * const guard = readyGuard() ?? (await currentGuard()).guard
 */
export function readyGuard(): Guard | undefined {
  return state?.status === 'ready' ? state.guard : undefined
}

function currentGuardAfterStart(): { guard?: Guard; policy: CompiledPolicy } {
  if (state?.status === 'ready') return { guard: state.guard, policy: state.guard.live.policy }
  if (state?.status === 'failed') return { policy: state.fallback }
  throw new Error('nuxt-guard has not started: is the module registered in nuxt.config.ts?')
}

function positiveInteger(value: unknown): number | undefined {
  const number = Number(value)
  return Number.isInteger(number) && number > 0 ? number : undefined
}

/** `NUXT_GUARD_DATABASE_URL` (runtime config), else the platform's plain `DATABASE_URL`, read when the server starts. */
function databaseUrlOf(runtimeSettings: GuardRuntimeConfig): string {
  return runtimeSettings.databaseUrl || process.env.DATABASE_URL || ''
}

/** Forgets the running guard (after it was closed). */
export function resetGuard(): void {
  state = undefined
}
