import { computed, onBeforeUnmount, ref } from 'vue'
import { apiProblem } from '../utils/api-problem'
import { useMfaApi, type ChallengeAnswer, type ChallengeResult } from './useMfaApi'

export interface MfaChallengeOptions {
  /** The step-up token from the page's `mfa_token` query, if any. */
  mfaToken?: string
  /** Where to go afterwards (the server checks it again). */
  redirectUrl?: string
}

function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`
  const minutes = Math.ceil(seconds / 60)
  return `${minutes} minute${minutes === 1 ? '' : 's'}`
}

/**
 * Submits second-factor answers to POST /api/_guard/mfa/challenge and turns
 * every refusal into a message a person can act on: the attempts left after
 * a wrong code, a live countdown during a 429 lockout, an expired step-up.
 *
 * @example
 * const challenge = useMfaChallenge({ mfaToken: route.query.mfa_token, redirectUrl: '/billing' })
 * const result = await challenge.submit({ factor: 'totp', code: '123456' })
 * if (result) await navigateTo(result.redirectTo)
 * // challenge.problem.value → 'That code is not right. 4 attempts left.'
 * // challenge.lockoutText.value → 'Too many attempts — try again in 15 minutes'
 */
export function useMfaChallenge(options: MfaChallengeOptions) {
  const mfa = useMfaApi()
  const pending = ref(false)
  const problem = ref('')
  /**
   * Why the step-up token cannot be used any more: `expired`, `invalid`,
   * `used` (404 `mfa_token_not_found`: its session ended or the step-up was
   * already done) or `signed_out`.
   */
  const tokenProblem = ref<'' | 'expired' | 'invalid' | 'used' | 'signed_out'>('')
  const lockedSeconds = ref(0)
  let timer: ReturnType<typeof setInterval> | undefined

  function lockFor(seconds: number): void {
    lockedSeconds.value = Math.max(1, Math.ceil(seconds))
    clearInterval(timer)
    timer = setInterval(() => {
      lockedSeconds.value -= 1
      if (lockedSeconds.value <= 0) { clearInterval(timer); lockedSeconds.value = 0; problem.value = '' }
    }, 1_000)
  }
  onBeforeUnmount(() => clearInterval(timer))

  /** The server ended this sign-in after too many wrong answers: only signing in again goes on. */
  const sessionEnded = ref(false)
  const lockoutText = computed(() => lockedSeconds.value <= 0
    ? ''
    : `Too many attempts — try again in ${waitText(lockedSeconds.value)}.${sessionEnded.value ? ' This sign-in has ended: sign in again to continue.' : ''}`)

  /** Resolves to the server's answer (`redirectTo`, `satisfied`), or `null` after a refusal (see `problem`). */
  async function submit(answer: Omit<ChallengeAnswer, 'mfaToken' | 'redirect_url'>): Promise<ChallengeResult | null> {
    if (lockedSeconds.value > 0) return null
    pending.value = true
    problem.value = ''
    try {
      const result = await mfa.challenge({ ...answer, mfaToken: options.mfaToken || undefined, redirect_url: options.redirectUrl })
      return { ...result, redirectTo: result.redirectTo ?? options.redirectUrl ?? '/' }
    }
    catch (error) {
      const found = apiProblem(error)
      const left = Number(found.data.attemptsRemaining)
      if (found.status === 429) {
        sessionEnded.value = found.data.sessionEnded === true
        lockFor(Number(found.data.retryAfterSeconds) || 60)
      }
      else if (found.code === 'invalid_code') {
        problem.value = !Number.isFinite(left)
          ? 'That code is not right. Check it and try again.'
          : left > 0
            ? `That code is not right. ${left} attempt${left === 1 ? '' : 's'} left before a pause.`
            : 'That code is not right, and that was the last try for now. Wait a few minutes, or use another method.'
      }
      else if (found.code === 'mfa_token_expired') tokenProblem.value = 'expired'
      else if (found.code === 'mfa_token_invalid') tokenProblem.value = 'invalid'
      else if (found.code === 'mfa_token_not_found') tokenProblem.value = 'used'
      else if (found.status === 401) tokenProblem.value = 'signed_out'
      else problem.value = found.description
      return null
    }
    finally { pending.value = false }
  }

  return { pending, problem, tokenProblem, lockedSeconds, lockoutText, sessionEnded, submit, lockFor }
}
