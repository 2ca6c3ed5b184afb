import { defineStore } from 'pinia'
import { ref } from 'vue'

/** A short message the console shows in a toast. */
export interface AdminNotice { id: number; text: string; tone: 'ok' | 'error' }

/**
 * Toasts for the console ("Saved as version 8 — enforced from the next
 * request"); each disappears after `ttlMs`.
 *
 * @example
 * useAdminNoticesStore().show('Roles updated')
 */
export const useAdminNoticesStore = defineStore('admin-notices', () => {
  const notices = ref<AdminNotice[]>([])
  let counter = 0

  function dismiss(id: number): void {
    notices.value = notices.value.filter(notice => notice.id !== id)
  }

  function show(text: string, tone: AdminNotice['tone'] = 'ok', ttlMs = 6_000): void {
    const id = ++counter
    notices.value = [...notices.value.slice(-2), { id, text, tone }]
    setTimeout(() => dismiss(id), ttlMs)
  }

  return { notices, show, dismiss }
})
