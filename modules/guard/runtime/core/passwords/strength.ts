import { StrengthThread } from './strength-thread'
import { loadEstimatorInProcess, type Estimator, type StrengthEstimate } from './estimator'

export type { StrengthEstimate } from './estimator'

const thread = new StrengthThread()
let inProcess: Promise<Estimator> | undefined
let threadUsable = true

/**
 * Where estimates are made: `idle` until the first one, then `thread` (a
 * worker thread below normal priority) or `in-process` (no thread could load
 * zxcvbn, e.g. a runtime without worker threads).
 */
export function strengthEstimatorState(): 'idle' | 'thread' | 'in-process' {
  if (!threadUsable) return 'in-process'
  return thread.started ? 'thread' : 'idle'
}

/**
 * Estimates how guessable a password is with zxcvbn-ts (its common-password
 * list, English words, names, keyboard patterns, dates, repeats, leetspeak,
 * and `userInputs`: words an attacker would try first for this account).
 * The dictionaries are loaded on the first call (~0.3 s), on a worker thread
 * below normal priority, so neither the server's start nor its event loop
 * pays for them; later calls take milliseconds there. A thread that stops is
 * replaced once per call; when no worker thread can load zxcvbn at all,
 * estimates are made on this thread from then on.
 *
 * @example
 * const { score, warning } = await estimateStrength('qwertyuiop', ['ada@example.com', 'ada'])
 * // score 0, warning 'This is a frequently used password.'
 */
export async function estimateStrength(password: string, userInputs: readonly string[] = []): Promise<StrengthEstimate> {
  for (let attempt = 0; threadUsable && attempt < 2; attempt++) {
    try {
      return await thread.estimate(password, userInputs)
    }
    catch (error) {
      // A thread that never answered cannot load zxcvbn here: estimate in process from now on.
      if (!thread.answered) {
        threadUsable = false
        console.warn(`[nuxt-guard] password strength is estimated on the main thread: no worker thread could load zxcvbn (${error instanceof Error ? error.message : String(error)})`)
      }
    }
  }
  const estimator = await (inProcess ??= loadEstimatorInProcess())
  return estimator(password, userInputs)
}
