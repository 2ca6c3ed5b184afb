import { z } from 'zod'

const email = z.string().trim().toLowerCase().max(254, 'email is too long').email('enter a valid email address')
/** A new password's lengths (NIST SP 800-63B: 8 to 256); the strength check comes after (assertAcceptablePassword). */
const password = z.string().min(8, 'use at least 8 characters').max(256, 'use at most 256 characters')
const roles = z.array(z.string().regex(/^[a-z0-9][a-z0-9_:-]*$/i, 'role names use letters, digits, _ : -')).max(50)
  .transform(list => [...new Set(list)])
const token = z.string().trim().min(20, 'that is not an invitation link').max(200, 'that is not an invitation link')

/** POST /admin/users: `{ email, password, roles? }` (roles default `["member"]`). */
export const createUserSchema = z.object({ email, password, roles: roles.default(['member']) })

/** POST /admin/invitations: `{ email, roles? }` (roles default `["member"]`). */
export const inviteSchema = z.object({ email, roles: roles.default(['member']) })

/**
 * POST /admin/users/:id/disable: `{ reason, until? }`: a reason of 1 to 500
 * characters, and an end as an ISO 8601 date or date-time (null or absent:
 * until an admin enables the account).
 */
export const disableSchema = z.object({
  reason: z.string().trim().min(1, 'say why the account is disabled').max(500, 'keep the reason under 500 characters'),
  until: z.string().max(40, 'give the end as an ISO 8601 date').refine(value => !Number.isNaN(Date.parse(value)), 'give the end as an ISO 8601 date such as 2026-03-01T12:00:00Z')
    .transform(value => new Date(value)).nullish(),
})

/** POST /invitations/preview: `{ token }`. */
export const invitationPreviewSchema = z.object({ token })

/** POST /invitations/accept: `{ token, password, redirect_url? }`. */
export const acceptInvitationSchema = z.object({ token, password, redirect_url: z.string().max(2_048).optional() })

export type CreateUserInput = z.output<typeof createUserSchema>
export type InviteInput = z.output<typeof inviteSchema>
export type DisableInput = z.output<typeof disableSchema>
