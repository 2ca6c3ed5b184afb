import type { GuardConfig } from '../config/schema'
import type { SessionClaims } from '../policy/auth'
import type { CompiledPolicy } from '../policy/compile'

/**
 * The private claim that says what a token was rendered from:
 * `[configVersion, userClaimsEpoch]`. Reserved (a template cannot set it).
 */
export const EPOCHS_CLAIM = 'cep'

/** NOTIFY channel that carries `<userId> <epoch>` when a user's claims changed. */
export const CLAIMS_CHANNEL = 'nuxt_guard_claims'

/** How long a user's bumped epoch is remembered: longer than any token lives (1 h max TTL + skew). */
export const USER_EPOCH_MEMORY_MS = 3_600_000 + 60_000

/**
 * The parts of a config a session token is rendered from: the claims
 * template, the roles → permissions map (the template may read
 * `{{user.permissions}}`), and whether organizations are on with their
 * roles → permissions map (`org_permissions`; off, tokens carry no
 * organization). A save that leaves them as they were re-mints nothing.
 *
 * @example
 * claimsShape(before.config) === claimsShape(after.config) // route edits only
 */
export function claimsShape(config: GuardConfig): string {
  // `?.`: a hand-built config (tests, an older stored document before validation) may lack the section.
  return JSON.stringify([config.claims, config.roles, config.organizations?.enabled ?? false, config.organizations?.roles ?? null])
}

/**
 * When a session token stops being fresh, decided with numbers kept in
 * memory on each instance (the hot path: at most one Map lookup and two
 * comparisons):
 *
 * - `configVersion`: the config version at which the claims template or the
 *   roles map last changed (as far as this instance knows; at start-up the
 *   live version, so tokens from before a restart re-mint once). A token
 *   whose `cep[0]` (the version it was rendered with) is lower is stale.
 * - a per-user epoch, a counter in `guard_users.claims_epoch` bumped by the
 *   database with every change of roles, metadata or factors made by an
 *   admin, announced over NOTIFY `nuxt_guard_claims` and re-read after a
 *   LISTEN reconnect. A token whose `cep[1]` is lower is stale.
 *
 * Counters, not clocks: a token minted right after a change carries the new
 * numbers, whatever the instances' clocks say, so it is never re-minted twice.
 * A token without `cep` (minted by an older release) is stale once.
 *
 * @example
 * const epochs = new ClaimsEpochs(live.policy, Date.now)
 * if (epochs.isStale(claims)) reMint()
 */
export class ClaimsEpochs {
  /** Tokens rendered from a config version below this are stale. */
  configVersion: number
  private shape: string
  private readonly users = new Map<string, { epoch: number; untilMs: number }>()

  constructor(policy: CompiledPolicy, private readonly now: () => number) {
    this.configVersion = policy.version
    this.shape = claimsShape(policy.config)
  }

  isStale(claims: SessionClaims): boolean {
    const cep = claims[EPOCHS_CLAIM] as [number, number] | undefined
    if (!cep) return true
    if (cep[0] < this.configVersion) return true
    if (this.users.size === 0) return false
    const user = this.users.get(claims.sub)
    return user !== undefined && cep[1] < user.epoch
  }

  /** A new policy is live: when its claims shape differs, every older token is stale. */
  notePolicy(policy: CompiledPolicy): void {
    const shape = claimsShape(policy.config)
    if (shape !== this.shape && policy.version > this.configVersion) this.configVersion = policy.version
    this.shape = shape
  }

  /** A user's claims epoch moved (here, via NOTIFY or a catch-up read); tokens of lower epochs are stale. */
  noteUser(userId: string, epoch: number): void {
    const nowMs = this.now()
    if (this.users.size > 1_000) for (const [id, entry] of this.users) if (entry.untilMs <= nowMs) this.users.delete(id)
    const current = this.users.get(userId)
    if (!current || epoch >= current.epoch) this.users.set(userId, { epoch: Math.max(epoch, current?.epoch ?? 0), untilMs: nowMs + USER_EPOCH_MEMORY_MS })
  }

  /** The epoch this instance knows for a user (0 when none changed lately). */
  userEpoch(userId: string): number {
    return this.users.get(userId)?.epoch ?? 0
  }
}
