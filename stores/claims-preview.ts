import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { GuardAnswer } from '#guard/app/types/guard-api'
import { ADMIN_API, fieldIssuesOf, apiProblem, type ApiProblem, type FieldIssue } from './support/api'

/** What `POST /admin/claims/preview` answers, as its handler does. */
export type ClaimsPreview = GuardAnswer<'/api/_guard/admin/claims/preview'>

/** How long the preview waits after the last edit. */
export const PREVIEW_DEBOUNCE_MS = 400

/**
 * The claims a template renders for a real user, computed by the server
 * with the code that mints tokens; debounced while the admin types, and an
 * older answer never replaces a newer one.
 *
 * @example
 * const preview = useClaimsPreviewStore()
 * preview.schedule({ email: '{{user.email}}' }, userId)
 */
export const useClaimsPreviewStore = defineStore('guard-claims-preview', () => {
  const result = ref<ClaimsPreview | null>(null)
  const issues = ref<FieldIssue[]>([])
  const problem = ref<ApiProblem | null>(null)
  const loading = ref(false)
  let run = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  async function render(template: Record<string, unknown>, userId: string): Promise<void> {
    clearTimeout(timer)
    const mine = ++run
    loading.value = true
    try {
      const answer = await $fetch(`${ADMIN_API}/claims/preview`, { method: 'POST', body: { template, userId } })
      if (mine !== run) return
      result.value = answer
      issues.value = []
      problem.value = null
    }
    catch (error) {
      if (mine !== run) return
      problem.value = apiProblem(error)
      issues.value = fieldIssuesOf(problem.value)
    }
    finally {
      if (mine === run) loading.value = false
    }
  }

  function schedule(template: Record<string, unknown>, userId: string, delayMs = PREVIEW_DEBOUNCE_MS): void {
    clearTimeout(timer)
    timer = setTimeout(() => { void render(template, userId) }, delayMs)
  }

  function clear(): void {
    clearTimeout(timer)
    run++
    result.value = null
    issues.value = []
    problem.value = null
    loading.value = false
  }

  return { result, issues, problem, loading, render, schedule, clear }
})
