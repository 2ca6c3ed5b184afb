/**
 * When an admin's change to a user (roles, public metadata, factors reset)
 * takes effect: the user's next request on every instance (ClaimsEpochs —
 * each of their sessions gets claims rendered from the new state at its next
 * request). The console shows this; `effectiveWithinSeconds` stays for API
 * clients that read the old field (always 0 now).
 *
 * @example
 * return { ...user, ...USER_CHANGE_EFFECT } // { effective: 'next_request', effectiveWithinSeconds: 0 }
 */
export const USER_CHANGE_EFFECT = Object.freeze({ effective: 'next_request' as const, effectiveWithinSeconds: 0 as const })
