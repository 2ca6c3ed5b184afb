import { computed, type ComputedRef } from 'vue'
import type { GuardAuth, SessionClaims } from '../../core/policy/auth'
import type { GuardAnswer } from '../types/guard-api'
import { useRequestEvent, useState } from '#imports'

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
  /** Re-reads the session from the server (after sign-in, sign-out or a claims change). */
  refresh(): Promise<SessionSnapshot | null>
  /** Reads the session once per page load (server render or first client use); later calls reuse it. */
  load(): Promise<SessionSnapshot | null>
  /** Signs in; resolves to the same-origin path to go to next (the server checks `redirectUrl`). */
  signIn(email: string, password: string, redirectUrl?: string): Promise<string>
  signUp(email: string, password: string, redirectUrl?: string): Promise<string>
  signOut(): Promise<void>
  has(check: { role: string } | { permission: string }): boolean
}

function snapshotOf(auth: GuardAuth | undefined): SessionSnapshot | null {
  if (!auth?.userId || !auth.sessionId || !auth.sessionClaims) return null
  return { userId: auth.userId, sessionId: auth.sessionId, claims: auth.sessionClaims, roles: [...auth.roles], permissions: [...auth.permissions] }
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

  async function refresh(): Promise<SessionSnapshot | null> {
    // On the server the guard middleware has already resolved this request's auth.
    state.value = event ? snapshotOf(event.context.auth) : await $fetch<SessionSnapshot>('/api/_guard/session').catch(() => null)
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
    refresh,
    load: async () => (state.value === undefined ? refresh() : state.value),
    signIn: (email, password, redirectUrl) => start('sign-in', { email, password, redirect_url: redirectUrl }),
    signUp: (email, password, redirectUrl) => start('sign-up', { email, password, redirect_url: redirectUrl }),
    signOut: async () => {
      await $fetch('/api/_guard/sign-out', { method: 'POST', body: {} })
      await refresh()
    },
    has: check => Boolean(state.value && ('role' in check ? state.value.roles.includes(check.role) : state.value.permissions.includes(check.permission))),
  }
}
