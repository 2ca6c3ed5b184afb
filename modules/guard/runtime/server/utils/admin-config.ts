import { z } from 'zod'
import type { H3Event } from 'h3'
import { saveConfig, type ConfigSave, type SavedConfig } from '../../core/admin/save'
import type { Guard } from '../../core/engine/create-guard'
import { findConfigVersion, type ConfigVersionRecord } from '../../core/store/config-versions'
import { clientAddress } from './client-address'
import { verificationSelfLockOut } from '../../core/email-verification/console-safety'
import { GuardError } from './errors'
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
  if (!record) throw new GuardError('temporarily_unavailable', 'The live config version is missing from the database; try again shortly.')
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
  if (!record) throw new GuardError('version_not_found', `There is no config version ${version}; pick one from the history.`, { version })
  return record
}

/** A console save as a handler states it; the adapter adds who (with their address) and the console path. */
export type AdminSave = Omit<ConfigSave, 'actor' | 'consolePath'>

/**
 * The one way the console saves a config (save, rollback, import): the core
 * operation `saveConfig` — validated and compiled once, safety-checked, the
 * version and its audit entry in one transaction, live here before it
 * returns, announced to other instances — with the admin's address and the
 * module's console path. Throws 422 `invalid_config` / `unsafe_config`, 409
 * `stale_version` (with `currentVersion` and `current`). The answer's
 * `effect` says when it takes effect (describeSaveEffect).
 *
 * @example
 * return saveAdminConfig(event, guard, admin.userId, { document, expectedVersion: body.version, action: 'config.save', note: 'saved in the console' })
 */
export async function saveAdminConfig(event: H3Event, guard: Guard, actorId: string, save: AdminSave): Promise<SavedConfig> {
  // An unverified admin cannot require verified addresses: they would lock themselves out (422 unsafe_config).
  const selfLockOut = await verificationSelfLockOut(guard.db, actorId, save.document)
  if (selfLockOut) throw new GuardError('unsafe_config', `The config was not saved: ${selfLockOut.message}`, { fields: [selfLockOut] })
  return saveConfig(guard, { ...save, actor: { userId: actorId, ip: clientAddress(event) ?? null }, consolePath: guardPublicSettings().consolePath })
}
