import type { Serialize, Simplify } from 'nitropack/types'

/**
 * What one handler module answers, as the app receives it: its default
 * export's return type made JSON (Dates become strings, …) exactly as Nitro
 * types `$fetch` for the routes it generates (`InternalApi`).
 */
type AnswerOf<Handler extends { default: (...args: never[]) => unknown }> = Simplify<Serialize<Awaited<ReturnType<Handler['default']>>>>

/**
 * Every guard API route and what it answers, by path and method — the same
 * keys and types as Nitro's generated `InternalApi`, taken from the handlers'
 * return types, so an answer's shape is written once: in its handler. The
 * stores and composables read their response types from here; Nitro's
 * inference is not available where the package is built, so the shipped type
 * declarations need the handlers named directly. tests/unit/guard-api-types
 * checks that this map and `InternalApi` agree, route by route.
 *
 * @example
 * type Users = GuardApi['/api/_guard/admin/users']['get'] // { users: { id: string; createdAt: string; … }[]; total: number }
 */
export interface GuardApi {
  '/api/_guard/account': { delete: AnswerOf<typeof import('../../server/api/_guard/account.delete')> }
  '/api/_guard/account/devices': { get: AnswerOf<typeof import('../../server/api/_guard/account/devices.get')> }
  '/api/_guard/account/devices/:id': { delete: AnswerOf<typeof import('../../server/api/_guard/account/devices/[id].delete')> }
  '/api/_guard/account/email': { get: AnswerOf<typeof import('../../server/api/_guard/account/email.get')> }
  '/api/_guard/account/email/confirm': { post: AnswerOf<typeof import('../../server/api/_guard/account/email/confirm.post')> }
  '/api/_guard/account/email/request': { post: AnswerOf<typeof import('../../server/api/_guard/account/email/request.post')> }
  '/api/_guard/account/password': { put: AnswerOf<typeof import('../../server/api/_guard/account/password.put')> }
  '/api/_guard/account/sessions': { get: AnswerOf<typeof import('../../server/api/_guard/account/sessions.get')> }
  '/api/_guard/account/sessions/:id': { delete: AnswerOf<typeof import('../../server/api/_guard/account/sessions/[id].delete')> }
  '/api/_guard/account/sessions/revoke-others': { post: AnswerOf<typeof import('../../server/api/_guard/account/sessions/revoke-others.post')> }
  '/api/_guard/admin/audit': { get: AnswerOf<typeof import('../../server/api/_guard/admin/audit.get')> }
  '/api/_guard/admin/claims/preview': { post: AnswerOf<typeof import('../../server/api/_guard/admin/claims/preview.post')> }
  '/api/_guard/admin/config': { get: AnswerOf<typeof import('../../server/api/_guard/admin/config.get')>; put: AnswerOf<typeof import('../../server/api/_guard/admin/config.put')> }
  '/api/_guard/admin/config/diff': { get: AnswerOf<typeof import('../../server/api/_guard/admin/config/diff.get')> }
  '/api/_guard/admin/config/export': { get: AnswerOf<typeof import('../../server/api/_guard/admin/config/export.get')> }
  '/api/_guard/admin/config/history': { get: AnswerOf<typeof import('../../server/api/_guard/admin/config/history.get')> }
  '/api/_guard/admin/config/import': { post: AnswerOf<typeof import('../../server/api/_guard/admin/config/import.post')> }
  '/api/_guard/admin/config/rollback': { post: AnswerOf<typeof import('../../server/api/_guard/admin/config/rollback.post')> }
  '/api/_guard/admin/config/validate': { post: AnswerOf<typeof import('../../server/api/_guard/admin/config/validate.post')> }
  '/api/_guard/admin/config/versions/:version': { get: AnswerOf<typeof import('../../server/api/_guard/admin/config/versions/[version].get')> }
  '/api/_guard/admin/invitations': { get: AnswerOf<typeof import('../../server/api/_guard/admin/invitations.get')>; post: AnswerOf<typeof import('../../server/api/_guard/admin/invitations.post')> }
  '/api/_guard/admin/invitations/:id': { delete: AnswerOf<typeof import('../../server/api/_guard/admin/invitations/[id].delete')> }
  '/api/_guard/admin/meta': { get: AnswerOf<typeof import('../../server/api/_guard/admin/meta.get')> }
  '/api/_guard/admin/mfa/stranded': { post: AnswerOf<typeof import('../../server/api/_guard/admin/mfa/stranded.post')> }
  '/api/_guard/admin/organizations': { get: AnswerOf<typeof import('../../server/api/_guard/admin/organizations.get')>; post: AnswerOf<typeof import('../../server/api/_guard/admin/organizations.post')> }
  '/api/_guard/admin/organizations/:id': { get: AnswerOf<typeof import('../../server/api/_guard/admin/organizations/[id].get')>; patch: AnswerOf<typeof import('../../server/api/_guard/admin/organizations/[id].patch')>; delete: AnswerOf<typeof import('../../server/api/_guard/admin/organizations/[id].delete')> }
  '/api/_guard/admin/organizations/:id/invitations': { post: AnswerOf<typeof import('../../server/api/_guard/admin/organizations/[id]/invitations.post')> }
  '/api/_guard/admin/organizations/:id/invitations/:invitationId': { delete: AnswerOf<typeof import('../../server/api/_guard/admin/organizations/[id]/invitations/[invitationId].delete')> }
  '/api/_guard/admin/organizations/:id/metadata': { put: AnswerOf<typeof import('../../server/api/_guard/admin/organizations/[id]/metadata.put')> }
  '/api/_guard/admin/organizations/:id/members': { post: AnswerOf<typeof import('../../server/api/_guard/admin/organizations/[id]/members.post')> }
  '/api/_guard/admin/organizations/:id/members/:userId': { put: AnswerOf<typeof import('../../server/api/_guard/admin/organizations/[id]/members/[userId].put')>; delete: AnswerOf<typeof import('../../server/api/_guard/admin/organizations/[id]/members/[userId].delete')> }
  '/api/_guard/admin/outbox': { get: AnswerOf<typeof import('../../server/api/_guard/admin/outbox.get')> }
  '/api/_guard/admin/simulate': { post: AnswerOf<typeof import('../../server/api/_guard/admin/simulate.post')> }
  '/api/_guard/admin/users': { get: AnswerOf<typeof import('../../server/api/_guard/admin/users.get')>; post: AnswerOf<typeof import('../../server/api/_guard/admin/users.post')> }
  '/api/_guard/admin/users/:id': { delete: AnswerOf<typeof import('../../server/api/_guard/admin/users/[id].delete')> }
  '/api/_guard/admin/users/:id/disable': { post: AnswerOf<typeof import('../../server/api/_guard/admin/users/[id]/disable.post')> }
  '/api/_guard/admin/users/:id/enable': { post: AnswerOf<typeof import('../../server/api/_guard/admin/users/[id]/enable.post')> }
  '/api/_guard/admin/users/:id/metadata': { put: AnswerOf<typeof import('../../server/api/_guard/admin/users/[id]/metadata.put')> }
  '/api/_guard/admin/users/:id/reset-mfa': { post: AnswerOf<typeof import('../../server/api/_guard/admin/users/[id]/reset-mfa.post')> }
  '/api/_guard/admin/users/:id/revoke-sessions': { post: AnswerOf<typeof import('../../server/api/_guard/admin/users/[id]/revoke-sessions.post')> }
  '/api/_guard/admin/users/:id/unlock': { post: AnswerOf<typeof import('../../server/api/_guard/admin/users/[id]/unlock.post')> }
  '/api/_guard/admin/users/:id/roles': { put: AnswerOf<typeof import('../../server/api/_guard/admin/users/[id]/roles.put')> }
  '/api/_guard/email-verification/confirm': { post: AnswerOf<typeof import('../../server/api/_guard/email-verification/confirm.post')> }
  '/api/_guard/email-verification/send': { post: AnswerOf<typeof import('../../server/api/_guard/email-verification/send.post')> }
  '/api/_guard/email-verification/sign-in': { post: AnswerOf<typeof import('../../server/api/_guard/email-verification/sign-in.post')> }
  '/api/_guard/health': { get: AnswerOf<typeof import('../../server/api/_guard/health.get')> }
  '/api/_guard/invitations/accept': { post: AnswerOf<typeof import('../../server/api/_guard/invitations/accept.post')> }
  '/api/_guard/invitations/preview': { post: AnswerOf<typeof import('../../server/api/_guard/invitations/preview.post')> }
  '/api/_guard/jwks.json': { get: AnswerOf<typeof import('../../server/api/_guard/jwks.json.get')> }
  '/api/_guard/mfa/challenge': { post: AnswerOf<typeof import('../../server/api/_guard/mfa/challenge.post')> }
  '/api/_guard/mfa/email/send': { post: AnswerOf<typeof import('../../server/api/_guard/mfa/email/send.post')> }
  '/api/_guard/mfa/email/verify': { post: AnswerOf<typeof import('../../server/api/_guard/mfa/email/verify.post')> }
  '/api/_guard/mfa/factors': { get: AnswerOf<typeof import('../../server/api/_guard/mfa/factors.get')> }
  '/api/_guard/mfa/factors/:id': { delete: AnswerOf<typeof import('../../server/api/_guard/mfa/factors/[id].delete')> }
  '/api/_guard/mfa/recovery-codes': { post: AnswerOf<typeof import('../../server/api/_guard/mfa/recovery-codes.post')> }
  '/api/_guard/mfa/totp/enroll': { post: AnswerOf<typeof import('../../server/api/_guard/mfa/totp/enroll.post')> }
  '/api/_guard/mfa/totp/verify': { post: AnswerOf<typeof import('../../server/api/_guard/mfa/totp/verify.post')> }
  '/api/_guard/mfa/webauthn/authenticate/options': { post: AnswerOf<typeof import('../../server/api/_guard/mfa/webauthn/authenticate/options.post')> }
  '/api/_guard/mfa/webauthn/register/options': { post: AnswerOf<typeof import('../../server/api/_guard/mfa/webauthn/register/options.post')> }
  '/api/_guard/mfa/webauthn/register/verify': { post: AnswerOf<typeof import('../../server/api/_guard/mfa/webauthn/register/verify.post')> }
  '/api/_guard/organizations': { get: AnswerOf<typeof import('../../server/api/_guard/organizations.get')>; post: AnswerOf<typeof import('../../server/api/_guard/organizations.post')> }
  '/api/_guard/organizations/:id': { get: AnswerOf<typeof import('../../server/api/_guard/organizations/[id].get')>; patch: AnswerOf<typeof import('../../server/api/_guard/organizations/[id].patch')>; delete: AnswerOf<typeof import('../../server/api/_guard/organizations/[id].delete')> }
  '/api/_guard/organizations/:id/invitations': { get: AnswerOf<typeof import('../../server/api/_guard/organizations/[id]/invitations.get')>; post: AnswerOf<typeof import('../../server/api/_guard/organizations/[id]/invitations.post')> }
  '/api/_guard/organizations/:id/invitations/:invitationId': { delete: AnswerOf<typeof import('../../server/api/_guard/organizations/[id]/invitations/[invitationId].delete')> }
  '/api/_guard/organizations/:id/leave': { post: AnswerOf<typeof import('../../server/api/_guard/organizations/[id]/leave.post')> }
  '/api/_guard/organizations/:id/members': { get: AnswerOf<typeof import('../../server/api/_guard/organizations/[id]/members.get')> }
  '/api/_guard/organizations/:id/members/:userId': { patch: AnswerOf<typeof import('../../server/api/_guard/organizations/[id]/members/[userId].patch')>; delete: AnswerOf<typeof import('../../server/api/_guard/organizations/[id]/members/[userId].delete')> }
  '/api/_guard/organizations/:id/roles': { get: AnswerOf<typeof import('../../server/api/_guard/organizations/[id]/roles.get')> }
  '/api/_guard/organizations/invitations/accept': { post: AnswerOf<typeof import('../../server/api/_guard/organizations/invitations/accept.post')> }
  '/api/_guard/organizations/invitations/preview': { post: AnswerOf<typeof import('../../server/api/_guard/organizations/invitations/preview.post')> }
  '/api/_guard/password-reset/confirm': { post: AnswerOf<typeof import('../../server/api/_guard/password-reset/confirm.post')> }
  '/api/_guard/password-reset/request': { post: AnswerOf<typeof import('../../server/api/_guard/password-reset/request.post')> }
  '/api/_guard/session': { get: AnswerOf<typeof import('../../server/api/_guard/session.get')> }
  '/api/_guard/session/organization': { get: AnswerOf<typeof import('../../server/api/_guard/session/organization.get')>; post: AnswerOf<typeof import('../../server/api/_guard/session/organization.post')> }
  '/api/_guard/sign-in': { post: AnswerOf<typeof import('../../server/api/_guard/sign-in.post')> }
  '/api/_guard/sign-out': { post: AnswerOf<typeof import('../../server/api/_guard/sign-out.post')> }
  '/api/_guard/sign-up': { post: AnswerOf<typeof import('../../server/api/_guard/sign-up.post')> }
  '/api/_guard/verdict': { get: AnswerOf<typeof import('../../server/api/_guard/verdict.get')> }
}

/**
 * What `$fetch(route, { method })` resolves to for a guard route.
 *
 * @example
 * type Session = GuardAnswer<'/api/_guard/session'>                 // { userId: string; sessionId: … }
 * type Saved = GuardAnswer<'/api/_guard/admin/config', 'put'>       // { version: number; document: …; effect: … }
 */
export type GuardAnswer<Route extends keyof GuardApi, Method extends keyof GuardApi[Route] = keyof GuardApi[Route]> = GuardApi[Route][Method]
