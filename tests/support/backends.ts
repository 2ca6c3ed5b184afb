import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { DatabaseOptions, GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'

/** A database the engine tests run on; every engine case runs once per backend. */
export interface Backend {
  name: string
  /** Options for a new, empty, isolated store. */
  freshStore(): Promise<DatabaseOptions>
  /** What a second instance passes to createGuard to reach the same store as `db` (opened from `options`). */
  sameStore(options: DatabaseOptions, db: GuardDatabase): GuardDatabase | DatabaseOptions
  /** Drops whatever `freshStore` created; call once, after every store of this backend is closed. */
  cleanup(): Promise<void>
}

/** Embedded PGlite: each fresh store is a new in-memory database (~2 s to start). */
export function pglite(): Backend {
  return {
    name: 'pglite',
    freshStore: async () => ({ dataDir: 'memory://' }),
    // An embedded database is one process: a second guard shares the open database.
    sameStore: (_options, db) => db,
    cleanup: async () => {},
  }
}

/**
 * A real PostgreSQL at `url`: each fresh store is a new `guard_test_<random>`
 * schema (reached through `search_path`), and `cleanup` drops every schema
 * this backend created.
 */
export function postgres(url: string): Backend {
  const schemas: string[] = []
  return {
    name: 'postgres',
    async freshStore() {
      const schema = `guard_test_${randomBytes(6).toString('hex')}`
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      try { await admin.query(`create schema ${schema}`) }
      finally { await admin.end() }
      schemas.push(schema)
      const scoped = new URL(url)
      scoped.searchParams.set('options', `-c search_path=${schema}`)
      return { url: scoped.toString(), dataDir: '' }
    },
    sameStore: options => options,
    async cleanup() {
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      try { for (const schema of schemas.splice(0)) await admin.query(`drop schema if exists ${schema} cascade`) }
      finally { await admin.end() }
    },
  }
}

/**
 * The backends for one test file, as new objects (so each file tracks and
 * drops only its own schemas): PGlite always, plus PostgreSQL when
 * GUARD_TEST_DATABASE_URL is set.
 */
export function testBackends(): Backend[] {
  const backends = [pglite()]
  if (process.env.GUARD_TEST_DATABASE_URL) backends.push(postgres(process.env.GUARD_TEST_DATABASE_URL))
  return backends
}
