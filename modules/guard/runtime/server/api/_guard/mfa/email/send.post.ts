import { z } from 'zod'
import { sendEmailCode } from '#guard/core/mfa/email-code/service'
import { defineAccountHandler } from '#guard/server/utils/define-handlers'

const body = z.object({ purpose: z.enum(['enroll', 'challenge']), mfaToken: z.string().max(4_096).optional() })

/** POST /api/_guard/mfa/email/send `{ purpose, mfaToken? }`: emails a one-time code → `{ sentTo, expiresInSeconds }`. */
export default defineAccountHandler(async (_event, { guard, user, sessionId, body: { purpose, mfaToken } }) => {
  if (mfaToken !== undefined) await guard.mfa.verifyStepUpToken(mfaToken, sessionId)
  return sendEmailCode(guard.mfa, { userId: user.id, sessionId, email: user.email, purpose })
}, { body, secondFactor: ({ purpose }) => purpose === 'enroll' && 'enroll' })
