import type { GuardDatabase } from '../store/db/database'
import { backoffDelay } from '../store/db/listener-status'
import { revokedSessionIdsSince } from '../store/sessions'
import { claimsEpochsChangedWithin } from '../store/users'
import { CLAIMS_CHANNEL, USER_EPOCH_MEMORY_MS } from './claims-epochs'
import { REVOCATION_MEMORY_MS, type Authenticator } from './authenticator'
import type { KeyManager } from './key-manager'
import { CONFIG_CHANNEL, type LiveConfig } from './live-config'

/** NOTIFY channel that carries revoked session ids to other instances. */
export const REVOCATION_CHANNEL = 'nuxt_guard_revoked'

/**
 * What other instances announce over NOTIFY, and how to catch up without it:
 * `nuxt_guard_config` (payload: the saved version) and `nuxt_guard_revoked`
 * (payload: a session id) and `nuxt_guard_claims` (payload: `<userId> <epoch>`,
 * a user whose roles, metadata or factors changed). Signing keys need no
 * channel (an unknown `kid` triggers a re-read) but are re-read on catch-up too.
 */
export interface InstanceSyncParts {
  db: GuardDatabase
  live: LiveConfig
  keys: KeyManager
  authenticator: Authenticator
  /** The engine's clock in ms (the one revocations are stamped with). */
  now: () => number
}

/**
 * Re-reads everything a missed notification could have said: the latest
 * config version, the key set, and the sessions revoked within the window in
 * which any of their tokens could still be live (REVOCATION_MEMORY_MS).
 * Resolves to how many revocations it applied; throws when the database
 * cannot be read (the caller logs it and tries again at the next reconnect).
 *
 * @example
 * db.onListenerRestored(() => catchUp(parts))
 */
export async function catchUp(parts: InstanceSyncParts): Promise<number> {
  const { db, live, keys, authenticator, now } = parts
  await live.reload()
  await keys.reload()
  const revoked = await revokedSessionIdsSince(db, new Date(now() - REVOCATION_MEMORY_MS))
  for (const sessionId of revoked) authenticator.revokeLocally(sessionId)
  await catchUpClaimsEpochs(parts)
  return revoked.length
}

/**
 * Re-reads the claims epochs of the users changed within the lifetime of any
 * live token (at start-up and after a LISTEN reconnect), so a token minted
 * before a change this instance did not hear about is still re-minted.
 *
 * @example
 * await catchUpClaimsEpochs({ db, authenticator })
 */
export async function catchUpClaimsEpochs({ db, authenticator }: Pick<InstanceSyncParts, 'db' | 'authenticator'>): Promise<void> {
  for (const { userId, epoch } of await claimsEpochsChangedWithin(db, USER_EPOCH_MEMORY_MS)) authenticator.epochs.noteUser(userId, epoch)
}

/**
 * Parses a `nuxt_guard_claims` payload: `<userId> <epoch>`.
 *
 * @example
 * parseClaimsPayload('user_1 4') // { userId: 'user_1', epoch: 4 }
 */
export function parseClaimsPayload(payload: string): { userId: string; epoch: number } | undefined {
  const [userId, epoch] = payload.split(' ')
  const number = Number(epoch)
  return userId && Number.isInteger(number) ? { userId, epoch: number } : undefined
}

/**
 * Subscribes this instance to other instances' changes, catches up after
 * every LISTEN reconnect, and once right after subscribing (a save between
 * start-up's read and the LISTEN would otherwise be missed). Resolves to a
 * function that unsubscribes everything.
 *
 * @example
 * const stop = await syncInstances({ db, live, keys, authenticator, now })
 * await stop() // on close
 */
export async function syncInstances(parts: InstanceSyncParts): Promise<() => Promise<void>> {
  const { db, live, authenticator } = parts
  const unsubscribe = await Promise.all([
    // Remembered synchronously: until the version is read, requests wait for it (LiveConfig.behind).
    db.listen(CONFIG_CHANNEL, payload => live.announce(Number(payload))),
    db.listen(REVOCATION_CHANNEL, sessionId => authenticator.revokeLocally(sessionId)),
    db.listen(CLAIMS_CHANNEL, (payload) => {
      const change = parseClaimsPayload(payload)
      if (change) authenticator.epochs.noteUser(change.userId, change.epoch)
    }),
  ])
  let stopped = false
  const stopRestored = db.onListenerRestored(() => withRetries(() => catchUp(parts), () => stopped))
  if (db.kind === 'postgres') await live.reload().catch(() => {})
  // Users changed before this instance started (or before a restart) still have live tokens.
  await catchUpClaimsEpochs(parts).catch(() => {})
  return async () => {
    stopped = true
    stopRestored()
    await Promise.all(unsubscribe.map(stop => stop().catch(() => {})))
  }
}

/** Runs `work` up to 5 times, backing off between failures; rethrows the last failure. */
async function withRetries(work: () => Promise<unknown>, stopped: () => boolean): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try { return void await work() }
    catch (error) {
      if (attempt >= 4 || stopped()) throw error
      await new Promise(resolve => setTimeout(resolve, backoffDelay(attempt)))
    }
  }
}
