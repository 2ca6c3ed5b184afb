import { randomBytes } from 'node:crypto'
import { readFile, stat, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { threadId } from 'node:worker_threads'
import { GuardError } from '../../errors'
import { isProcessAlive, processStartOf } from './process-identity'

/** The lock file's name inside the data directory. */
export const LOCK_FILE = 'nuxt-guard.lock'

/** What the lock file records about the process holding the directory. */
export interface LockHolder {
  pid: number
  hostname: string
  /** ISO time the lock was taken. */
  startedAt: string
  /** Boot id and process start (Linux), to tell a reused pid from the holder. */
  processStart?: string
  threadId: number
  /** Random per lock, so a release never removes someone else's file. */
  token: string
}

/**
 * Another live process (or this one) holds the data directory. The guard
 * cannot start: a request answers 503 `temporarily_unavailable` with the
 * registry's description; the message naming the directory and the holder
 * is for the server log only.
 */
export class DataDirLockedError extends GuardError {
  constructor(readonly dataDir: string, readonly holder: LockHolder, sameProcess: boolean) {
    const who = `process ${holder.pid} on ${holder.hostname}, started ${holder.startedAt}${sameProcess ? ' (this very process, where it is already open: close that database first)' : ''}`
    super('temporarily_unavailable', undefined, {}, { message: `nuxt-guard: the embedded database in ${dataDir} is in use by ${who}. PGlite allows one process per data directory: stop that process first, or, to run several processes (or \`nuxt dev\` beside a built server), use PostgreSQL via NUXT_GUARD_DATABASE_URL. If that process no longer exists, delete ${join(dataDir, LOCK_FILE)}.` })
    this.name = 'DataDirLockedError'
  }
}

export interface DataDirLock { readonly holder: LockHolder; release(): Promise<void> }

/** Directories this thread holds (a second open in one thread is refused at once). */
const heldHere = new Set<string>()

/**
 * Takes `<dataDir>/nuxt-guard.lock` (created with O_EXCL, holding pid, host
 * and start time), so one process at a time opens the directory. A lock whose
 * process is gone (dead or reused pid on this host) is taken over. Another
 * thread of this very process (Nitro's dev server reloads its worker thread)
 * is waited for up to `sameProcessWaitMs`, then taken over with a warning.
 * Throws DataDirLockedError when a live process holds it.
 *
 * @example
 * const lock = await acquireDataDirLock('.data/guard/db')
 * try { await useDatabase() } finally { await lock.release() }
 */
export async function acquireDataDirLock(dataDir: string, { sameProcessWaitMs = 10_000 } = {}): Promise<DataDirLock> {
  const dir = resolve(dataDir)
  const path = join(dir, LOCK_FILE)
  const holder: LockHolder = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), processStart: processStartOf(process.pid), threadId, token: randomBytes(12).toString('hex') }
  if (heldHere.has(dir)) throw new DataDirLockedError(dir, holder, true)
  const waitUntil = Date.now() + sameProcessWaitMs
  for (;;) {
    try {
      await writeFile(path, `${JSON.stringify(holder)}\n`, { flag: 'wx', mode: 0o600 })
      heldHere.add(dir)
      return { holder, release: () => release(dir, path, holder.token) }
    }
    catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const seen = await readFile(path, 'utf8').catch(() => '')
    const other = parseHolder(seen)
    if (!other) {
      // Being written right now, or left half-written by a crash: give a writer a moment.
      if (await ageMs(path) > 2_000) await removeIfUnchanged(path, seen)
      else await sleep(50)
      continue
    }
    if (other.hostname !== holder.hostname) throw new DataDirLockedError(dir, other, false)
    const alive = isProcessAlive(other.pid, other.processStart)
    const sameProcess = alive && other.pid === process.pid
    if (alive && !sameProcess) throw new DataDirLockedError(dir, other, false)
    if (sameProcess && Date.now() < waitUntil) {
      await sleep(100)
      continue
    }
    if (sameProcess) console.warn(`[nuxt-guard] taking over ${path} from thread ${other.threadId} of this process, which did not release it in ${sameProcessWaitMs} ms`)
    else console.warn(`[nuxt-guard] taking over ${path}: process ${other.pid} that held it is gone`)
    await removeIfUnchanged(path, seen)
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as LockHolder
    return Number.isInteger(value.pid) && typeof value.hostname === 'string' && typeof value.token === 'string' ? value : undefined
  }
  catch { return undefined }
}

/** Deletes the lock file only if it still reads `seen` (another process may have just taken it over). */
async function removeIfUnchanged(path: string, seen: string): Promise<void> {
  if (await readFile(path, 'utf8').catch(() => undefined) === seen) await unlink(path).catch(() => {})
}

async function release(dir: string, path: string, token: string): Promise<void> {
  heldHere.delete(dir)
  const current = parseHolder(await readFile(path, 'utf8').catch(() => ''))
  if (current?.token === token) await unlink(path).catch(() => {})
}

const ageMs = async (path: string) => Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now())
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))
