import { computed, type ComputedRef } from 'vue'
import type { SessionClaims } from '../../core/policy/auth'
import { useAuth } from './useAuth'

/**
 * One claim of the current session token, read-only and reactive (SuperTokens' `useClaimValue`):
 * `undefined` when signed out or when the token does not carry it. Typed by `SessionClaims`, so
 * the registered claims have their types (`'mfa'` → `{ c: { factorId: completedAtSeconds }, v, e }`)
 * and the claims template's keys the app's `GuardSessionClaims` types.
 *
 * It follows `useAuth()`'s session snapshot: read with the page on the server and carried to the
 * browser, then renewed on sign-in and sign-out, after the built-in pages complete or set up a
 * factor, and whenever `useAuth().refresh()` is called (do so after your own calls that change
 * claims, such as switching organization). A token the server re-mints silently (expiry, a claims
 * change) shows here at the next page load or `refresh()`.
 * Display only: the server judges every request by the token itself.
 *
 * @example
 * // "show a message unless TOTP is completed" (SuperTokens' seed), in a page with
 * // definePageMeta({ guard: { mfa: false } })
 * const mfa = useClaimValue('mfa')
 * // <p v-if="mfa?.c.totp === undefined">You need to complete TOTP before seeing this page</p>
 */
export function useClaimValue<Name extends keyof SessionClaims & string>(name: Name): ComputedRef<SessionClaims[Name] | undefined> {
  const { session } = useAuth()
  return computed(() => session.value?.claims[name])
}
