import { z } from 'zod'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../passwords/lengths'

const email = z.string().trim().toLowerCase().max(254, 'email is too long').email('enter a valid email address')

/**
 * Sign-up input: password lengths after NIST SP 800-63B (at least 8, long
 * passphrases welcome: up to 256 UTF-16 units here, so at least 128 of any
 * characters). What else a new password must be is assertAcceptablePassword's
 * (core/passwords/check.ts), which counts code points.
 */
export const signUpSchema = z.object({
  email,
  /** Where to go afterwards; only a same-origin path is honoured. */
  redirect_url: z.string().max(2_048).optional(),
  password: z.string().min(PASSWORD_MIN_LENGTH, `use at least ${PASSWORD_MIN_LENGTH} characters`).max(PASSWORD_MAX_LENGTH, `use at most ${PASSWORD_MAX_LENGTH} characters`),
})

/** Sign-in input: no length policy is revealed here, only presence. */
export const signInSchema = z.object({
  email,
  redirect_url: z.string().max(2_048).optional(),
  password: z.string().min(1, 'enter your password').max(PASSWORD_MAX_LENGTH, `use at most ${PASSWORD_MAX_LENGTH} characters`),
})

/** A parsed sign-up or sign-in body: `{ email, password, redirect_url? }`, the email trimmed and lower-cased. */
export type SignInInput = z.output<typeof signUpSchema>
