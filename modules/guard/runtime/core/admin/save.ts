import type { Guard } from '../engine/create-guard'
import { InvalidConfigError } from '../engine/live-config'
import { GuardError } from '../errors'
import { writeAudit } from '../store/audit'
import { describeSaveEffect, type SaveEffect } from './effect'
import { reviewConfig } from './review'

/** One console save: a new document, a rollback to an old one's content, or an import. */
export interface ConfigSave {
  document: unknown
  /** The version the admin edited; any newer latest version refuses the save (409). */
  expectedVersion: number
  action: 'config.save' | 'config.rollback' | 'config.import'
  note: string
  /** Extra audit detail, e.g. `{ rolledBackTo: 3 }`. */
  detail?: Record<string, unknown>
  /** Who saves (the version's `createdBy` and the audit entry's actor) and from which address. */
  actor: { userId: string; ip: string | null }
  /** The console page the safety checks keep reachable (the module's `console.path`; '' = none). */
  consolePath: string
}

/** What a save answers: the version as stored and when it takes effect. */
export interface SavedConfig { version: number; document: unknown; effect: SaveEffect }

/**
 * The one way the console saves a config, in this order: validate and
 * compile once (`reviewConfig`: 422 `invalid_config`), the safety checks
 * (422 `unsafe_config`), the claims size for every real user (422
 * `invalid_config`), then in one transaction the new version and its audit
 * entry (documents before and after; 409 `stale_version` with
 * `currentVersion` and `current` when someone saved first), then the compiled
 * candidate goes live under its version and other instances are told. No row
 * is read again: the replaced version comes from the append's own read.
 * Throws `GuardError`; nothing is saved or swapped then.
 *
 * @example
 * const saved = await saveConfig(guard, { document, expectedVersion: 7, action: 'config.save', note: 'saved in the admin console', actor: { userId, ip }, consolePath: '/admin' })
 * saved.effect.summary // 'Saved as version 8 — every session's next request, on every instance, is judged by it.'
 */
export async function saveConfig(guard: Pick<Guard, 'live' | 'now'>, save: ConfigSave): Promise<SavedConfig> {
  const review = reviewConfig(save.document, guard.now() / 1000, save.consolePath)
  if (!review.ok && review.kind === 'invalid') throw new InvalidConfigError(review.fields)
  if (!review.ok) throw new GuardError('unsafe_config', `The config was not saved: ${review.fields[0]!.message}`, { fields: review.fields })
  const { saved, previous } = await guard.live.commit(review.policy, {
    expectedVersion: save.expectedVersion,
    actorId: save.actor.userId,
    note: save.note,
    alsoWrite: (tx, { saved, previous }) => writeAudit(tx, {
      actorId: save.actor.userId,
      ip: save.actor.ip,
      action: save.action,
      target: `config:v${saved.version}`,
      before: previous ? { version: previous.version, document: previous.document } : null,
      after: { version: saved.version, document: saved.document, note: save.note, ...save.detail },
    }),
  })
  return { version: saved.version, document: saved.document, effect: describeSaveEffect(previous?.document as typeof review.config | undefined, review.config, saved.version) }
}
