import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { GuardAnswer } from '#guard/app/types/guard-api'
import { ADMIN_API, apiProblem, type ApiProblem } from './support/api'

/** One row of `GET /admin/users`, as its handler answers it. */
export type AdminUser = GuardAnswer<'/api/_guard/admin/users', 'get'>['users'][number]

/** What the "More actions" menu of a user offers (components/admin/AdminUserActions.vue). */
export type UserAction = 'reset-mfa' | 'revoke-sessions' | 'unlock' | 'disable' | 'enable' | 'delete'

/** A user's public metadata: a JSON object that session tokens can carry. */
export type PublicMetadata = Record<string, unknown>

/**
 * When an admin's change to a user reaches their sessions, as the roles, metadata and reset-MFA
 * answers say: `effective: 'next_request'` (each session's next request, every instance), and the
 * older `effectiveWithinSeconds` (0 now that changes are live).
 */
type ChangeEffect = Pick<GuardAnswer<'/api/_guard/admin/users/:id/reset-mfa'>, 'effective' | 'effectiveWithinSeconds'>

/** The result of an action on one user: done, or why not. */
export type UserActionOutcome =
  | ({
    ok: true
    count?: number
  } & Partial<ChangeEffect>)
  | { ok: false; problem: ApiProblem }

/** How long the search waits after the last keystroke. */
export const USER_SEARCH_DEBOUNCE_MS = 300

/** One users list: its state and actions (shared by the console's Users screen and the pickers). */
function usersList() {
  const users = ref<AdminUser[]>([])
  const total = ref(0)
  const query = ref('')
  const limit = ref(20)
  const offset = ref(0)
  const loading = ref(false)
  const loaded = ref(false)
  const problem = ref<ApiProblem | null>(null)
  /** `userId → action` while an action on that user is in flight. */
  const busy = ref<Record<string, string>>({})
  /** `userId → publicMetadata` as the server returned it on the last save (the list does not include it). */
  const knownMetadata = ref<Record<string, PublicMetadata>>({})
  let run = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  const page = computed(() => Math.floor(offset.value / limit.value) + 1)
  const pageCount = computed(() => Math.max(1, Math.ceil(total.value / limit.value)))
  const hasPrevious = computed(() => offset.value > 0)
  const hasNext = computed(() => offset.value + limit.value < total.value)

  async function fetchPage(): Promise<void> {
    clearTimeout(timer)
    const mine = ++run
    loading.value = true
    problem.value = null
    try {
      const answer = await $fetch(`${ADMIN_API}/users`, {
        query: { q: query.value || undefined, limit: limit.value, offset: offset.value },
      })
      if (mine !== run) return
      users.value = answer.users
      total.value = answer.total
      loaded.value = true
    }
    catch (error) {
      if (mine === run) problem.value = apiProblem(error)
    }
    finally {
      if (mine === run) loading.value = false
    }
  }

  /** Searches by email from the first page, once typing pauses. */
  function search(text: string, delayMs = USER_SEARCH_DEBOUNCE_MS): void {
    query.value = text
    offset.value = 0
    clearTimeout(timer)
    timer = setTimeout(() => { void fetchPage() }, delayMs)
  }

  async function goToPage(next: number): Promise<void> {
    offset.value = Math.max(0, Math.min(next - 1, pageCount.value - 1)) * limit.value
    await fetchPage()
  }

  function replace(updated: Partial<AdminUser> & { id: string }): void {
    users.value = users.value.map(user => (user.id === updated.id ? { ...user, ...updated } : user))
  }

  async function act(id: string, action: string, request: () => Promise<UserActionOutcome>): Promise<UserActionOutcome> {
    busy.value = { ...busy.value, [id]: action }
    try {
      return await request()
    }
    catch (error) {
      return { ok: false, problem: apiProblem(error) }
    }
    finally {
      const { [id]: _done, ...rest } = busy.value
      busy.value = rest
    }
  }

  const changeRoles = (id: string, roles: string[]) => act(id, 'roles', async () => {
    const { effectiveWithinSeconds, effective, ...user } = await $fetch(`${ADMIN_API}/users/${encodeURIComponent(id)}/roles`, { method: 'PUT', body: { roles } })
    replace({ ...user, id })
    return { ok: true, effective, effectiveWithinSeconds }
  })

  const resetMfa = (id: string) => act(id, 'reset-mfa', async () => {
    const answer = await $fetch(`${ADMIN_API}/users/${encodeURIComponent(id)}/reset-mfa`, { method: 'POST', body: {} })
    replace({ id, factors: [] })
    return { ok: true, count: answer.removed, effective: answer.effective, effectiveWithinSeconds: answer.effectiveWithinSeconds }
  })

  const revokeSessions = (id: string) => act(id, 'revoke-sessions', async () => {
    const answer = await $fetch(`${ADMIN_API}/users/${encodeURIComponent(id)}/revoke-sessions`, { method: 'POST', body: {} })
    replace({ id, activeSessions: 0 })
    return { ok: true, count: answer.revoked }
  })

  /** Disables the account with a reason and an optional end (ISO 8601); their sessions end at once. */
  const disable = (id: string, input: { reason: string; until?: string | null }) => act(id, 'disable', async () => {
    const { revokedSessions, ...user } = await $fetch(`${ADMIN_API}/users/${encodeURIComponent(id)}/disable`, { method: 'POST', body: input })
    replace({ ...user, id })
    return { ok: true, count: revokedSessions }
  })

  const enable = (id: string) => act(id, 'enable', async () => {
    const user = await $fetch(`${ADMIN_API}/users/${encodeURIComponent(id)}/enable`, { method: 'POST', body: {} })
    replace({ ...user, id })
    return { ok: true }
  })

  /** Clears the account's sign-in throttle and the user's second-factor and email-code limits; `count` is how many rows went. */
  const unlock = (id: string) => act(id, 'unlock', async () => {
    const answer = await $fetch(`${ADMIN_API}/users/${encodeURIComponent(id)}/unlock`, { method: 'POST', body: {} })
    return { ok: true, count: answer.signInFailures + answer.rateLimits.length }
  })

  /** Deletes the account; it leaves the list at once. */
  const remove = (id: string) => act(id, 'delete', async () => {
    const answer = await $fetch(`${ADMIN_API}/users/${encodeURIComponent(id)}`, { method: 'DELETE' })
    users.value = users.value.filter(user => user.id !== id)
    total.value = Math.max(0, total.value - 1)
    return { ok: true, count: answer.revokedSessions }
  })

  /** Creates an account with a password; the page is fetched again so it shows where the list puts it. */
  async function create(input: { email: string; password: string; roles: string[] }): Promise<UserActionOutcome> {
    try {
      await $fetch(`${ADMIN_API}/users`, { method: 'POST', body: input })
      await fetchPage()
      return { ok: true }
    }
    catch (error) {
      return { ok: false, problem: apiProblem(error) }
    }
  }

  /** Replaces the user's whole public metadata; the store remembers what the server saved. */
  const setPublicMetadata = (id: string, metadata: PublicMetadata) => act(id, 'metadata', async () => {
    const { effectiveWithinSeconds, effective, publicMetadata, ...user } = await $fetch(`${ADMIN_API}/users/${encodeURIComponent(id)}/metadata`, { method: 'PUT', body: { publicMetadata: metadata } })
    replace({ ...user, id })
    knownMetadata.value = { ...knownMetadata.value, [id]: publicMetadata ?? metadata }
    return { ok: true, effective, effectiveWithinSeconds }
  })

  return {
    users, total, query, limit, offset, loading, loaded, problem, busy, knownMetadata, page, pageCount, hasPrevious, hasNext,
    fetchPage, search, goToPage, changeRoles, resetMfa, revokeSessions, setPublicMetadata, disable, enable, unlock, remove, create,
  }
}

/**
 * The users list of the console: search (debounced), paging, and the
 * actions on a user (roles, public metadata, reset MFA, revoke sessions, disable and enable,
 * unlock, delete) and creating one with a password. A slow answer to an
 * older search never overwrites a newer one.
 *
 * @example
 * const users = useAdminUsersStore()
 * users.search('alice') // fetches 300 ms after the last call
 * await users.changeRoles(id, ['admin'])
 */
export const useAdminUsersStore = defineStore('guard-admin-users', usersList)

/**
 * The same list for the user pickers (claims preview, simulator), so picking
 * a user never disturbs the Users screen's search and page.
 *
 * @example
 * const picker = useUserPickerStore()
 * picker.search('bob')
 */
export const useUserPickerStore = defineStore('guard-user-picker', usersList)
