import { z } from 'zod'
import { FACTOR_IDS } from '#guard/core/config/schema'
import { completeChallenge } from '#guard/core/mfa/challenge'
import { checkMfaRequirements } from '#guard/core/mfa/requirements'
import { strandedBy } from '#guard/core/mfa/stranded'
import { pageWithReturnPath } from '#guard/core/policy/denial'
import { safeRedirectPath } from '#guard/core/policy/redirect'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'
import { adoptIssuedToken } from '#guard/server/utils/mfa-request'
import { webauthnChallengeVerifier } from '#guard/server/utils/mfa-webauthn'
import { rememberThisDevice } from '#guard/server/utils/mfa-device'
import { rememberKnownDevice } from '#guard/server/utils/known-device'
import { requestOptions } from '#guard/server/utils/request-options'

const body = z.object({
  factor: z.enum(FACTOR_IDS),
  code: z.string().trim().max(64).optional(),
  response: z.unknown().optional(),
  mfaToken: z.string().max(4_096).optional(),
  rememberDevice: z.boolean().optional(),
  redirect_url: z.string().max(2_048).optional(),
})

/**
 * POST /api/_guard/mfa/challenge `{ factor, code?, response?, mfaToken?, rememberDevice?, redirect_url? }`:
 * completes a second factor for this session (step-up included) and reissues
 * the session cookie → `{ completed, redirectTo, satisfied, next? }`. For a
 * stranded user (every factor switched off) a switched-off factor or a
 * recovery code only proves it is them: `next: 'enroll'`, `satisfied: false`
 * and `redirectTo` is the enrollment page (then back to `redirect_url`).
 */
export default defineAccountHandler(async (event, { guard, userId, sessionId, body: input }) => {
  const issued = await completeChallenge(guard.mfa, { ...input, userId, sessionId }, webauthnChallengeVerifier(event))
  adoptIssuedToken(event, guard, issued)
  const { config } = guard.live.policy
  // Still stranded: this only proved it is them; not a complete sign-in until an allowed factor is set up.
  const stranded = strandedBy(issued.claims.mfa?.e ?? [], config.mfa)
  if (input.rememberDevice && !stranded) await rememberThisDevice(event, guard, userId, input.factor)
  // A complete sign-in: this browser is known for the account (sign-in throttling never refuses it for others' failures).
  if (!stranded) await rememberKnownDevice(event, guard, userId)
  const satisfied = !stranded && checkMfaRequirements(config.mfa.requirements, issued.claims.mfa?.c ?? {}, config.mfa.strategies).satisfied
  const redirectTo = safeRedirectPath(input.redirect_url, requestOptions(event)?.afterSignInUrl ?? config.afterSignInUrl)
  if (stranded) return { completed: input.factor, redirectTo: pageWithReturnPath(config.mfa.enrollUrl, redirectTo), satisfied, next: 'enroll' as const }
  return { completed: input.factor, redirectTo, satisfied }
}, { body })
