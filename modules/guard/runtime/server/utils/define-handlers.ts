import type { EventHandler, EventHandlerRequest, H3Event } from 'h3'
import type { ZodType } from 'zod'
import type { Guard } from '../../core/engine/create-guard'
import { defineGuardHandler, readGuardBody } from './define-guard-handler'
import { ADMIN_BODY_LIMIT_BYTES } from './body-limit'
import { useGuard } from './guard-instance'
import { mfaRequest, type MfaRequest, type MfaRequestOptions } from './mfa-request'
import { requireAdmin } from './require-admin'

/** What every admin handler gets: the running guard and the signed-in admin. */
export interface AdminContext<B> {
  guard: Guard
  /** The admin who asks: `userId`, `sessionId`, roles and claims (`requireAdmin`). */
  admin: Awaited<ReturnType<typeof requireAdmin>>
  /** The validated JSON body when the handler names a `body` schema, else `undefined`. */
  body: B
}

/**
 * A console API handler (`/api/_guard/admin/**`) on `defineGuardHandler`:
 * first `requireAdmin` (401/403 unless signed in with the admin role and,
 * where MFA applies, a second factor in this session), then the body, when
 * `options.body` names a schema (422 naming the field), then the handler.
 * The handler's return type is the route's answer type, unchanged.
 *
 * @example
 * export default defineAdminHandler(async (event, { guard, admin, body }) => {
 *   return saveAdminConfig(event, guard, admin.userId, { document: body.document, expectedVersion: body.version, … })
 * }, { body: adminSaveBody })
 */
export function defineAdminHandler<T, B = undefined>(
  handler: (event: H3Event, context: AdminContext<B>) => Promise<T> | T,
  options: { body?: ZodType<B> } = {},
): EventHandler<EventHandlerRequest, Promise<T>> {
  return defineGuardHandler(async (event) => {
    const admin = await requireAdmin(event)
    const body = options.body ? await readGuardBody(event, options.body, ADMIN_BODY_LIMIT_BYTES) : undefined as B
    return handler(event, { guard: await useGuard(), admin, body })
  })
}

/** What every account and MFA handler gets: the guard, the signed-in user and session, the body. */
export interface AccountContext<B> extends MfaRequest {
  /** The validated JSON body when the handler names a `body` schema, else `undefined`. */
  body: B
}

export interface AccountHandlerOptions<B> {
  /** Validate the JSON body with this schema (422 naming the field) before the session is looked at. */
  body?: ZodType<B>
  /**
   * What the endpoint asks beyond being signed in (see `MfaRequestOptions`), or
   * a function of the body when it depends on it (`body => body.purpose === 'enroll'`).
   * @default false
   */
  secondFactor?: MfaRequestOptions['secondFactor'] | ((body: B) => MfaRequestOptions['secondFactor'])
}

/**
 * An account or MFA handler (`/api/_guard/account/**`, `/api/_guard/mfa/**`) on
 * `defineGuardHandler`: the body first, when `options.body` names a schema,
 * then `mfaRequest` (401 when signed out; the route's MFA rules are waived, as
 * these endpoints are how MFA is completed; with `secondFactor`, 403
 * `mfa_required` until this session completed the factor the user has), then
 * the handler. The handler's return type is the route's answer type, unchanged.
 *
 * @example
 * export default defineAccountHandler(async (event, { guard, userId }) => {
 *   return { devices: await listRememberedDevices(guard.db, userId, new Date(guard.now())) }
 * }, { secondFactor: true })
 */
export function defineAccountHandler<T, B = undefined>(
  handler: (event: H3Event, context: AccountContext<B>) => Promise<T> | T,
  options: AccountHandlerOptions<B> = {},
): EventHandler<EventHandlerRequest, Promise<T>> {
  return defineGuardHandler(async (event) => {
    const body = options.body ? await readGuardBody(event, options.body) : undefined as B
    const secondFactor = typeof options.secondFactor === 'function' ? options.secondFactor(body) : options.secondFactor
    return handler(event, { ...(await mfaRequest(event, { secondFactor })), body })
  })
}
