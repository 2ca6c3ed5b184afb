import { ref } from 'vue'
import { navigateTo } from '#imports'
import { apiProblem } from '../utils/api-problem'

/** A field message without the server's `field: ` prefix. */
const bare = (text: string) => text.replace(/^\w+: /, '')

/**
 * The state every account form shares (change password, change the address,
 * delete the account) and one reading of the server's refusals: 403
 * `mfa_required` keeps its `mfa_token` as `stepUp` (the page sends the user
 * to confirm it is them and back to `returnTo`), 422 `incorrect_password`
 * goes under `currentPassword`, field errors under their fields (renamed by
 * `fieldNames`, e.g. `password` → `newPassword`), anything else to `problem`.
 *
 * @example
 * const form = useAccountForm('/account/security#change-password', { password: 'newPassword' })
 * await form.run(() => $fetch('/api/_guard/account/password', { method: 'PUT', body }))
 * // form.fieldErrors.value → { newPassword: 'This is a commonly used password. …' }
 */
export function useAccountForm(returnTo: string | (() => string), fieldNames: Record<string, string> = {}) {
  const pending = ref(false)
  const problem = ref('')
  const fieldErrors = ref<Record<string, string>>({})
  /** A step-up token from a 403 `mfa_required`: the user confirms it is them, then comes back. */
  const stepUp = ref<string | null>(null)

  function clear(): void {
    problem.value = ''
    fieldErrors.value = {}
    stepUp.value = null
  }

  /** Reads a refusal into the form's state. */
  function read(error: unknown): void {
    const found = apiProblem(error)
    const rename = (key: string) => fieldNames[key] ?? key
    const fields = found.data.fields
    if (found.code === 'mfa_required' && typeof found.data.mfa_token === 'string') stepUp.value = found.data.mfa_token
    else if (found.code === 'incorrect_password') fieldErrors.value = { currentPassword: found.description }
    else if (fields && typeof fields === 'object') fieldErrors.value = Object.fromEntries(Object.entries(fields as Record<string, string>).map(([key, text]) => [rename(key), bare(text)]))
    else if (typeof found.data.field === 'string') fieldErrors.value = { [rename(found.data.field)]: bare(found.description) }
    else problem.value = found.description
  }

  /** Runs one request of the form: clears, marks pending, reads a refusal; resolves to whether it succeeded. */
  async function run(work: () => Promise<unknown>): Promise<boolean> {
    clear()
    pending.value = true
    try {
      await work()
      return true
    }
    catch (error) {
      read(error)
      return false
    }
    finally { pending.value = false }
  }

  /** Goes to confirm the second factor with the step-up token, and comes back to `returnTo`. */
  function confirmItsYou() {
    const redirect = typeof returnTo === 'function' ? returnTo() : returnTo
    return navigateTo({ path: '/mfa-challenge', query: { redirect_url: redirect, mfa_token: stepUp.value ?? undefined } })
  }

  return { pending, problem, fieldErrors, stepUp, clear, read, run, confirmItsYou }
}
