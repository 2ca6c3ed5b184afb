/**
 * Type assertions, checked by tsc in guard-api-types.test.ts (never run):
 * in the app, `$fetch` of a guard route is typed from its handler (Nitro's
 * generated `InternalApi`), and the app's GuardApi map says the same, route by
 * route, with no guard route missing.
 */
import type { InternalApi } from 'nitropack/types'
import { expectTypeOf } from 'vitest'
import type { GuardAnswer, GuardApi } from '../../modules/guard/runtime/app/types/guard-api'
import type { useClaimValue } from '../../modules/guard/runtime/app/composables/useClaimValue'
import type { CompletedFactors } from '../../modules/guard/runtime/core/mfa/requirements'
import type { FactorId } from '../../modules/guard/runtime/core/config/schema'

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
/** Fails to compile naming each offender: "Type '"get /api/_guard/verdict"' does not satisfy the constraint 'never'". */
type None<Offenders extends never> = Offenders

declare const id: string

// `$fetch('/api/_guard/session')` in the app knows the answer: not unknown, not any.
const session = () => $fetch('/api/_guard/session')
expectTypeOf(session).returns.resolves.not.toBeAny()
expectTypeOf(session).returns.resolves.not.toBeUnknown()
expectTypeOf(session).returns.resolves.toEqualTypeOf<GuardAnswer<'/api/_guard/session'>>()
expectTypeOf(session).returns.resolves.toHaveProperty('userId').toEqualTypeOf<string>()

// A dynamic route, reached through a prefix constant and a template literal, with its method.
const ADMIN_API = '/api/_guard/admin'
const roles = () => $fetch(`${ADMIN_API}/users/${encodeURIComponent(id)}/roles`, { method: 'PUT', body: { roles: [] } })
expectTypeOf(roles).returns.resolves.toEqualTypeOf<GuardAnswer<'/api/_guard/admin/users/:id/roles'>>()
expectTypeOf(roles).returns.resolves.toHaveProperty('createdAt').toEqualTypeOf<string>()

// Every guard route Nitro knows is in GuardApi, and no other.
type NitroGuardRoute = Extract<keyof InternalApi, `/api/_guard/${string}`>
export type MissingFromGuardApi = None<Exclude<NitroGuardRoute, keyof GuardApi>>
export type UnknownToNitro = None<Exclude<keyof GuardApi, NitroGuardRoute>>

// Each route's methods and answers are the same as Nitro's: lists the routes that differ.
type Disagreeing = {
  [Route in keyof GuardApi & keyof InternalApi]: Same<keyof GuardApi[Route], keyof InternalApi[Route]> extends false
    ? Route
    : { [Method in keyof GuardApi[Route] & keyof InternalApi[Route]]: Same<GuardApi[Route][Method], InternalApi[Route][Method]> extends true ? never : `${Method & string} ${Route}` }[keyof GuardApi[Route] & keyof InternalApi[Route]]
}[keyof GuardApi & keyof InternalApi]
export type DisagreeingWithNitro = None<Disagreeing>

// useClaimValue(name) is typed by SessionClaims: a registered claim has its type (the MFA claim's
// `{ c, v, e }`), any other name is unknown (the app's GuardSessionClaims would type it).
expectTypeOf<ReturnType<typeof useClaimValue<'mfa'>>['value']>().toEqualTypeOf<{ c: CompletedFactors; v: boolean; e: FactorId[] } | undefined>()
expectTypeOf<ReturnType<typeof useClaimValue<'roles'>>['value']>().toEqualTypeOf<string[] | undefined>()
expectTypeOf<ReturnType<typeof useClaimValue<'anything'>>['value']>().toEqualTypeOf<unknown>()
