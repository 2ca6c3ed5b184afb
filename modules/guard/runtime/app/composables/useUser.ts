import { computed, type ComputedRef } from 'vue'
import { useAuth } from './useAuth'

export interface GuardUser {
  id: string
  email: string | null
  roles: string[]
  claims: Record<string, unknown>
}

/**
 * The signed-in user as the session token describes them, or `null`.
 * Call `useAuth().refresh()` once (e.g. in a page's setup) to load it.
 *
 * @example
 * const user = useUser()
 * // <p v-if="user">Signed in as {{ user.email }}</p>
 */
export function useUser(): ComputedRef<GuardUser | null> {
  const { session } = useAuth()
  return computed(() => {
    const current = session.value
    if (!current) return null
    const email = typeof current.claims.email === 'string' ? current.claims.email : null
    return { id: current.userId, email, roles: current.roles, claims: current.claims }
  })
}
