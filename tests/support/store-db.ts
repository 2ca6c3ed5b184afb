import { afterAll, beforeAll } from 'vitest'
import { openDatabase, type GuardDatabase } from '../../modules/guard/runtime/core/store/db/database'
import { migrate } from '../../modules/guard/runtime/core/store/db/migrations'
import { createUser } from '../../modules/guard/runtime/core/store/users'

/**
 * A store test's database: a migrated in-memory PGlite opened before the
 * file's tests (with `users` created in order, so the first is the admin)
 * and closed after them; `use` receives it.
 *
 * @example
 * let db: GuardDatabase
 * withStoreDatabase([{ id: 'user_ada', email: 'ada@example.test' }], (opened) => { db = opened })
 */
export function withStoreDatabase(users: readonly { id: string; email: string }[], use: (db: GuardDatabase) => void): void {
  let db: GuardDatabase | undefined
  beforeAll(async () => {
    db = await openDatabase({ dataDir: 'memory://' })
    await migrate(db)
    for (const user of users) await createUser(db, { ...user, passwordHash: 'x' })
    use(db)
  }, 60_000)
  afterAll(async () => { await db?.close() })
}
