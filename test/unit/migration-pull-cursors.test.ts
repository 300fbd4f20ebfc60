/**
 * Migration "pull_cursors_and_retention" (resume cursors, an outbox index by session) on a desk
 * that already has sessions, people, marks and operations: a database migrated up to the migration
 * before it and filled, then opened by today's desk. Every row is still there, as it was; the new
 * table starts empty and a session's cursor goes with the session.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DATABASE_FILE } from '../../src/main/core'
import { openDatabase } from '../../src/main/db'
import { createOutbox } from '../../src/main/sync'
import { migrationsBefore, tempDir } from './helpers'

const TAG = /_pull_cursors_and_retention$/

const SEED = `
  INSERT INTO desk_meta (key, value) VALUES ('desk_id', 'desk-old'), ('desk_name', 'Front desk');
  INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, kind, status, created_at, updated_at) VALUES
    ('wix', 'ev-1', 'Spin', 1000, 2000, 'Europe/Berlin', 'CLASS', 'CONFIRMED', 0, 0);
  INSERT INTO participations (provider, provider_id, session_id, name, sort_name, party_size, status, created_at, updated_at) VALUES
    ('wix', 'p1', 1, 'Ada Test', 'ada test', 1, 'CONFIRMED', 0, 0);
  INSERT INTO attendance (participation_id, session_id, status, attendees, marked_at, desk_id, method, updated_at) VALUES
    (1, 1, 'ATTENDED', 1, 1500, 'desk-old', 'manual', 1500);
  INSERT INTO outbox (op_id, kind, provider, session_id, participation_id, payload, state, desk_id, created_at, updated_at) VALUES
    ('op-1', 'attendance.set', 'wix', 1, 1, '{"status":"ATTENDED","attendees":1}', 'pending', 'desk-old', 1500, 1500);
  INSERT INTO audit_log (at, desk_id, action, session_id, participation_id, op_id, details) VALUES
    (1500, 'desk-old', 'check_in', 1, 1, 'op-1', '{}');
`
const TABLES = ['sessions', 'participations', 'attendance', 'outbox', 'audit_log']

describe('migration pull_cursors_and_retention', () => {
  it('keeps every row as it was; a cursor goes with its session', () => {
    const file = join(tempDir(), DATABASE_FILE)
    const old = openDatabase(file, { migrationsFolder: migrationsBefore(TAG) })
    old.db.$client.exec(SEED)
    const before = Object.fromEntries(TABLES.map((t) => [t, old.db.$client.prepare(`SELECT * FROM ${t} ORDER BY rowid`).raw().all()]))
    old.db.$client.close()

    const { db, migrations } = openDatabase(file)
    const sqlite = db.$client
    // This migration and any later ones.
    expect(migrations.applied[0]).toBe('1795300007000')
    for (const t of TABLES) expect(sqlite.prepare(`SELECT * FROM ${t} ORDER BY rowid`).raw().all()).toEqual(before[t])
    expect(sqlite.prepare('SELECT count(*) FROM pull_cursors').pluck().get()).toBe(0)
    expect(sqlite.prepare(`EXPLAIN QUERY PLAN SELECT 1 FROM outbox WHERE session_id = 1 AND state = 'pending'`).all().map((r) => (r as { detail: string }).detail).join()).toContain('outbox_session')
    // The old desk's unsent check-in is the engine's next operation, read through the unsent-only index.
    expect(createOutbox(db, () => 2000).head('wix', 10).map((r) => r.opId)).toEqual(['op-1'])

    sqlite.prepare(`INSERT INTO pull_cursors (provider, session_id, token, rows, started_at, updated_at) VALUES ('wix', 1, 'next', 100, 1, 1)`).run()
    sqlite.exec(`DELETE FROM attendance; UPDATE outbox SET session_id = NULL, participation_id = NULL; DELETE FROM participations; DELETE FROM sessions`)
    expect(sqlite.prepare('SELECT count(*) FROM pull_cursors').pluck().get()).toBe(0)
    sqlite.close()
  })
})
