import type { GuardConfig } from '../config/schema'

/** When one changed part of a saved config takes effect. */
export interface EffectLine {
  /** The changed field, e.g. `session.tokenTtlSeconds`. */
  path: string
  /** `next_request`: every session's next request on every instance is judged by it; `from_now`: only what is issued from now on. */
  when: 'next_request' | 'from_now'
  /** What the console shows, one sentence. */
  text: string
}

/** The answer's `effect`: the whole save, then the parts that are not live at the next request. */
export interface SaveEffect {
  /** `next_request` when every change is; `partly_from_now` when some apply only to what is issued later. */
  when: 'next_request' | 'partly_from_now'
  /** One line for the console's toast. */
  summary: string
  /** The changes that take effect later, with why. */
  later: EffectLine[]
}

const get = (config: GuardConfig | undefined, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], config)

/** Parts of a config that govern what is issued, not how requests are judged. */
const ISSUED_LATER: { path: string; text: (before: unknown, after: unknown) => string }[] = [
  {
    path: 'session.tokenTtlSeconds',
    text: (before, after) => `Token lifetime ${String(before)} s → ${String(after)} s: tokens issued from now on (each session's next token; claims and roles are live either way).`,
  },
  {
    path: 'session.sessionTtlDays',
    text: (before, after) => `Session lifetime ${String(before)} → ${String(after)} days: sessions started from now on; signed-in sessions keep the end they were given.`,
  },
  {
    path: 'mfa.mfaTokenTtlSeconds',
    text: (before, after) => `Step-up mfa_token lifetime ${String(before)} s → ${String(after)} s: mfa_tokens issued from now on (NUXT_GUARD_MFA_TOKEN_TTL, when set, wins).`,
  },
]

/**
 * Says truthfully when a save takes effect. Route lists, MFA settings, the
 * claims template and the roles map are judged from the very next request
 * of every session on every instance (claims and roles by re-minting each
 * session's token at that request); lifetimes apply to what is issued from
 * now on.
 *
 * @example
 * describeSaveEffect(before, after, 8).summary
 * // 'Saved as version 8 — every session's next request, on every instance, is judged by it.'
 */
export function describeSaveEffect(before: GuardConfig | undefined, after: GuardConfig, version: number): SaveEffect {
  const later: EffectLine[] = []
  for (const { path, text } of ISSUED_LATER) {
    const [was, now] = [get(before, path), get(after, path)]
    if (before && was !== now) later.push({ path, when: 'from_now', text: text(was, now) })
  }
  const live = `every session's next request, on every instance, is judged by it`
  if (!later.length) return { when: 'next_request', summary: `Saved as version ${version} — ${live}.`, later }
  return {
    when: 'partly_from_now',
    summary: `Saved as version ${version} — ${live}, except: ${later.map(line => line.text).join(' ')}`,
    later,
  }
}
