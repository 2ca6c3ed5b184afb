/**
 * Reset codes: the shared one-time codes (core/crypto/one-time-code.ts) under
 * the purpose label `password-reset`, with the reset's lifetime and tries.
 */

/** How long a reset code works: 30 minutes. */
export const RESET_CODE_TTL_SECONDS = 1_800
/** Wrong guesses one reset code survives. */
export const RESET_CODE_MAX_ATTEMPTS = 5
/** The label reset codes are hashed under. */
export const RESET_CODE_PURPOSE = 'password-reset'
