import { z } from 'zod'

const email = z.string().trim().toLowerCase().max(254, 'email is too long').email('enter a valid email address')

/** POST /password-reset/request: `{ email }`. */
export const resetRequestSchema = z.object({ email })

/**
 * POST /password-reset/confirm: `{ email, code, password, factor?, factorCode? }`.
 * The new password has the sign-up lengths (NIST SP 800-63B: 8 to 256).
 */
export const resetConfirmSchema = z.object({
  email,
  code: z.string().trim().min(1, 'enter the code from the email').max(32, 'that is not a reset code'),
  password: z.string().min(8, 'use at least 8 characters').max(256, 'use at most 256 characters'),
  factor: z.enum(['totp', 'recovery_code']).optional(),
  factorCode: z.string().trim().max(64, 'that is not a code').optional(),
})

export type ResetConfirmInput = z.output<typeof resetConfirmSchema>
