/** What zxcvbn says of one password. */
export interface StrengthEstimate {
  /** 0 (too guessable) … 4 (very unguessable): guesses < 10^3, 10^6, 10^8, 10^10, ≥ 10^10. */
  score: 0 | 1 | 2 | 3 | 4
  /** log10 of the estimated guesses an attacker needs. */
  guessesLog10: number
  /** Why it is guessable (`This is a commonly used password.`), or null. */
  warning: string | null
  /** What to do instead (`Add more words that are less common.`). */
  suggestions: string[]
}

export type Estimator = (password: string, userInputs: readonly string[]) => StrengthEstimate

/**
 * zxcvbn's settings, shared by the thread and the in-process estimator.
 * Only the first 64 characters are analysed (the length NIST SP 800-63B
 * asks every verifier to accept; what follows could only add guesses, so a
 * cut estimate errs on the cautious side), and leetspeak is
 * tried with at most 5 substitutions (it still sees `P@$$w0rd1!`,
 * `1l0v3y0u!!`, `dr4g0n2024`): together they bound one estimate to tens of
 * milliseconds (with zxcvbn's defaults, 64 random symbols took ~0.5 s and
 * 256 took ~2 s; with 10 substitutions the worst 64 symbols found took ~95 ms, with 5 ~40 ms).
 */
export const STRENGTH_OPTIONS = { maxLength: 64, l33tMaxSubstitutions: 5 } as const

/** The packages the estimator loads: the engine, the common password list and keyboard graphs, English words and messages. */
export const STRENGTH_PACKAGES = { core: '@zxcvbn-ts/core', common: '@zxcvbn-ts/language-common', en: '@zxcvbn-ts/language-en' } as const

/**
 * Loads zxcvbn and its dictionaries into this thread (dynamic imports: only
 * when first needed, ~40 MB of heap) and returns an estimator. The fallback
 * when no estimator thread can start.
 *
 * @example
 * const estimate = await loadEstimatorInProcess()
 * estimate('password1', []).score // 0
 */
export async function loadEstimatorInProcess(): Promise<Estimator> {
  const [{ ZxcvbnFactory }, common, en] = await Promise.all([
    import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en'),
  ])
  const zxcvbn = new ZxcvbnFactory({
    ...STRENGTH_OPTIONS,
    translations: en.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...en.dictionary },
  })
  return (password, userInputs) => {
    const result = zxcvbn.check(password, [...userInputs])
    return { score: result.score as StrengthEstimate['score'], guessesLog10: result.guessesLog10, warning: result.feedback.warning, suggestions: result.feedback.suggestions }
  }
}
