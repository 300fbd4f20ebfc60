/**
 * Migration "printing" (badge print log, session badge settings, printed sheets) on a desk with
 * marks: a database migrated up to the migration before it and filled, then opened by today's desk.
 * Every old row is still there as it was; the new tables start empty and work at once.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DATABASE_FILE } from '../../src/main/core'
import { openDatabase } from '../../src/main/db'
import { migrationsBefore, tempDir, testDesk } from './helpers'

const TAG = /_printing$/


const AT = Date.UTC(2026, 6, 6, 7, 5)
const SEED = `
  INSERT INTO desk_meta (key, value) VALUES ('desk_id', 'desk-old'), ('desk_name', 'Front desk');
  INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, kind, status, created_at, updated_at) VALUES
    ('local', 'local:keynote', 'Keynote', ${Date.UTC(2026, 6, 6, 7)}, ${Date.UTC(2026, 6, 6, 9)}, 'Europe/Berlin', 'DEFAULT', 'CONFIRMED', 0, 0);
  INSERT INTO participations (provider, provider_id, session_id, name, sort_name, party_size, status, booking_id, created_at, updated_at) VALUES
    ('local', 'p1', 1, 'Ada Test', 'ada test', 1, 'CONFIRMED', 'BK-1', 0, 0),
    ('local', 'p2', 1, 'Ben Test', 'ben test', 2, 'CONFIRMED', 'BK-2', 0, 0);
  INSERT INTO attendance (participation_id, session_id, status, attendees, marked_at, desk_id, method, undo_status, undo_attendees, updated_at, day) VALUES
    (1, 1, 'ATTENDED', 1, ${AT}, 'desk-old', 'scan', 'NOT_SET', 0, ${AT}, '2026-07-06');
  INSERT INTO audit_log (at, desk_id, action, session_id, participation_id, details) VALUES (${AT}, 'desk-old', 'check_in', 1, 1, '{}');
`

describe('migration printing', () => {
  it('keeps every mark and audit entry, and the desk prints and logs badges right after', async () => {
    const dataDir = tempDir()
    const file = join(dataDir, DATABASE_FILE)
    const old = openDatabase(file, { migrationsFolder: migrationsBefore(TAG) })
    old.db.$client.exec(SEED)
    const marks = old.db.$client.prepare('SELECT * FROM attendance ORDER BY id').raw().all()
    const audit = old.db.$client.prepare('SELECT * FROM audit_log ORDER BY id').raw().all()
    old.db.$client.close()

    const { db, migrations } = openDatabase(file)
    expect(migrations.applied[0]).toBe('1795300006000')
    expect(db.$client.prepare('SELECT * FROM attendance ORDER BY id').raw().all()).toEqual(marks)
    expect(db.$client.prepare('SELECT * FROM audit_log ORDER BY id').raw().all()).toEqual(audit)
    for (const table of ['badge_prints', 'session_badges', 'printed_sheets']) expect(db.$client.prepare(`SELECT count(*) FROM ${table}`).pluck().get()).toBe(0)
    db.$client.close()

    const t = testDesk({ dataDir, now: () => AT + 60_000 })
    expect(await t.call('print.badgeSettings', { sessionId: 1 })).toEqual({ printOnCheckIn: false, layout: 'label_62x29', field: 'company' })
    expect((await t.call('print.badge', { sessionId: 1, participationId: 1 })).outcome).toBe('printed')
    expect((await t.call('print.badge', { sessionId: 1, participationId: 1 })).outcome).toBe('ask')
    const [ada] = (await t.call('roster.page', { sessionId: 1, search: '', offset: 0, limit: 5 })).rows
    expect(ada!.attendance).toMatchObject({ status: 'ATTENDED', markedAt: new Date(AT).toISOString() })
  })
})
