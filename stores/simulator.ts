import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { GuardAnswer } from '#guard/app/types/guard-api'
import { ADMIN_API, apiProblem, type ApiProblem } from './support/api'
import { cloneJson } from './support/json-document'
import { useGuardConfigStore } from './guard-config'

/** The question put to the simulator. */
export interface SimulationQuestion {
  method: string
  path: string
  userId: string | null
  mfa: boolean
  against: 'live' | 'draft'
  /** The simulated session's active organization: one of the user's (listed in the verdict's `user.organizations`), or null. */
  organizationId?: string | null
}

/**
 * What `POST /admin/simulate` answers, as its handler does: the verdict, the matched rules, the
 * readings, `factors` on INVALID_CLAIMS / mfa_required, and the user as the next token would
 * describe them (roles from the database).
 */
export type SimulationVerdict = GuardAnswer<'/api/_guard/admin/simulate'>

/**
 * The "why?" simulator: how the guard would judge a request, for a chosen
 * user (or anonymous), against the live config or the unsaved draft.
 *
 * @example
 * const simulator = useSimulatorStore()
 * simulator.question.path = '/reports'
 * await simulator.run()
 * simulator.verdict?.reason
 */
export const useSimulatorStore = defineStore('guard-simulator', () => {
  const question = ref<SimulationQuestion>({ method: 'GET', path: '/', userId: null, mfa: false, against: 'live', organizationId: null })
  const verdict = ref<SimulationVerdict | null>(null)
  const asked = ref<SimulationQuestion | null>(null)
  const problem = ref<ApiProblem | null>(null)
  const loading = ref(false)

  async function run(): Promise<void> {
    const config = useGuardConfigStore()
    const sent = cloneJson(question.value)
    loading.value = true
    problem.value = null
    try {
      verdict.value = await $fetch(`${ADMIN_API}/simulate`, {
        method: 'POST',
        body: {
          method: sent.method,
          path: sent.path,
          userId: sent.userId ?? undefined,
          mfa: sent.userId ? sent.mfa : undefined,
          organizationId: sent.userId && sent.organizationId ? sent.organizationId : undefined,
          draft: sent.against === 'draft' && config.draft ? cloneJson(config.draft) : undefined,
        },
      })
      asked.value = sent
    }
    catch (error) {
      problem.value = apiProblem(error)
      verdict.value = null
    }
    finally {
      loading.value = false
    }
  }

  return { question, verdict, asked, problem, loading, run }
})
