/**
 * Applies drizzle-kit migrations (same files and bookkeeping table as drizzle's own migrator), with
 * the guarantees a desk needs that drizzle's migrator does not give:
 * - a copy of the database is taken before any migration touches an existing database;
 * - all pending migrations run in one transaction that is rolled back if any table lost rows or a
 *   foreign key is left dangling, so a migration can never silently drop check-ins;
 * - a database a newer Rollcall has migrated is refused, not opened: this version would read and
 *   write tables whose meaning it does not know.
 */
import { existsSync } from 'node:fs'
import type Database from 'better-sqlite3'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import { foldText, refoldSearchCodes } from '../core/text'

export interface MigrationReport {
  applied: string[]
  backupFile: string | null
}

const TABLE = '__drizzle_migrations'

/** The database was written by a newer Rollcall; nothing was opened or changed. */
export class NewerDatabaseError extends Error {
  override readonly name = 'NewerDatabaseError'
  readonly code = 'database_newer'
  constructor(file: string) {
    super(
      `${file} was written by a newer version of Rollcall, and this version cannot safely use it. Nothing was changed. ` +
        'Install the newer Rollcall again, or start this one with another data folder (ROLLCALL_DATA_DIR).'
    )
  }
}

function rowCounts(sqlite: Database.Database): Map<string, number> {
  const tables = sqlite
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
       AND name NOT LIKE '%_search%' AND name <> ?`
    )
    .pluck()
    .all(TABLE) as string[]
  return new Map(tables.map((t) => [t, sqlite.prepare(`SELECT count(*) FROM "${t.replace(/"/g, '""')}"`).pluck().get() as number]))
}

export function applyMigrations(sqlite: Database.Database, file: string, migrationsFolder: string): MigrationReport {
  const migrations = readMigrationFiles({ migrationsFolder })
  sqlite.exec(`CREATE TABLE IF NOT EXISTS "${TABLE}" (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric)`)
  const last = sqlite.prepare(`SELECT max(created_at) FROM "${TABLE}"`).pluck().get() as number | null
  const newestKnown = Math.max(0, ...migrations.map((m) => m.folderMillis))
  if (last !== null && Number(last) > newestKnown) throw new NewerDatabaseError(file)
  const pending = migrations.filter((m) => last === null || Number(last) < m.folderMillis)
  if (pending.length === 0) return { applied: [], backupFile: null }

  // Migrations that recompute folded text call the desk's own fold: SQL has no copy of it.
  const text = (fn: (s: string) => string) => (value: unknown) => (typeof value === 'string' ? fn(value) : value)
  sqlite.function('rollcall_fold', { deterministic: true }, text(foldText))
  sqlite.function('rollcall_refold_codes', { deterministic: true }, text(refoldSearchCodes))

  const before = rowCounts(sqlite)
  const hasData = [...before.values()].some((n) => n > 0)
  let backupFile: string | null = null
  if (hasData && file !== ':memory:') {
    backupFile = `${file}.before-migration-${Date.now()}.sqlite`
    if (!existsSync(backupFile)) sqlite.prepare('VACUUM INTO ?').run(backupFile)
  }

  // Table rebuilds in generated migrations must not trip foreign keys half way; checked at the end.
  sqlite.pragma('foreign_keys = OFF')
  const run = sqlite.transaction(() => {
    for (const migration of pending) {
      for (const statement of migration.sql) if (statement.trim()) sqlite.exec(statement)
      sqlite.prepare(`INSERT INTO "${TABLE}" (hash, created_at) VALUES (?, ?)`).run(migration.hash, migration.folderMillis)
    }
    const after = rowCounts(sqlite)
    for (const [table, count] of before) {
      const now = after.get(table)
      if (now !== undefined && now < count) {
        throw new Error(`migration would drop ${count - now} row(s) of ${table}; nothing was changed`)
      }
      if (now === undefined && count > 0) {
        throw new Error(`migration would drop table ${table} with ${count} row(s); nothing was changed`)
      }
    }
    const dangling = sqlite.pragma('foreign_key_check') as unknown[]
    if (dangling.length > 0) throw new Error(`migration would leave ${dangling.length} dangling reference(s); nothing was changed`)
  })
  try {
    run()
  } finally {
    sqlite.pragma('foreign_keys = ON')
  }
  return { applied: pending.map((m) => String(m.folderMillis)), backupFile }
}
