import { z } from 'zod'
import type { H3Event } from 'h3'
import { reviewConfig } from '../../core/admin/review'
import { describeSaveEffect, type SaveEffect } from '../../core/admin/effect'
import type { GuardConfig } from '../../core/config/schema'
import type { Guard } from '../../core/engine/create-guard'
import { InvalidConfigError, StaleConfigVersionError } from '../../core/engine/live-config'
import { findConfigVersion, latestConfigVersion, type ConfigVersionRecord } from '../../core/store/config-versions'
import { auditAdminAction } from './admin-request'
import { guardError } from './errors'
import { guardPublicSettings } from './guard-instance'

/**
 * The body of every console save (PUT /admin/config, POST /admin/config/import):
 * the document and the version it replaces (the live one the admin loaded).
 * An exported document's own `version` field is ignored.
 *
 * @example
 * const { version, document } = await readGuardBody(event, adminSaveBody)
 */
export const adminSaveBody = z.object({
  version: z.number().int().nonnegative(),
  document: z.record(z.string(), z.unknown()),
})

/**
 * A stored version as the console API returns it.
 *
 * @example
 * return configVersionBody(await configVersionOr404(guard, 3)) // { version: 3, document, createdAt, createdBy, note }
 */
export function configVersionBody(record: ConfigVersionRecord) {
  return { version: record.version, document: record.document, createdAt: record.createdAt, createdBy: record.createdBy, note: record.note }
}

/**
 * The stored record of the version this instance judges requests by.
 *
 * @example
 * const { version, document } = await liveConfigRecord(guard)
 */
export async function liveConfigRecord(guard: Guard): Promise<ConfigVersionRecord> {
  const record = await findConfigVersion(guard.db, guard.live.policy.version)
  if (!record) throw guardError(503, 'temporarily_unavailable', 'The live config version is missing from the database; try again shortly.')
  return record
}

/**
 * A stored version, or 404 `version_not_found`.
 *
 * @example
 * const old = await configVersionOr404(guard, 3)
 */
export async function configVersionOr404(guard: Guard, version: number): Promise<ConfigVersionRecord> {
  const record = await findConfigVersion(guard.db, version)
  if (!record) throw guardError(404, 'version_not_found', `There is no config version ${version}; pick one from the history.`, { version })
  return record
}

export interface AdminSave {
  document: unknown
  /** The version the admin edited; a newer latest version gets 409. */
  expectedVersion: number
  action: 'config.save' | 'config.rollback' | 'config.import'
  note: string
  /** Extra audit detail, e.g. `{ rolledBackTo: 3 }`. */
  detail?: Record<string, unknown>
}

/**
 * The one way the console saves a config: validate (422 `invalid_config`),
 * safety checks (422 `unsafe_config`), then `live.save`, which swaps the
 * compiled policy in before it returns (409 `stale_version` with the current
 * document when someone saved first). Audited with the documents before and
 * after. The answer's `effect` says when it takes effect (describeSaveEffect):
 * the next request, except lifetimes, which apply to what is issued from now.
 *
 * @example
 * return saveAdminConfig(event, guard, admin.userId, { document, expectedVersion: body.version, action: 'config.save', note: 'saved in the console' })
 */
export async function saveAdminConfig(event: H3Event, guard: Guard, actorId: string, save: AdminSave): Promise<{ version: number; document: unknown; effect: SaveEffect }> {
  const review = reviewConfig(save.document, guard.now() / 1000, guardPublicSettings().consolePath)
  if (!review.ok && review.kind === 'invalid') throw invalidConfig(review.fields)
  if (!review.ok) {
    throw guardError(422, 'unsafe_config', `The config was not saved: ${review.fields[0]!.message}`, { fields: review.fields })
  }
  const previous = await findConfigVersion(guard.db, save.expectedVersion)
  let saved: { version: number }
  try {
    saved = await guard.live.save(review.config, { expectedVersion: save.expectedVersion, actorId, note: save.note })
  }
  catch (error) {
    if (error instanceof InvalidConfigError) throw invalidConfig(error.issues)
    if (error instanceof StaleConfigVersionError) throw await staleVersion(guard, save.expectedVersion)
    throw error
  }
  const record = (await findConfigVersion(guard.db, saved.version))!
  await auditAdminAction(event, guard, actorId, {
    action: save.action,
    target: `config:v${record.version}`,
    before: previous ? { version: previous.version, document: previous.document } : null,
    after: { version: record.version, document: record.document, note: save.note, ...save.detail },
  })
  const effect = describeSaveEffect(previous?.document as GuardConfig | undefined, review.config as GuardConfig, record.version)
  return { version: record.version, document: record.document, effect }
}

function invalidConfig(fields: { path: string; message: string }[]) {
  return guardError(422, 'invalid_config', `The config was not saved: ${fields[0]!.path}: ${fields[0]!.message}`, { fields })
}

async function staleVersion(guard: Guard, expected: number) {
  const current = await latestConfigVersion(guard.db)
  return guardError(409, 'stale_version', `Someone saved version ${current?.version} after you loaded version ${expected}. Reload it, or re-apply your changes on top of it.`, {
    currentVersion: current?.version ?? null,
    current: current?.document ?? null,
  })
}
