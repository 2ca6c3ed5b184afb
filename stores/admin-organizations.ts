import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { GuardAnswer } from '#guard/app/types/guard-api'
import type { PublicMetadata } from './admin-users'
import { ADMIN_API, apiProblem, type ApiProblem } from './support/api'
import { latestRequest } from './support/latest-request'

/** One row of `GET /admin/organizations`, as its handler answers it. */
export type AdminOrganization = GuardAnswer<'/api/_guard/admin/organizations', 'get'>['organizations'][number]
/** What `GET /admin/organizations/:id` answers: the organization, its members, their total, its pending invitations. */
export type AdminOrganizationDetails = GuardAnswer<'/api/_guard/admin/organizations/:id', 'get'>
/** One member in the details. */
export type AdminOrgMember = AdminOrganizationDetails['members'][number]
/** One pending invitation in the details. */
export type AdminOrgInvitation = AdminOrganizationDetails['invitations'][number]

/** The result of an action: done (with the new organization's id after a create), or why not. */
export type OrgActionOutcome = { ok: true; id?: string } | { ok: false; problem: ApiProblem }

/** How long the search waits after the last keystroke. */
export const ORG_SEARCH_DEBOUNCE_MS = 300

const orgPath = (id: string) => `${ADMIN_API}/organizations/${encodeURIComponent(id)}` as const

/**
 * The console's Organizations screen: the list (search by name or slug, one
 * page at a time, member counts), the selected organization's details
 * (members with their org roles, pending invitations), and every operator
 * action on it. Each action reloads what it changed and answers
 * `{ ok: true }` or `{ ok: false, problem }` (the server's refusal, with its
 * `field` when it names one).
 *
 * @example
 * const orgs = useAdminOrganizationsStore()
 * await orgs.fetchPage()
 * await orgs.select(orgs.organizations[0].id)
 * await orgs.changeRole(orgs.selectedId!, userId, 'org:admin') // { ok: true }
 */
export const useAdminOrganizationsStore = defineStore('guard-admin-organizations', () => {
  const organizations = ref<AdminOrganization[]>([])
  const total = ref(0)
  const query = ref('')
  const limit = ref(20)
  const offset = ref(0)
  const list = latestRequest()
  const selectedId = ref<string | null>(null)
  const details = ref<AdminOrganizationDetails | null>(null)
  const detail = latestRequest()
  /** `key → action` while an action is in flight (`org:<id>`, `member:<userId>`, `invitation:<id>`). */
  const busy = ref<Record<string, string>>({})
  let timer: ReturnType<typeof setTimeout> | undefined

  const page = computed(() => Math.floor(offset.value / limit.value) + 1)
  const pageCount = computed(() => Math.max(1, Math.ceil(total.value / limit.value)))

  function fetchPage(): Promise<boolean> {
    clearTimeout(timer)
    return list.run(
      () => $fetch(`${ADMIN_API}/organizations`, { query: { q: query.value || undefined, limit: limit.value, offset: offset.value } }),
      (answer) => { organizations.value = answer.organizations; total.value = answer.total },
    )
  }

  /** Searches by name or slug from the first page, once typing pauses. */
  function search(text: string, delayMs = ORG_SEARCH_DEBOUNCE_MS): void {
    query.value = text
    offset.value = 0
    clearTimeout(timer)
    timer = setTimeout(() => { void fetchPage() }, delayMs)
  }

  function goToPage(next: number): Promise<boolean> {
    offset.value = Math.max(0, Math.min(next - 1, pageCount.value - 1)) * limit.value
    return fetchPage()
  }

  /** Shows one organization (or, with null, none) and loads its details. */
  async function select(id: string | null): Promise<boolean> {
    selectedId.value = id
    if (id !== details.value?.organization.id) details.value = null
    if (!id) return true
    return detail.run(() => $fetch(orgPath(id)), (answer) => { if (selectedId.value === id) details.value = answer })
  }

  /** Runs one action, marks `key` busy meanwhile, then reloads the details and the list (member counts, names). */
  async function act(key: string, action: string, request: () => Promise<string | void>): Promise<OrgActionOutcome> {
    busy.value = { ...busy.value, [key]: action }
    try {
      const id = await request()
      await Promise.all([selectedId.value ? select(selectedId.value) : Promise.resolve(true), fetchPage()])
      return id ? { ok: true, id } : { ok: true }
    }
    catch (error) {
      return { ok: false, problem: apiProblem(error) }
    }
    finally {
      const { [key]: _done, ...rest } = busy.value
      busy.value = rest
    }
  }

  const create = (input: { name: string; slug?: string; ownerEmail: string }) => act('create', 'create', async () => {
    const { organization } = await $fetch(`${ADMIN_API}/organizations`, { method: 'POST', body: input })
    selectedId.value = organization.id
    return organization.id
  })
  const rename = (id: string, input: { name?: string; slug?: string }) => act(`org:${id}`, 'rename', async () => {
    await $fetch(orgPath(id), { method: 'PATCH', body: input })
  })
  /** Replaces the whole public metadata (`{{org.public_metadata.*}}`); sessions with the organization active carry it from their next request. */
  const setPublicMetadata = (id: string, metadata: PublicMetadata) => act(`org:${id}`, 'metadata', async () => {
    await $fetch(`${orgPath(id)}/metadata`, { method: 'PUT', body: { publicMetadata: metadata } })
  })
  const remove = (id: string) => act(`org:${id}`, 'delete', async () => {
    await $fetch(orgPath(id), { method: 'DELETE' })
    if (selectedId.value === id) { selectedId.value = null; details.value = null }
  })
  const addMember = (id: string, input: { email: string; role: string }) => act('add-member', 'add', async () => {
    await $fetch(`${orgPath(id)}/members`, { method: 'POST', body: input })
  })
  const changeRole = (id: string, userId: string, role: string) => act(`member:${userId}`, 'role', async () => {
    await $fetch(`${orgPath(id)}/members/${encodeURIComponent(userId)}`, { method: 'PUT', body: { role } })
  })
  const removeMember = (id: string, userId: string) => act(`member:${userId}`, 'remove', async () => {
    await $fetch(`${orgPath(id)}/members/${encodeURIComponent(userId)}`, { method: 'DELETE' })
  })
  const invite = (id: string, input: { email: string; role: string }) => act('invite', 'invite', async () => {
    await $fetch(`${orgPath(id)}/invitations`, { method: 'POST', body: input })
  })
  const revokeInvitation = (id: string, invitationId: string) => act(`invitation:${invitationId}`, 'revoke', async () => {
    await $fetch(`${orgPath(id)}/invitations/${encodeURIComponent(invitationId)}`, { method: 'DELETE' })
  })

  return {
    organizations, total, query, limit, offset, page, pageCount,
    loading: list.loading, loaded: list.loaded, problem: list.problem,
    selectedId, details, detailLoading: detail.loading, detailProblem: detail.problem, busy,
    fetchPage, search, goToPage, select,
    create, rename, setPublicMetadata, remove, addMember, changeRole, removeMember, invite, revokeInvitation,
  }
})
