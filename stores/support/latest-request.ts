import { ref, type Ref } from 'vue'
import { apiProblem, type ApiProblem } from './api'

/** What a store exposes about its one kind of request. */
export interface LatestRequest {
  loading: Ref<boolean>
  /** Set once any request has succeeded. */
  loaded: Ref<boolean>
  problem: Ref<ApiProblem | null>
  /**
   * Runs `request`; only the newest call's answer is applied (a slow older
   * answer never overwrites a newer one). Resolves `true` when applied.
   */
  run<T>(request: () => Promise<T>, apply: (answer: T) => void): Promise<boolean>
}

/**
 * Loading, error and "latest answer wins" state for a store that re-reads one
 * list (the audit log, the outbox): what was shown stays while a refresh fails.
 *
 * @example
 * const request = latestRequest()
 * await request.run(() => $fetch('/api/_guard/admin/outbox'), (answer) => { messages.value = answer.messages })
 */
export function latestRequest(): LatestRequest {
  const loading = ref(false)
  const loaded = ref(false)
  const problem = ref<ApiProblem | null>(null)
  let latest = 0

  async function run<T>(request: () => Promise<T>, apply: (answer: T) => void): Promise<boolean> {
    const mine = ++latest
    loading.value = true
    problem.value = null
    try {
      const answer = await request()
      if (mine !== latest) return false
      apply(answer)
      loaded.value = true
      return true
    }
    catch (error) {
      if (mine === latest) problem.value = apiProblem(error)
      return false
    }
    finally {
      if (mine === latest) loading.value = false
    }
  }
  return { loading, loaded, problem, run }
}
