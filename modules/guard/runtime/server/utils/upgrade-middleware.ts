import type { H3Event } from 'h3'
import type { JudgeOptions } from './judge-request'

/**
 * What an app's hand-written `guardMiddleware` does to each request, kept so
 * that WebSocket upgrades get the same: server middleware never runs for an
 * upgrade, so without this its per-request options (`authorizedParties`, the
 * sign-in page) and its own checks (`handler`) would not apply to them.
 */
export interface UpgradeMiddleware {
  /** Puts the request's options on the event (`event.context.guardRequest`). */
  prepare: (event: H3Event) => void
  /** How the guard judges (`enforce: false` only resolves `event.context.auth`). */
  judging: JudgeOptions
  /** The app's own checks, run for the app's routes only, as for a request. */
  handler?: (event: H3Event) => unknown
}

let registered: UpgradeMiddleware | undefined

/**
 * Records the app's `guardMiddleware` (one per app: the last one made wins,
 * as two would judge every request twice).
 *
 * @example
 * registerUpgradeMiddleware({ prepare, judging: {}, handler })
 */
export function registerUpgradeMiddleware(middleware: UpgradeMiddleware): void {
  registered = middleware
}

/** The app's `guardMiddleware` for upgrades, or `undefined` when the module's own middleware judges. */
export function upgradeMiddleware(): UpgradeMiddleware | undefined {
  return registered
}
