import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { GuardAnswer } from '#guard/app/types/guard-api'
import { ADMIN_API, apiProblem, type ApiProblem } from './support/api'
import { useGuardConfigStore, type SaveEffect } from './guard-config'

/** One row of `GET /admin/config/history`, as its handler answers it. */
export type ConfigVersionSummary = GuardAnswer<'/api/_guard/admin/config/history'>['versions'][number]

/** What `GET /admin/config/diff` answers, as its handler does. */
export type ConfigDiff = GuardAnswer<'/api/_guard/admin/config/diff'>

/** One stored version as `GET /admin/config/versions/:version` answers it (with its note). */
export type StoredConfigVersion = GuardAnswer<'/api/_guard/admin/config/versions/:version'>

/**
 * Saved versions of the config: the list, a diff between any two, and
 * rollback (which saves a new version with the old content, naming the
 * version the console is at, so a concurrent save still gets 409).
 *
 * @example
 * const history = useConfigHistoryStore()
 * await history.load()
 * await history.compare(3, 7)
 * await history.rollback(3)
 */
export const useConfigHistoryStore = defineStore('guard-config-history', () => {
  const versions = ref<ConfigVersionSummary[]>([])
  const loading = ref(false)
  const loaded = ref(false)
  const problem = ref<ApiProblem | null>(null)
  const diff = ref<ConfigDiff | null>(null)
  const diffLoading = ref(false)
  const diffProblem = ref<ApiProblem | null>(null)
  const rollingBack = ref<number | null>(null)
  /** One stored version opened for reading. */
  const viewed = ref<StoredConfigVersion | null>(null)
  const viewProblem = ref<ApiProblem | null>(null)
  let diffRun = 0

  async function load(): Promise<void> {
    loading.value = true
    problem.value = null
    try {
      versions.value = (await $fetch(`${ADMIN_API}/config/history`)).versions
      loaded.value = true
    }
    catch (error) {
      problem.value = apiProblem(error)
    }
    finally {
      loading.value = false
    }
  }

  async function compare(from: number, to: number): Promise<void> {
    const mine = ++diffRun
    diffLoading.value = true
    diffProblem.value = null
    try {
      const answer = await $fetch(`${ADMIN_API}/config/diff`, { query: { from, to } })
      if (mine === diffRun) diff.value = answer
    }
    catch (error) {
      if (mine === diffRun) diffProblem.value = apiProblem(error)
    }
    finally {
      if (mine === diffRun) diffLoading.value = false
    }
  }

  /** Opens one stored version's document. */
  async function view(target: number): Promise<void> {
    viewProblem.value = null
    try {
      viewed.value = await $fetch(`${ADMIN_API}/config/versions/${target}`)
    }
    catch (error) {
      viewProblem.value = apiProblem(error)
    }
  }

  /** Makes `target`'s content live again as a new version; the editor adopts it. */
  async function rollback(target: number): Promise<{ ok: true; version: number; effect?: SaveEffect } | { ok: false; problem: ApiProblem }> {
    const config = useGuardConfigStore()
    rollingBack.value = target
    try {
      const answer = await $fetch(`${ADMIN_API}/config/rollback`, { method: 'POST', body: { version: target, expectedVersion: config.version } })
      config.adopt(answer)
      await load()
      return { ok: true, version: answer.version, effect: answer.effect }
    }
    catch (error) {
      return { ok: false, problem: apiProblem(error) }
    }
    finally {
      rollingBack.value = null
    }
  }

  return { versions, loading, loaded, problem, diff, diffLoading, diffProblem, rollingBack, viewed, viewProblem, load, compare, rollback, view, close: () => { viewed.value = null } }
})
