import { claimsOverflow, type ClaimsOverflow } from '../claims/limit'
import { renderClaims } from '../claims/template'
import type { CompiledPolicy } from '../policy/compile'
import type { SqlExecutor } from '../store/db/database'
import { enrolledFactorTypes, enrolledFactorTypesOf } from '../store/factors'
import { toUserRecord, type UserRecord } from '../store/users'
import { toClaimsUser } from './sessions'

/** A user whose session-token claims would be over the limit, and by how much. */
export interface UserClaimsOverflow extends ClaimsOverflow { userId: string; email: string }

/** Users rendered per query while a whole template is checked. */
const PAGE_SIZE = 500

/**
 * Renders `policy`'s claims template for one user as the user would be after
 * a change (new roles, new metadata); `undefined` when it fits the size limit.
 * Checked where an admin saves that change, so that the user's next sign-in
 * cannot fail.
 *
 * @example
 * const overflow = await userClaimsOverflow(db, guard.live.policy, { ...user, publicMetadata })
 * if (overflow) refuse422(overflowMessage(overflow, user.email))
 */
export async function userClaimsOverflow(db: SqlExecutor, policy: CompiledPolicy, user: UserRecord): Promise<UserClaimsOverflow | undefined> {
  const overflow = claimsOverflow(renderClaims(policy.config.claims.template, toClaimsUser(user, policy, await enrolledFactorTypes(db, user.id))))
  return overflow && { ...overflow, userId: user.id, email: user.email }
}

/**
 * Renders `policy`'s claims template for every user (in pages, all of them:
 * a template that reads user data is only safe if it fits each real user)
 * and returns the first user it would be too large for. A template without
 * shortcodes renders the same for everyone: the config validation's check
 * covers it.
 *
 * @example
 * const overflow = await findClaimsOverflow(db, compilePolicy(config, 0))
 * if (overflow) refuse422(`claims.template.${overflow.claim}`, overflowMessage(overflow, overflow.email))
 */
export async function findClaimsOverflow(db: SqlExecutor, policy: CompiledPolicy): Promise<UserClaimsOverflow | undefined> {
  const { template } = policy.config.claims
  if (!JSON.stringify(template).includes('{{')) return undefined
  let after = ''
  for (;;) {
    const rows = await db.query<any>(
      `select id, email, email_verified, password_hash, roles, public_metadata, created_at from guard_users
        where id > $1 order by id limit ${PAGE_SIZE}`,
      [after],
    )
    if (!rows.length) return undefined
    const users = rows.map(toUserRecord)
    const factors = await enrolledFactorTypesOf(db, users.map(user => user.id))
    for (const user of users) {
      const overflow = claimsOverflow(renderClaims(template, toClaimsUser(user, policy, factors.get(user.id) ?? [])))
      if (overflow) return { ...overflow, userId: user.id, email: user.email }
    }
    if (rows.length < PAGE_SIZE) return undefined
    after = users[users.length - 1]!.id
  }
}
