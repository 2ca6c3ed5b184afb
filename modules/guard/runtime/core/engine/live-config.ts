import { validateConfig, formatConfigIssues, type ConfigIssue } from '../config/validate'
import type { GuardConfig } from '../config/schema'
import { GuardError } from '../errors'
import { asVersion, compilePolicy, type CompiledPolicy } from '../policy/compile'
import type { GuardDatabase, SqlExecutor } from '../store/db/database'
import { overflowMessage } from '../claims/limit'
import { findClaimsOverflow, overflowSubject } from './claims-limit'
import { appendConfigVersion, findConfigVersion, latestConfigVersion, StaleConfigVersionError, type AppendedConfigVersion } from '../store/config-versions'

/** NOTIFY channel that tells other instances a new version was saved. */
export const CONFIG_CHANNEL = 'nuxt_guard_config'

/** The document failed validation; nothing was saved and the live config is unchanged. 422 `invalid_config` with `fields`. */
export class InvalidConfigError extends GuardError {
  constructor(readonly issues: ConfigIssue[]) {
    super('invalid_config', `The config was not saved: ${issues[0]!.path}: ${issues[0]!.message}`, { fields: issues })
  }
}

export { StaleConfigVersionError }

/** Who saves a version, and why; `alsoWrite` runs in the version's own transaction (e.g. the audit entry). */
export interface CommitOptions {
  expectedVersion: number
  actorId?: string | null
  note?: string
  alsoWrite?: (tx: SqlExecutor, appended: AppendedConfigVersion) => Promise<void>
}

/**
 * The config every request is judged by. Holds one compiled policy and swaps
 * it atomically: a request sees the old policy or the new one, never a mix.
 *
 * @example
 * const live = new LiveConfig(db)
 * await live.load(seedDocument)
 * live.policy.classify(readings)
 * await live.save(editedDocument, { expectedVersion: live.policy.version, actorId })
 */
export class LiveConfig {
  private current!: CompiledPolicy
  private readonly listeners = new Set<(policy: CompiledPolicy) => void>()
  /** The newest version other instances announced (see `announce`). */
  private announced = 0
  private settling: Promise<void> | undefined

  constructor(private readonly db: GuardDatabase) {}

  get policy(): CompiledPolicy { return this.current }

  /** Loads the latest version, seeding `seed` as version 1 on first boot. A seed that does not validate stops start-up. */
  async load(seed: unknown): Promise<CompiledPolicy> {
    let latest = await latestConfigVersion(this.db)
    if (!latest) {
      const result = validateConfig(seed)
      if (!result.ok) throw new Error(`The guard \`config\` in nuxt.config.ts is invalid; fix these fields:\n${formatConfigIssues(result.issues)}`)
      latest = await this.db.transaction(tx => appendConfigVersion(tx, { document: result.config, expectedVersion: 0, note: 'seeded from nuxt.config.ts' }))
        .then(({ saved }) => saved, async (error) => {
          if (error instanceof StaleConfigVersionError) return (await latestConfigVersion(this.db))!
          throw error
        })
    }
    return this.apply(latest.version, latest.document)
  }

  /**
   * Validates and saves a new version, then swaps it in before returning
   * (`commit`). Throws `InvalidConfigError` or `StaleConfigVersionError`.
   */
  async save(document: unknown, options: Omit<CommitOptions, 'alsoWrite'>): Promise<CompiledPolicy> {
    const result = validateConfig(document)
    if (!result.ok) throw new InvalidConfigError(result.issues)
    return (await this.commit(compilePolicy(result.config, 0), options)).policy
  }

  /**
   * Saves a validated candidate compiled as version 0: the claims template must
   * fit every real user's token (else `InvalidConfigError`, naming the claim
   * and the user); appends it with `alsoWrite` in one transaction
   * (`StaleConfigVersionError`, with the latest version); swaps that compiled
   * policy in under its version before returning; announces it (NOTIFY).
   *
   * @example
   * const { policy, saved, previous } = await live.commit(compilePolicy(config, 0), { expectedVersion: 7, actorId })
   */
  async commit(candidate: CompiledPolicy, { expectedVersion, actorId, note, alsoWrite }: CommitOptions): Promise<AppendedConfigVersion & { policy: CompiledPolicy }> {
    const overflow = await findClaimsOverflow(this.db, candidate)
    if (overflow) throw new InvalidConfigError([{ path: `claims.template.${overflow.claim}`, message: overflowMessage(overflow, overflowSubject(overflow)) }])
    const appended = await this.db.transaction(async (tx) => {
      const result = await appendConfigVersion(tx, { document: candidate.config, expectedVersion, createdBy: actorId, note })
      await alsoWrite?.(tx, result)
      return result
    })
    const policy = this.swap(asVersion(candidate, appended.saved.version))
    await this.db.notify(CONFIG_CHANNEL, String(appended.saved.version)).catch(() => {})
    return { ...appended, policy }
  }

  /**
   * Another instance announced (NOTIFY) that it saved `version`: remembered
   * at once, so that until it is read and swapped in `behind` is true and
   * requests wait for `settled()` instead of being judged by the old
   * version. A failed read gives up (the next notification or a LISTEN
   * catch-up retries): an instance never stays `behind`.
   *
   * @example
   * db.listen(CONFIG_CHANNEL, payload => live.announce(Number(payload)))
   */
  announce(version: number): void {
    if (!Number.isInteger(version) || version <= 0) return void this.reload().catch(() => {})
    if (version <= this.current.version) return
    if (version > this.announced) this.announced = version
    this.settling ??= this.readAnnounced().finally(() => { this.settling = undefined })
  }

  /** A newer version was announced and is not live here yet (one comparison: the hot path asks). */
  get behind(): boolean {
    return this.announced > this.current.version
  }

  /** Resolves once every announced version is live (or could not be read). */
  settled(): Promise<void> {
    return this.settling ?? Promise.resolve()
  }

  private async readAnnounced(): Promise<void> {
    try {
      while (this.announced > this.current.version) {
        const before = this.current.version
        await this.reload(this.announced)
        if (this.current.version === before) break
      }
    }
    catch { /* given up below; catch-up re-reads */ }
    if (this.announced > this.current.version) this.announced = this.current.version
  }

  /** Re-reads a version another instance announced, if it is newer than ours. */
  async reload(version?: number): Promise<void> {
    if (version !== undefined && version <= this.current.version) return
    const record = version === undefined ? await latestConfigVersion(this.db) : await findConfigVersion(this.db, version)
    if (record && record.version > this.current.version) this.apply(record.version, record.document)
  }

  /** Calls `listener` after every swap. */
  onChange(listener: (policy: CompiledPolicy) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private apply(version: number, document: unknown): CompiledPolicy {
    const result = validateConfig(document)
    if (!result.ok) throw new Error(`Stored guard config version ${version} no longer validates:\n${formatConfigIssues(result.issues)}`)
    return this.swap(compilePolicy(result.config, version))
  }

  private swap(policy: CompiledPolicy): CompiledPolicy {
    if (this.current && policy.version <= this.current.version) return this.current
    this.current = policy
    for (const listener of this.listeners) listener(policy)
    return policy
  }
}

export type { GuardConfig }
