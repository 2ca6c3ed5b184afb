import { computed, ref } from 'vue'
import { useAdminUsersStore, type AdminUser } from '../admin-users'

/**
 * What every per-user dialog of the Users screen shares (disable, delete,
 * public metadata): the native <dialog> element, the user it acts on, the
 * server's refusal, whether a request for that user is running, and
 * opening (after the dialog's own fields are reset by `prepare`) and closing.
 *
 * @example
 * const { dialog, target, refusal, saving, show, close } = useUserDialog()
 * function open(user: AdminUser) { show(user, () => { reason.value = '' }) }
 */
export function useUserDialog() {
  const users = useAdminUsersStore()
  const dialog = ref<HTMLDialogElement | null>(null)
  const target = ref<AdminUser | null>(null)
  const refusal = ref('')
  const saving = computed(() => Boolean(target.value && users.busy[target.value.id]))

  function show(user: AdminUser, prepare?: () => void): void {
    target.value = user
    refusal.value = ''
    prepare?.()
    dialog.value?.showModal()
  }
  function close(): void {
    dialog.value?.close()
    target.value = null
  }

  return { users, dialog, target, refusal, saving, show, close }
}
