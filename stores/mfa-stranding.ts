import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { GuardAnswer } from '#guard/app/types/guard-api'
import { ADMIN_API } from './support/api'
import { cloneJson } from './support/json-document'
import { latestRequest } from './support/latest-request'
import type { GuardDocument } from './guard-config'

/**
 * What `POST /admin/mfa/stranded` answers, as its handler does: how many users the draft's
 * strategy switches strand (`newlyStranded`, and `stranded` in all), grouped by the factors they
 * hold, a sample of them, what they will be asked to set up and when, and `summary` to show.
 */
export type StrandingImpact = GuardAnswer<'/api/_guard/admin/mfa/stranded'>

/**
 * The MFA screen's "this change strands N users", asked of the server (one SQL count) for the
 * draft's MFA section before it is saved; only the newest answer is kept.
 *
 * @example
 * const stranding = useMfaStrandingStore()
 * await stranding.check(config.draft!.mfa)
 * stranding.impact?.summary // 'This change strands 1 user (1 whose only factor is Email code). On their next request …'
 */
export const useMfaStrandingStore = defineStore('guard-mfa-stranding', () => {
  const impact = ref<StrandingImpact | null>(null)
  const request = latestRequest()

  async function check(mfa: GuardDocument['mfa']): Promise<void> {
    await request.run(
      () => $fetch(`${ADMIN_API}/mfa/stranded`, { method: 'POST', body: { mfa: cloneJson(mfa) } }),
      (answer) => { impact.value = answer },
    )
  }

  return { impact, loading: request.loading, problem: request.problem, check }
})
