import { z } from 'zod'
import { ORG_ROLE_PATTERN } from './roles'

/** A slug: 2 to 64 lower-case letters, digits and dashes, starting and ending with a letter or digit. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$/

/**
 * The slug a name gives when none is chosen: lower case, accents dropped,
 * every run of other characters one dash, at most 64 characters; `''` when
 * nothing usable is left (a name in another script: choose a slug).
 *
 * @example
 * slugFromName('Ångström & Co.') // 'angstrom-co'
 */
export function slugFromName(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').slice(0, 64).replace(/^-+|-+$/g, '')
}

/** A display name; no control characters (it goes into email subjects). */
const name = z.string().trim().min(1, 'enter a name').max(100, 'use at most 100 characters').regex(/^\P{Cc}*$/u, 'use no line breaks or control characters')
const slug = z.string().trim().toLowerCase()
  .regex(SLUG_PATTERN, 'use 2 to 64 lower-case letters, digits and dashes, starting and ending with a letter or digit')
const orgRole = z.string().regex(ORG_ROLE_PATTERN, 'organization roles are named org:<role>, such as org:member')
const email = z.string().trim().toLowerCase().max(254, 'email is too long').email('enter a valid email address')

/** POST /organizations: `{ name, slug? }` (the slug defaults to one made from the name). */
export const createOrganizationSchema = z.object({ name, slug: slug.optional() })
export type CreateOrganizationInput = z.output<typeof createOrganizationSchema>

/** PATCH /organizations/:id: `{ name?, slug? }`, at least one. */
export const updateOrganizationSchema = z.object({ name: name.optional(), slug: slug.optional() })
  .refine(input => input.name !== undefined || input.slug !== undefined, { message: 'give a new name or slug', path: ['name'] })
export type UpdateOrganizationInput = z.output<typeof updateOrganizationSchema>

/** PATCH /organizations/:id/members/:userId: `{ role }`. */
export const changeMemberRoleSchema = z.object({ role: orgRole })

/** POST /organizations/:id/invitations: `{ email, role? }` (default `org:member`). */
export const inviteSchema = z.object({ email, role: orgRole.optional() })
export type InviteInput = z.output<typeof inviteSchema>

/** POST /organizations/invitations/accept: `{ token }` from the invitation link. */
export const acceptInvitationSchema = z.object({ token: z.string().trim().min(1, 'open the link from the invitation email').max(128, 'that is not an invitation token') })

/** POST /session/organization: `{ organizationId }`, null for none. */
export const setActiveOrganizationSchema = z.object({ organizationId: z.string().min(1).max(64).nullable() })

/** POST /admin/organizations (console): `{ name, slug?, ownerEmail }`, the owner becoming its first org:admin. */
export const createOrganizationForSchema = z.object({ name, slug: slug.optional(), ownerEmail: email })

/** POST /admin/organizations/:id/members (console): `{ email, role? }` (default `org:member`), an existing user added at once. */
export const addMemberSchema = z.object({ email, role: orgRole.default('org:member') })
