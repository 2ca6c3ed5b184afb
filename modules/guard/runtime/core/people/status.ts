import type { UserRecord } from '../store/users'
import { PeopleError } from './errors'

/** The fields of a user that say whether the account is disabled. */
export type DisableFields = Pick<UserRecord, 'disabledAt' | 'disabledUntil'>

/**
 * Whether the account is disabled at `now`: an admin disabled it and its end
 * (`disabledUntil`), when there is one, has not passed. Once it passes the
 * user signs in again with no admin involved.
 *
 * @example
 * isUserDisabled({ disabledAt: new Date('2026-01-01'), disabledUntil: new Date('2026-02-01') }, new Date('2026-01-15')) // true
 * isUserDisabled({ disabledAt: new Date('2026-01-01'), disabledUntil: new Date('2026-02-01') }, new Date('2026-02-02')) // false
 */
export function isUserDisabled(user: DisableFields, now: Date): boolean {
  return Boolean(user.disabledAt) && (!user.disabledUntil || user.disabledUntil.getTime() > now.getTime())
}

/** `2026-03-01 12:00 UTC`: how the end of a disablement is written to the user. */
export function formatDisabledUntil(until: Date): string {
  return `${until.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

/**
 * 403 `user_disabled` for a disabled account: the description says it is
 * disabled, until when, and to contact the administrator; `disabledUntil` is
 * in the body (ISO 8601, or null). The admin's reason is never shown.
 *
 * @example
 * if (isUserDisabled(user, now)) throw userDisabledError(user)
 */
export function userDisabledError(user: DisableFields): PeopleError<'user_disabled'> {
  const until = user.disabledUntil
  const description = until
    ? `This account is disabled until ${formatDisabledUntil(until)}. Contact your administrator if you need access sooner.`
    : 'This account is disabled. Contact your administrator.'
  return new PeopleError('user_disabled', description, { disabledUntil: until ? until.toISOString() : null })
}

/** A user's status as the console shows it: `disabled` now, and while it is, since when, why and until when. */
export interface UserStatusView {
  disabled: boolean
  disabledAt: Date | null
  disabledReason: string | null
  disabledUntil: Date | null
}

/**
 * The status fields of a user for the console at `now`: all null once the
 * disablement's end has passed (the account works again).
 *
 * @example
 * userStatusView(user, new Date()) // { disabled: true, disabledAt: Date, disabledReason: 'Left', disabledUntil: null }
 */
export function userStatusView(user: DisableFields & Pick<UserRecord, 'disabledReason'>, now: Date): UserStatusView {
  if (!isUserDisabled(user, now)) return { disabled: false, disabledAt: null, disabledReason: null, disabledUntil: null }
  return { disabled: true, disabledAt: user.disabledAt ?? null, disabledReason: user.disabledReason ?? null, disabledUntil: user.disabledUntil ?? null }
}
