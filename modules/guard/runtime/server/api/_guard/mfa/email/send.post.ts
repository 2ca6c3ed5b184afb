import { z } from 'zod'
import { sendEmailCode } from '../../../../../core/mfa/email-code/service'
import { defineGuardHandler, readGuardBody } from '../../../../utils/define-guard-handler'
import { mfaCall, mfaRequest } from '../../../../utils/mfa-request'

const body = z.object({ purpose: z.enum(['enroll', 'challenge']), mfaToken: z.string().max(4_096).optional() })

/** POST /api/_guard/mfa/email/send `{ purpose, mfaToken? }`: emails a one-time code → `{ sentTo, expiresInSeconds }`. */
export default defineGuardHandler(async (event) => {
  const { purpose, mfaToken } = await readGuardBody(event, body)
  const { guard, user, sessionId } = await mfaRequest(event, { secondFactor: purpose === 'enroll' && 'enroll' })
  return mfaCall(event, async () => {
    if (mfaToken !== undefined) await guard.mfa.verifyStepUpToken(mfaToken, sessionId)
    return sendEmailCode(guard.mfa, { userId: user.id, sessionId, email: user.email, purpose })
  })
})
