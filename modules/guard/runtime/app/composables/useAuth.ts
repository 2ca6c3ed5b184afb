import { computed, type ComputedRef } from 'vue'
import type { GuardAuth, SessionClaims } from '../../core/policy/auth'
import { hasCheck, type AuthCheck } from '../../core/policy/has'
import type { GuardAnswer } from '../types/guard-api'
import { useRequestEvent, useRequestFetch, useState } from '#imports'

type SessionAnswer = GuardAnswer<'/api/_guard/session'>

/**
 * What `GET /api/_guard/session` answers for a signed-in user, as its handler
 * does — with the claims typed by the app's `GuardSessionClaims` (JSON typing
 * cannot carry the claims' open index signature, so they are named here).
 */
export type SessionSnapshot = Omit<SessionAnswer, 'sessionId' | 'claims'> & {
  sessionId: NonNullable<SessionAnswer['sessionId']>
  /** The session token's claims, typed by the app's `GuardSessionClaims`. */
  claims: SessionClaims
}

export interface UseAuth {
  session: ComputedRef<SessionSnapshot | null>
  isSignedIn: ComputedRef<boolean>
  userId: ComputedRef<string | null>
  /** The session's active organization (Clerk's `orgId`, the token's `org_id`), or null. */
  orgId: ComputedRef<string | null>
  /** Its slug (`org_slug`), or null. */
  orgSlug: ComputedRef<string | null>
  /** Your role in it (`org_role`, such as `org:admin`), or null. */
  orgRole: ComputedRef<string | null>
  /** That role's permissions (`org_permissions`); empty without an active organization. */
  orgPermissions: ComputedRef<readonly string[]>
  /** Re-reads the session from the server (after sign-in, sign-out or a claims change). */
  refresh(): Promise<SessionSnapshot | null>
  /** Reads the session once per page load (server render or first client use); later calls reuse it. */
  load(): Promise<SessionSnapshot | null>
  /** Signs in; resolves to the same-origin path to go to next (the server checks `redirectUrl`). */
  signIn(email: string, password: string, redirectUrl?: string): Promise<string>
  signUp(email: string, password: string, redirectUrl?: string): Promise<string>
  signOut(): Promise<void>
  /**
   * `{ role }` or `{ permission }`, as the server's `auth.has()`: an `org:` name is answered from
   * the active organization (`has({ permission: 'org:sys_memberships:manage' })`), any other from
   * your roles and their permissions. For showing and hiding things: the server decides access.
   */
  has(check: { role: string } | { permission: string }): boolean
}

function snapshotOf(auth: GuardAuth | undefined): SessionSnapshot | null {
  if (!auth?.userId || !auth.sessionId || !auth.sessionClaims) return null
  return {
    userId: auth.userId, sessionId: auth.sessionId, claims: auth.sessionClaims, roles: [...auth.roles], permissions: [...auth.permissions],
    orgId: auth.orgId, orgSlug: auth.orgSlug, orgRole: auth.orgRole, orgPermissions: [...auth.orgPermissions],
  }
}

/** `has()` on a snapshot, answered as the server's `auth.has()` is (hasCheck). */
function snapshotHas(snapshot: SessionSnapshot | null, check: AuthCheck): boolean {
  return snapshot !== null && hasCheck(snapshot, check)
}

/**
 * The signed-in session on both server and client, with sign-in, sign-up
 * and sign-out. Errors from the API are thrown as `FetchError` whose `data`
 * is `{ error, error_description, field? }`.
 *
 * @example
 * const { isSignedIn, session, signOut } = useAuth()
 * await useAuth().refresh()
 */
export function useAuth(): UseAuth {
  const state = useState<SessionSnapshot | null | undefined>('nuxt-guard:session', () => undefined)
  const event = import.meta.server ? useRequestEvent() : undefined
  // The request's own cookies on the server; the browser's in the browser.
  const fetchSession = import.meta.server ? useRequestFetch() : $fetch

  async function refresh(): Promise<SessionSnapshot | null> {
    // On the server the guard middleware has usually resolved this request's auth already. An
    // error page (Nuxt renders it in a request of its own to an ignored route) asks the API, so a
    // signed-in user refused with a 403 still sees their own top bar.
    state.value = event?.context.auth
      ? snapshotOf(event.context.auth)
      : await fetchSession<SessionSnapshot>('/api/_guard/session').catch(() => null)
    return state.value
  }
  async function start(path: 'sign-in' | 'sign-up', body: object): Promise<string> {
    const answer = await $fetch(`/api/_guard/${path}`, { method: 'POST', body })
    await refresh()
    return answer.redirectTo ?? '/'
  }

  return {
    session: computed(() => state.value ?? null),
    isSignedIn: computed(() => Boolean(state.value)),
    userId: computed(() => state.value?.userId ?? null),
    orgId: computed(() => state.value?.orgId ?? null),
    orgSlug: computed(() => state.value?.orgSlug ?? null),
    orgRole: computed(() => state.value?.orgRole ?? null),
    orgPermissions: computed(() => state.value?.orgPermissions ?? []),
    refresh,
    load: async () => (state.value === undefined ? refresh() : state.value),
    signIn: (email, password, redirectUrl) => start('sign-in', { email, password, redirect_url: redirectUrl }),
    signUp: (email, password, redirectUrl) => start('sign-up', { email, password, redirect_url: redirectUrl }),
    signOut: async () => {
      await $fetch('/api/_guard/sign-out', { method: 'POST', body: {} })
      await refresh()
    },
    has: check => snapshotHas(state.value ?? null, check),
  }
}
