import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { GuardAnswer } from '#guard/app/types/guard-api'
import { ADMIN_API } from './support/api'
import { latestRequest } from './support/latest-request'

/** One entry of `GET /admin/audit`, as its handler answers it. */
export type AuditEntry = GuardAnswer<'/api/_guard/admin/audit'>['entries'][number]

/**
 * The audit log, one page at a time, newest first. The API pages with a
 * cursor (`before`); the store remembers the cursor of every page it has
 * shown, so "Newer" goes back exactly where it came from.
 *
 * @example
 * const audit = useAuditStore()
 * await audit.loadFirst()
 * if (audit.hasOlder) await audit.older()
 */
export const useAuditStore = defineStore('guard-admin-audit', () => {
  const entries = ref<AuditEntry[]>([])
  const limit = ref(25)
  /** The `before` cursor of each page shown so far; the last one is the current page's. */
  const cursors = ref<(string | undefined)[]>([undefined])
  const nextBefore = ref<string | null>(null)
  const { loading, loaded, problem, run } = latestRequest()

  const page = computed(() => cursors.value.length)
  const hasOlder = computed(() => nextBefore.value !== null)
  const hasNewer = computed(() => cursors.value.length > 1)

  function fetchAt(before: string | undefined): Promise<boolean> {
    return run(
      () => $fetch(`${ADMIN_API}/audit`, { query: { limit: limit.value, before } }),
      (answer) => {
        entries.value = answer.entries
        nextBefore.value = answer.nextBefore === null || answer.nextBefore === undefined ? null : String(answer.nextBefore)
      },
    )
  }

  async function loadFirst(): Promise<void> {
    cursors.value = [undefined]
    await fetchAt(undefined)
  }

  async function older(): Promise<void> {
    if (nextBefore.value === null) return
    const cursor = nextBefore.value
    if (await fetchAt(cursor)) cursors.value = [...cursors.value, cursor]
  }

  async function newer(): Promise<void> {
    if (cursors.value.length < 2) return
    const previous = cursors.value.slice(0, -1)
    if (await fetchAt(previous[previous.length - 1])) cursors.value = previous
  }

  return { entries, limit, nextBefore, loading, loaded, problem, page, hasOlder, hasNewer, loadFirst, older, newer }
})
