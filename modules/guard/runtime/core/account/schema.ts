import { z } from 'zod'

/**
 * PUT /api/_guard/account/password. The new password's strength is judged by
 * `assertAcceptablePassword`, not here; only the sign-in's upper bound applies.
 * `signOutOfOtherSessions` (Clerk's name) defaults to true.
 */
export const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, 'enter your current password').max(256, 'use at most 256 characters'),
  newPassword: z.string().min(1, 'enter a new password').max(256, 'use at most 256 characters'),
  signOutOfOtherSessions: z.boolean().default(true),
})

/** A parsed change-password body. */
export type ChangePasswordBody = z.output<typeof changePasswordSchema>

/**
 * DELETE /api/_guard/account: `confirmEmail` is the account's address typed
 * again; `currentPassword` is needed when the account has no usable second
 * factor (with one, a recent second factor is needed instead).
 */
export const deleteAccountSchema = z.object({
  confirmEmail: z.string().trim().min(1, 'type your email address to confirm').max(254, 'email is too long'),
  currentPassword: z.string().max(256, 'use at most 256 characters').optional(),
})

/** A parsed delete-account body. */
export type DeleteAccountBody = z.output<typeof deleteAccountSchema>
