/**
 * Opens a desk database: WAL, foreign keys, full fsync at commit, then migrations.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import * as schema from './schema'
import { applyMigrations, type MigrationReport } from './migrate'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

export interface OpenOptions {
  /** An Electron-ABI build of better-sqlite3 when running inside Electron. */
  nativeBinding?: string
  migrationsFolder?: string
  readonly?: boolean
  /**
   * A second connection to a database another one has opened and migrated (the pull's writer,
   * sync/pull-worker.ts): no migrations, and commits at synchronous=NORMAL, because its rows can be
   * fetched again and the desk's next FULL commit syncs the whole WAL, its frames included.
   */
  secondary?: boolean
}

/** Finds the shipped `drizzle/` folder by walking up from this module (source, build and asar alike). */
export function findMigrationsFolder(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from
  for (;;) {
    const candidate = join(dir, 'drizzle')
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`no drizzle/ migrations folder above ${from}`)
    dir = parent
  }
}

export function openDatabase(file: string, options: OpenOptions = {}): { db: Db; migrations: MigrationReport } {
  mkdirSync(dirname(resolve(file)), { recursive: true })
  const sqlite = new Database(file, {
    readonly: options.readonly ?? false,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {})
  })
  try {
    sqlite.pragma('journal_mode = WAL')
    // FULL: a commit the desk acknowledged survives a pulled plug, not only a crashed process.
    sqlite.pragma(options.secondary ? 'synchronous = NORMAL' : 'synchronous = FULL')
    sqlite.pragma('busy_timeout = 5000')
    // Statement journals (a multi-row INSERT of a pull page keeps one, in case it fails half-way)
    // and sorts stay in memory: on disk they were two thirds of what a first pull wrote.
    sqlite.pragma('temp_store = MEMORY')
    const migrations = options.readonly || options.secondary
      ? { applied: [], backupFile: null }
      : applyMigrations(sqlite, file, options.migrationsFolder ?? findMigrationsFolder())
    sqlite.pragma('foreign_keys = ON')
    const db = drizzle({ client: sqlite, schema }) as Db
    return { db, migrations }
  } catch (err) {
    sqlite.close()
    throw err
  }
}
