import type { Ref } from 'vue'
import { useState } from '#imports'

/** One floating message (a "toast"). */
export interface Notice {
  id: number
  text: string
  tone: 'info' | 'ok' | 'danger'
}

export interface UseNotices {
  /** The messages on screen, oldest first. */
  notices: Ref<Notice[]>
  /** Shows a message; it disappears after `ttlMs` (0 = stays until dismissed). */
  notify(text: string, tone?: Notice['tone'], ttlMs?: number): number
  dismiss(id: number): void
  /** Removes every message (e.g. on sign-out: what was said to the last user is not for the next). */
  clear(): void
}

let nextId = 1

/**
 * A small toast pattern: any page calls `notify`, and `<ToastHost>` (in
 * app.vue) shows the messages in a polite live region.
 *
 * @example
 * const { notify } = useNotices()
 * notify('Recovery codes copied', 'ok')
 * notify('Could not reach the server; try again.', 'danger', 0)
 */
export function useNotices(): UseNotices {
  const notices = useState<Notice[]>('nuxt-guard:notices', () => [])

  function dismiss(id: number): void {
    notices.value = notices.value.filter(notice => notice.id !== id)
  }
  function notify(text: string, tone: Notice['tone'] = 'info', ttlMs = 4_000): number {
    // The same message twice is shown once, for the later one's full time.
    const id = nextId++
    notices.value = [...notices.value.filter(notice => notice.text !== text).slice(-2), { id, text, tone }]
    if (import.meta.client && ttlMs > 0) setTimeout(() => dismiss(id), ttlMs)
    return id
  }
  return { notices, notify, dismiss, clear: () => { notices.value = [] } }
}
