import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { GuardAnswer } from '#guard/app/types/guard-api'
import { ADMIN_API, apiProblem, type ApiProblem } from './support/api'

/** What `GET /admin/meta` answers, as its handler does. */
export type AdminMeta = GuardAnswer<'/api/_guard/admin/meta'>

/** One `{{ … }}` shortcode the claims template may use. */
export type ShortcodeEntry = AdminMeta['shortcodes'][number]

/**
 * Facts about the server the editors need (shortcodes, reserved claims, the
 * claims size limit, factor ids), loaded once per visit.
 *
 * @example
 * const meta = useAdminMetaStore()
 * await meta.ensure()
 * meta.data?.shortcodes
 */
export const useAdminMetaStore = defineStore('guard-admin-meta', () => {
  const data = ref<AdminMeta | null>(null)
  const loading = ref(false)
  const problem = ref<ApiProblem | null>(null)

  async function ensure(): Promise<void> {
    if (data.value || loading.value) return
    loading.value = true
    problem.value = null
    try {
      data.value = await $fetch(`${ADMIN_API}/meta`)
    }
    catch (error) {
      problem.value = apiProblem(error)
    }
    finally {
      loading.value = false
    }
  }

  return { data, loading, problem, ensure }
})
