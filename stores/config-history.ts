import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ADMIN_API, problemOf, type ApiProblem } from './support/api'
import type { JsonChange } from './support/json-document'
import { useGuardConfigStore, type ConfigVersion, type SaveEffect } from './guard-config'

/** One row of `GET /admin/config/history`. */
export interface ConfigVersionSummary { version: number; createdAt: string; createdBy: string | null; createdByEmail: string | null; note: string | null }

/** What `GET /admin/config/diff` answers. */
export interface ConfigDiff { from: number; to: number; changes: JsonChange[] }

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
export const useConfigHistoryStore = defineStore('config-history', () => {
  const versions = ref<ConfigVersionSummary[]>([])
  const loading = ref(false)
  const loaded = ref(false)
  const problem = ref<ApiProblem | null>(null)
  const diff = ref<ConfigDiff | null>(null)
  const diffLoading = ref(false)
  const diffProblem = ref<ApiProblem | null>(null)
  const rollingBack = ref<number | null>(null)
  /** One stored version opened for reading. */
  const viewed = ref<ConfigVersion | null>(null)
  const viewProblem = ref<ApiProblem | null>(null)
  let diffRun = 0

  async function load(): Promise<void> {
    loading.value = true
    problem.value = null
    try {
      versions.value = (await $fetch<{ versions: ConfigVersionSummary[] }>(`${ADMIN_API}/config/history`)).versions
      loaded.value = true
    }
    catch (error) {
      problem.value = problemOf(error)
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
      const answer = await $fetch<ConfigDiff>(`${ADMIN_API}/config/diff`, { query: { from, to } })
      if (mine === diffRun) diff.value = answer
    }
    catch (error) {
      if (mine === diffRun) diffProblem.value = problemOf(error)
    }
    finally {
      if (mine === diffRun) diffLoading.value = false
    }
  }

  /** Opens one stored version's document. */
  async function view(target: number): Promise<void> {
    viewProblem.value = null
    try {
      viewed.value = await $fetch<ConfigVersion>(`${ADMIN_API}/config/versions/${target}`)
    }
    catch (error) {
      viewProblem.value = problemOf(error)
    }
  }

  /** Makes `target`'s content live again as a new version; the editor adopts it. */
  async function rollback(target: number): Promise<{ ok: true; version: number; effect?: SaveEffect } | { ok: false; problem: ApiProblem }> {
    const config = useGuardConfigStore()
    rollingBack.value = target
    try {
      const answer = await $fetch<ConfigVersion & { effect?: SaveEffect }>(`${ADMIN_API}/config/rollback`, { method: 'POST', body: { version: target, expectedVersion: config.version } })
      config.adopt(answer)
      await load()
      return { ok: true, version: answer.version, effect: answer.effect }
    }
    catch (error) {
      return { ok: false, problem: problemOf(error) }
    }
    finally {
      rollingBack.value = null
    }
  }

  return { versions, loading, loaded, problem, diff, diffLoading, diffProblem, rollingBack, viewed, viewProblem, load, compare, rollback, view, close: () => { viewed.value = null } }
})
