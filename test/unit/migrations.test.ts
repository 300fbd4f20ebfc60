import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { findMigrationsFolder, openDatabase } from '../../src/main/db'
import { NewerDatabaseError } from '../../src/main/db/migrate'
import { DATABASE_FILE, openDesk } from '../../src/main/core'
import { tempDir } from './helpers'

/** A copy of the shipped migrations plus one more, as a future release would ship it. */
function migrationsWith(extraSql: string): string {
  const folder = join(tempDir(), 'drizzle')
  cpSync(findMigrationsFolder(), folder, { recursive: true })
  const journalFile = join(folder, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalFile, 'utf8'))
  const last = journal.entries[journal.entries.length - 1]
  journal.entries.push({ idx: last.idx + 1, version: last.version, when: last.when + 1000, tag: '9999_next', breakpoints: true })
  writeFileSync(journalFile, JSON.stringify(journal))
  writeFileSync(join(folder, '9999_next.sql'), extraSql)
  return folder
}

function seed(file: string) {
  const { db } = openDatabase(file)
  db.$client.exec(`
    INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, created_at, updated_at)
    VALUES ('local', 's1', 'Yoga', 0, 3600000, 'UTC', 0, 0);
    INSERT INTO participations (provider, provider_id, session_id, name, sort_name, created_at, updated_at)
    VALUES ('local', 'p1', 1, 'Anna', 'anna', 0, 0), ('local', 'p2', 1, 'Ben', 'ben', 0, 0);`)
  db.$client.close()
}

describe('migrations', () => {
  it('refuses a database a newer Rollcall migrated, with a clear message, and changes nothing', () => {
    const dir = tempDir()
    const file = join(dir, DATABASE_FILE)
    seed(file)
    // A newer release opened it first and added a column this version does not know.
    openDatabase(file, { migrationsFolder: migrationsWith('ALTER TABLE `participations` ADD `notes` text;') }).db.$client.close()
    const before = readFileSync(file)

    expect(() => openDatabase(file)).toThrow(/written by a newer version of Rollcall.*Nothing was changed/)
    expect(() => openDesk({ dataDir: dir, env: {} })).toThrow(NewerDatabaseError)
    expect(readFileSync(file).equals(before)).toBe(true)
    expect(readdirSync(dir).filter((f) => f.includes('before-migration'))).toHaveLength(1)
  })

  it('applies a new migration to a filled database, keeping every row and taking a backup first', () => {
    const dir = tempDir()
    const file = join(dir, 'desk.sqlite')
    seed(file)
    const folder = migrationsWith('ALTER TABLE `participations` ADD `notes` text;')
    const { db, migrations } = openDatabase(file, { migrationsFolder: folder })
    expect(db.$client.prepare('SELECT count(*) FROM participations').pluck().get()).toBe(2)
    expect(migrations.applied).toHaveLength(1)
    expect(migrations.backupFile && existsSync(migrations.backupFile)).toBe(true)
    db.$client.close()
  })

  it('refuses a migration that would drop rows and leaves the database as it was', () => {
    const dir = tempDir()
    const file = join(dir, 'desk.sqlite')
    seed(file)
    const folder = migrationsWith('DELETE FROM `participations` WHERE `name` = \'Ben\';')
    expect(() => openDatabase(file, { migrationsFolder: folder })).toThrow(/would drop 1 row\(s\) of participations; nothing was changed/)
    const { db } = openDatabase(file)
    expect(db.$client.prepare('SELECT name FROM participations ORDER BY name').pluck().all()).toEqual(['Anna', 'Ben'])
    db.$client.close()
    expect(readdirSync(dir).some((f) => f.includes('before-migration'))).toBe(true)
  })
})
