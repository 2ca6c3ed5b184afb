/**
 * One process per PGlite data directory: a second opener (in this process or
 * another) is refused with an error naming the holder and what to do; a lock
 * left by a dead process is taken over; closing removes it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE } from '../../modules/guard/runtime/core/store/db/data-dir-lock'
import { openDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { processStartOf } from '../../modules/guard/runtime/core/store/db/process-identity'
import { rejectionOf } from '../support/engine'
import { deadPid, killAndWait, spawnLockHolder } from '../support/lock-holder'

const dirs: string[] = []
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'guard-lock-'))
  dirs.push(dir)
  return dir
}
const lockOf = async (dir: string) => JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))
const exists = (path: string) => readFile(path).then(() => true, () => false)
const staleLock = (fields: Record<string, unknown>) => JSON.stringify({ hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z', threadId: 0, token: 'old', ...fields })

afterAll(async () => { for (const dir of dirs) await rm(dir, { recursive: true, force: true }) })

describe('PGlite data directory', () => {
  it('a second open in the same process is refused until the first closes; data written before is there after', async () => {
    const dir = await freshDir()
    const first = await openDatabase({ dataDir: dir })
    try {
      await first.query('create table kept (value text)')
      await first.query(`insert into kept values ('written by the first')`)
      expect(await lockOf(dir)).toMatchObject({ pid: process.pid, hostname: hostname() })
      const error = await rejectionOf(openDatabase({ dataDir: dir }))
      expect(error).toBeInstanceOf(DataDirLockedError)
      expect((error as Error).message).toContain(`in use by process ${process.pid}`)
      expect((error as Error).message).toMatch(/stop that process first, or, to run several processes .* use PostgreSQL via NUXT_GUARD_DATABASE_URL/)
    }
    finally { await first.close() }
    expect(await exists(join(dir, LOCK_FILE))).toBe(false)

    const second = await openDatabase({ dataDir: dir })
    try { expect(await second.query('select value from kept')).toEqual([{ value: 'written by the first' }]) }
    finally { await second.close() }
  }, 60_000)

  it('memory:// takes no lock: two in-memory databases open side by side', async () => {
    const [a, b] = await Promise.all([openDatabase({ dataDir: 'memory://' }), openDatabase({ dataDir: 'memory://' })])
    await Promise.all([a.close(), b.close()])
  }, 60_000)
})

describe('acquireDataDirLock', () => {
  beforeEach(() => { vi.spyOn(console, 'warn').mockImplementation(() => {}) })
  afterEach(() => vi.restoreAllMocks())

  it('a live child process holding the directory is named in the refusal; once it is killed (-9) its stale lock is taken over', async () => {
    const dir = await freshDir()
    const holder = await spawnLockHolder(dir)
    try {
      expect((await lockOf(dir)).pid).toBe(holder.pid)
      const error = await rejectionOf(acquireDataDirLock(dir)) as Error
      expect(error).toBeInstanceOf(DataDirLockedError)
      expect(error.message).toContain(`in use by process ${holder.pid} on ${hostname()}`)
      expect(error.message).toContain('NUXT_GUARD_DATABASE_URL')
      expect(error.message).toContain(join(dir, LOCK_FILE))
    }
    finally { await killAndWait(holder.child) }
    const lock = await acquireDataDirLock(dir)
    expect(await lockOf(dir)).toMatchObject({ pid: process.pid, token: lock.holder.token })
    await lock.release()
    expect(await exists(join(dir, LOCK_FILE))).toBe(false)
  }, 60_000)

  it('a lock file naming a dead pid on this host is taken over, with a warning', async () => {
    const dir = await freshDir()
    const pid = await deadPid()
    await writeFile(join(dir, LOCK_FILE), staleLock({ pid }))
    const lock = await acquireDataDirLock(dir)
    expect((await lockOf(dir)).pid).toBe(process.pid)
    expect(vi.mocked(console.warn).mock.calls.flat().join('\n')).toContain(`process ${pid} that held it is gone`)
    await lock.release()
  })

  it.skipIf(!processStartOf(1))('a reused pid (alive, but started after the lock was written) is stale too', async () => {
    const dir = await freshDir()
    await writeFile(join(dir, LOCK_FILE), staleLock({ pid: 1, processStart: 'another-boot:1' }))
    const lock = await acquireDataDirLock(dir)
    expect((await lockOf(dir)).pid).toBe(process.pid)
    await lock.release()
  })

  it('a live pid, or another host, is refused and its lock left alone', async () => {
    const dir = await freshDir()
    const live = staleLock({ pid: 1 })
    await writeFile(join(dir, LOCK_FILE), live)
    expect(await rejectionOf(acquireDataDirLock(dir))).toBeInstanceOf(DataDirLockedError)
    const remote = staleLock({ pid: await deadPid(), hostname: 'some-other-host' })
    await writeFile(join(dir, LOCK_FILE), remote)
    expect((await rejectionOf(acquireDataDirLock(dir)) as Error).message).toContain('on some-other-host')
    expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe(remote)
  })

  it('a lock left by another thread of this process is waited for, then taken over', async () => {
    const dir = await freshDir()
    await writeFile(join(dir, LOCK_FILE), staleLock({ pid: process.pid, processStart: processStartOf(process.pid), threadId: 99 }))
    const started = Date.now()
    const lock = await acquireDataDirLock(dir, { sameProcessWaitMs: 300 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(300)
    expect((await lockOf(dir)).token).toBe(lock.holder.token)
    await lock.release()
  })

  it('release leaves a lock that is no longer its own', async () => {
    const dir = await freshDir()
    const lock = await acquireDataDirLock(dir)
    const replaced = staleLock({ pid: 1, token: 'someone-else' })
    await writeFile(join(dir, LOCK_FILE), replaced)
    await lock.release()
    expect(await readFile(join(dir, LOCK_FILE), 'utf8')).toBe(replaced)
  })
})
