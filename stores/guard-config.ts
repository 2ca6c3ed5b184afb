import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { GuardConfig } from '#guard/core/config/schema'
import type { SaveEffect } from '#guard/core/admin/effect'
import type { GuardAnswer } from '#guard/app/types/guard-api'
import { ADMIN_API, fieldIssuesOf, issuesUnder, apiProblem, type ApiProblem, type FieldIssue } from './support/api'
import { cloneJson, mergeOnto, sameJson, type JsonObject } from './support/json-document'

/** The live config document as the console edits it (the server assigns `version`). */
export type GuardDocument = Omit<GuardConfig, 'version'>

/** What `GET /admin/config` answers, as its handler does: the live version, its document (read with documentOf), who saved it and when. */
export type ConfigVersion = GuardAnswer<'/api/_guard/admin/config', 'get'>

/** What a save answers about when it takes effect (the server's describeSaveEffect). */
export type { SaveEffect }

/** Someone saved while this admin was editing: what the 409 said. */
export interface StaleConflict { currentVersion: number; current: GuardDocument }

/** How a save ended; `effect.summary` is the message to show (it says when the save takes effect). */
export type SaveOutcome =
  | { ok: true; version: number; effect?: SaveEffect }
  | { ok: false; reason: 'stale' | 'invalid' | 'unsafe' | 'error' | 'nothing' }

/** The document without the server-assigned `version`, copied. */
function documentOf(value: unknown): GuardDocument {
  const { version: _version, ...rest } = (value ?? {}) as GuardConfig
  return cloneJson(rest) as GuardDocument
}

/** A 409 body's `current` may be the document or a whole `{ version, document }`. */
function conflictOf(problem: ApiProblem): StaleConflict {
  const current = problem.data.current as { version?: number; document?: unknown } | undefined
  const version = Number(problem.data.currentVersion ?? current?.version)
  const document = current && typeof current === 'object' && 'document' in current ? current.document : current
  return { currentVersion: version, current: documentOf(document) }
}

/**
 * The config document being edited in the console: what was loaded (and at
 * which version), the draft, whether it differs, and the save with its 409
 * (stale version) and 422 (invalid or unsafe) outcomes.
 *
 * @example
 * const config = useGuardConfigStore()
 * await config.load()
 * config.draft!.mfa.enforce = 'all'
 * const outcome = await config.save() // { ok: true, version: 8 } or { ok: false, reason: 'stale' }
 */
export const useGuardConfigStore = defineStore('guard-config', () => {
  const version = ref<number | null>(null)
  const document = ref<GuardDocument | null>(null)
  const draft = ref<GuardDocument | null>(null)
  const createdAt = ref<string | null>(null)
  const loading = ref(false)
  const loadProblem = ref<ApiProblem | null>(null)
  const saving = ref(false)
  /** Why the last save (or import) was refused, if it was. */
  const saveProblem = ref<ApiProblem | null>(null)
  /** Field errors of the last refused save (422). */
  const saveIssues = ref<FieldIssue[]>([])
  const conflict = ref<StaleConflict | null>(null)
  /** Why the last import was refused (kept apart from the draft's save errors). */
  const importProblem = ref<ApiProblem | null>(null)
  const importIssues = ref<FieldIssue[]>([])
  /** Field errors of the draft as `POST /admin/config/validate` saw it. */
  const validationIssues = ref<FieldIssue[]>([])
  const validating = ref(false)
  /** Reasons a screen gives for not saving yet (`claims-json` → 'The template is not valid JSON …'). */
  const blockers = ref<Record<string, string>>({})
  /** Counts discards, so a screen holding text the draft cannot (invalid JSON) knows to rewrite it. */
  const discards = ref(0)
  let validationTimer: ReturnType<typeof setTimeout> | undefined
  let validationRun = 0

  const loaded = computed(() => version.value !== null && draft.value !== null)
  const dirty = computed(() => Boolean(draft.value && document.value && !sameJson(draft.value, document.value)))
  /** An edit not saved yet: a changed draft, or text a screen holds back because it does not parse. */
  const hasEdits = computed(() => dirty.value || Object.keys(blockers.value).length > 0)
  const issues = computed(() => {
    const seen = new Set<string>()
    return [...saveIssues.value, ...validationIssues.value].filter((issue) => {
      const key = `${issue.path}\n${issue.message}`
      return seen.has(key) ? false : (seen.add(key), true)
    })
  })

  /** Takes a version the server answered (loaded, saved, rolled back to, or someone else's after a 409) as the one being edited. */
  function adopt(answer: { version: number; document: unknown; createdAt?: string }): void {
    version.value = answer.version
    document.value = documentOf(answer.document)
    draft.value = documentOf(answer.document)
    createdAt.value = answer.createdAt ?? null
    conflict.value = null
    saveIssues.value = []
    saveProblem.value = null
    validationIssues.value = []
  }

  async function load(): Promise<boolean> {
    loading.value = true
    loadProblem.value = null
    try {
      adopt(await $fetch(`${ADMIN_API}/config`))
      return true
    }
    catch (error) {
      loadProblem.value = apiProblem(error)
      return false
    }
    finally {
      loading.value = false
    }
  }

  /** Sends the document to a save-like endpoint (PUT config, POST config/import) and reads the outcome. */
  async function send(path: 'config' | 'config/import', sent: GuardDocument): Promise<SaveOutcome> {
    saving.value = true
    saveProblem.value = null
    saveIssues.value = []
    try {
      const body = { version: version.value, document: sent }
      const answer = path === 'config'
        ? await $fetch(`${ADMIN_API}/config`, { method: 'PUT', body })
        : await $fetch(`${ADMIN_API}/config/import`, { method: 'POST', body })
      adopt(answer)
      return { ok: true, version: answer.version, effect: answer.effect }
    }
    catch (error) {
      const problem = apiProblem(error)
      saveProblem.value = problem
      if (problem.status === 409) {
        conflict.value = conflictOf(problem)
        return { ok: false, reason: 'stale' }
      }
      if (problem.status === 422) {
        saveIssues.value = fieldIssuesOf(problem)
        return { ok: false, reason: problem.code === 'unsafe_config' ? 'unsafe' : 'invalid' }
      }
      return { ok: false, reason: 'error' }
    }
    finally {
      saving.value = false
    }
  }

  /** Saves the draft as the version it was loaded at. */
  async function save(): Promise<SaveOutcome> {
    if (!draft.value || version.value === null) return { ok: false, reason: 'nothing' }
    return send('config', cloneJson(draft.value))
  }

  /**
   * Imports a whole document (from a file) over the current version. A refusal
   * lands in `importProblem` / `importIssues`, never in the draft's save state;
   * a stale version is no conflict to merge (the file is not an edit): import again.
   */
  async function importDocument(imported: unknown): Promise<SaveOutcome> {
    if (version.value === null) return { ok: false, reason: 'nothing' }
    importProblem.value = null
    importIssues.value = []
    const outcome = await send('config/import', documentOf(imported))
    if (!outcome.ok) {
      importProblem.value = saveProblem.value
      importIssues.value = saveIssues.value
      saveProblem.value = null
      saveIssues.value = []
      conflict.value = null
    }
    return outcome
  }

  /** After a 409: drop my edits and take the version someone else saved. */
  function reloadTheirs(): void {
    if (!conflict.value) return
    adopt({ version: conflict.value.currentVersion, document: conflict.value.current })
  }

  /** After a 409: put my edits on top of their version and save again, naming their version. */
  async function reapply(): Promise<SaveOutcome> {
    if (!conflict.value || !draft.value || !document.value) return { ok: false, reason: 'nothing' }
    const { currentVersion, current } = conflict.value
    const merged = mergeOnto(document.value as unknown as JsonObject, draft.value as unknown as JsonObject, current as unknown as JsonObject)
    version.value = currentVersion
    document.value = cloneJson(current)
    draft.value = merged as unknown as GuardDocument
    conflict.value = null
    return save()
  }

  /** Throws the draft away (and any text held back by a blocker) and starts again from the loaded version. */
  function discard(): void {
    if (document.value) draft.value = cloneJson(document.value)
    discards.value++
    saveIssues.value = []
    saveProblem.value = null
    validationIssues.value = []
  }

  /** Asks the server to check the draft (saves nothing). */
  async function validateDraft(): Promise<void> {
    if (!draft.value) return
    const run = ++validationRun
    validating.value = true
    try {
      const answer = await $fetch(`${ADMIN_API}/config/validate`, { method: 'POST', body: { document: cloneJson(draft.value) } })
      if (run === validationRun) validationIssues.value = answer.fields ?? []
    }
    catch (error) {
      if (run === validationRun) validationIssues.value = fieldIssuesOf(apiProblem(error))
    }
    finally {
      if (run === validationRun) validating.value = false
    }
  }

  /** Validates the draft once the admin stops typing for `delayMs`. */
  function scheduleValidation(delayMs = 400): void {
    clearTimeout(validationTimer)
    validationTimer = setTimeout(() => { void validateDraft() }, delayMs)
  }

  /** Records (or clears, with `null`) a reason the draft must not be saved yet. */
  function setBlocker(key: string, reason: string | null): void {
    const { [key]: _old, ...rest } = blockers.value
    blockers.value = reason ? { ...rest, [key]: reason } : rest
  }

  return {
    blockers, setBlocker, hasEdits, discards,
    version, document, draft, createdAt, loading, loadProblem, saving, saveProblem, saveIssues, conflict,
    validationIssues, validating, loaded, dirty, issues, importProblem, importIssues,
    issuesAt: (prefix: string) => issuesUnder(issues.value, prefix),
    adopt, load, save, importDocument, reloadTheirs, reapply, discard, validateDraft, scheduleValidation,
  }
})
