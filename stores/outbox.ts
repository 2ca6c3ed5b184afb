import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { GuardAnswer } from '#guard/app/types/guard-api'
import { ADMIN_API } from './support/api'
import { latestRequest } from './support/latest-request'

/** One message of `GET /admin/outbox`: mail the default transport kept instead of sending. */
export type OutboxMessage = GuardAnswer<'/api/_guard/admin/outbox'>['messages'][number]

/** The server answers at most this many messages per request. */
export const OUTBOX_MAX_LIMIT = 200

/**
 * The one-time code a message carries (the first standalone run of 6–8
 * digits), so the console can show it large; `null` when there is none.
 *
 * @example
 * oneTimeCodeOf('Your verification code is 042117. It expires in 10 minutes.') // → '042117'
 */
export function oneTimeCodeOf(text: string): string | null {
  return /(?<![\d-])\d{6,8}(?![\d-])/.exec(text)?.[0] ?? null
}

/** Newest first: by time, then by id (two codes sent in the same millisecond keep their order). */
function newestFirst(a: OutboxMessage, b: OutboxMessage): number {
  return Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id
}

/**
 * The email outbox: what the default mail transport wrote instead of sending
 * (email one-time codes when NUXT_GUARD_SMTP_URL is not set), newest first.
 *
 * @example
 * const outbox = useOutboxStore()
 * await outbox.load()
 * outbox.messages[0]?.subject // 'Your verification code: 042117'
 * if (outbox.canShowMore) await outbox.showMore()
 */
export const useOutboxStore = defineStore('guard-admin-outbox', () => {
  const messages = ref<OutboxMessage[]>([])
  const limit = ref(50)
  const { loading, loaded, problem, run } = latestRequest()
  /** When the list shown was fetched (ISO), for "updated …". */
  const loadedAt = ref<string | null>(null)

  /** A full page came back: older messages may exist beyond it. */
  const canShowMore = computed(() => messages.value.length >= limit.value && limit.value < OUTBOX_MAX_LIMIT)

  /** Fetches the newest `limit` messages; an answer to an older request never overwrites a newer one. */
  function load(): Promise<boolean> {
    return run(
      () => $fetch(`${ADMIN_API}/outbox`, { query: { limit: limit.value } }),
      (answer) => {
        messages.value = [...(answer.messages ?? [])].sort(newestFirst)
        loadedAt.value = new Date().toISOString()
      },
    )
  }

  /** Shows older messages too (up to what the server allows in one answer). */
  async function showMore(): Promise<boolean> {
    if (!canShowMore.value) return false
    const previous = limit.value
    limit.value = Math.min(OUTBOX_MAX_LIMIT, previous * 2)
    const ok = await load()
    if (!ok && problem.value) limit.value = previous
    return ok
  }

  return { messages, limit, loading, loaded, problem, loadedAt, canShowMore, load, showMore }
})
