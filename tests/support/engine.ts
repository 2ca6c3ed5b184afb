import { randomBytes } from 'node:crypto'
import { decodeProtectedHeader } from 'jose'
import { createGuard, type Guard } from '../../modules/guard/runtime/core/engine/create-guard'
import { openDatabase, type DatabaseOptions, type GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import type { Backend } from './backends'

/** The server secret of every guard in one test file. */
export const SECRET = randomBytes(32).toString('base64url')
export const PASSWORD = 'password-123'
export const HOUR = 3_600_000
export const DAY = 24 * HOUR
/** Defaults of the config schema, relied on by the engine tests. */
export const TOKEN_TTL_S = 60
export const SKEW_MS = 5_000
export const SESSION_TTL_DAYS = 7
/** The seed config of the engine under test: a claims template with two custom claims. */
export const SEED = { claims: { template: { email: '{{user.email}}', isMfa: '{{user.two_factor_enabled}}' } } }
/** How the refresh statement of SessionService begins, to count its round trips. */
export const REFRESH_SQL = 'update guard_sessions s set last_active_at'

let emailCounter = 0
/** A unique email address, readable by its label. */
export const newEmail = (label: string) => `${label}-${++emailCounter}-${randomBytes(3).toString('hex')}@example.test`
/** The kid in a token's header. */
export const kidOf = (token: string) => decodeProtectedHeader(token).kid
export const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/** Polls (in real time) until `check` holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(check: () => boolean, timeoutMs = 2_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) return false
    await sleep(10)
  }
  return true
}

/** Resolves to what `promise` rejected with, failing when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(value => { throw new Error(`expected a rejection, got ${JSON.stringify(value)}`) }, (error: unknown) => error)
}

/** Closes within `ms`, so a hung close never hangs the suite. */
export async function closeWithin(close: () => Promise<unknown>, ms = 5_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([close().catch(() => {}), new Promise(resolve => { timer = setTimeout(resolve, ms) })])
  clearTimeout(timer)
}

/** One engine under test: a guard (seeded with SEED) on its own fresh store. */
export interface Engine {
  /** How the store was opened, for a second instance (Backend.sameStore). */
  storeOptions: DatabaseOptions
  db: GuardDatabase
  guard: Guard
}

/**
 * Opens a fresh store of `backend` and starts a guard on it; meant for a
 * file's `beforeAll`, so that each test file starts one database. Closes the
 * database again when the guard fails to start.
 */
export async function startEngine(backend: Backend, now: () => number): Promise<Engine> {
  const storeOptions = await backend.freshStore()
  const db = await openDatabase(storeOptions)
  try {
    return { storeOptions, db, guard: await createGuard({ database: db, secret: SECRET, seed: SEED, now }) }
  }
  catch (error) {
    await closeWithin(() => db.close())
    throw error
  }
}

/**
 * Closes the guard, then the database (each bounded by closeWithin), then
 * drops the backend's stores; meant for the file's `afterAll`, after every
 * other guard on the backend is closed. Either may be undefined when
 * start-up failed.
 */
export async function stopEngine(backend: Backend, { guard, db }: Partial<Engine>): Promise<void> {
  if (guard) await closeWithin(() => guard.close())
  if (db) await closeWithin(() => db.close())
  await backend.cleanup()
}
