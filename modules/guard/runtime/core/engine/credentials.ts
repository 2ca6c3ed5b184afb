import { z } from 'zod'

const email = z.string().trim().toLowerCase().max(254, 'email is too long').email('enter a valid email address')

/** Sign-up input: password lengths after NIST SP 800-63B (at least 8, long passphrases welcome). */
export const signUpSchema = z.object({
  email,
  /** Where to go afterwards; only a same-origin path is honoured. */
  redirect_url: z.string().max(2_048).optional(),
  password: z.string().min(8, 'use at least 8 characters').max(256, 'use at most 256 characters'),
})

/** Sign-in input: no length policy is revealed here, only presence. */
export const signInSchema = z.object({
  email,
  redirect_url: z.string().max(2_048).optional(),
  password: z.string().min(1, 'enter your password').max(256, 'use at most 256 characters'),
})

/** A parsed sign-up or sign-in body: `{ email, password, redirect_url? }`, the email trimmed and lower-cased. */
export type SignInInput = z.output<typeof signUpSchema>
