import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { GuardAnswer } from '#guard/app/types/guard-api'
import { ADMIN_API, apiProblem, type ApiProblem } from './support/api'
import { latestRequest } from './support/latest-request'

/** One pending invitation of `GET /admin/invitations`, as its handler answers it. */
export type PendingInvitation = GuardAnswer<'/api/_guard/admin/invitations', 'get'>['invitations'][number]

/** The result of inviting or revoking: done (with how many earlier links were replaced), or why not. */
export type InvitationOutcome = { ok: true; replaced?: number } | { ok: false; problem: ApiProblem }

/**
 * The console's pending invitations: the list (newest first), inviting an
 * address by email and revoking a link. An invitation leaves the list once
 * accepted, revoked or expired.
 *
 * @example
 * const invitations = useAdminInvitationsStore()
 * await invitations.load()
 * await invitations.invite({ email: 'ada@example.com', roles: ['member'] }) // { ok: true, replaced: 0 }
 */
export const useAdminInvitationsStore = defineStore('guard-admin-invitations', () => {
  const invitations = ref<PendingInvitation[]>([])
  const { loading, loaded, problem, run } = latestRequest()
  /** `invitationId → true` while its revocation is in flight. */
  const busy = ref<Record<string, boolean>>({})

  function load(): Promise<boolean> {
    return run(() => $fetch(`${ADMIN_API}/invitations`), (answer) => { invitations.value = answer.invitations })
  }

  async function invite(input: { email: string; roles: string[] }): Promise<InvitationOutcome> {
    try {
      const answer = await $fetch(`${ADMIN_API}/invitations`, { method: 'POST', body: input })
      await load()
      return { ok: true, replaced: answer.replaced }
    }
    catch (error) {
      return { ok: false, problem: apiProblem(error) }
    }
  }

  async function revoke(id: string): Promise<InvitationOutcome> {
    busy.value = { ...busy.value, [id]: true }
    try {
      await $fetch(`${ADMIN_API}/invitations/${encodeURIComponent(id)}`, { method: 'DELETE' })
      invitations.value = invitations.value.filter(invitation => invitation.id !== id)
      return { ok: true }
    }
    catch (error) {
      const outcome = { ok: false as const, problem: apiProblem(error) }
      if (outcome.problem.code === 'invitation_not_found') invitations.value = invitations.value.filter(invitation => invitation.id !== id)
      return outcome
    }
    finally {
      const { [id]: _done, ...rest } = busy.value
      busy.value = rest
    }
  }

  return { invitations, loading, loaded, problem, busy, load, invite, revoke }
})
