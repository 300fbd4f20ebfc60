/**
 * Migration "checkout_and_days" (check-out times, per-day attendance) on a desk that already has
 * marks: a database migrated up to the migration before it and filled with marks (one on a
 * three-day session), then opened by today's desk. Every old mark is still there, as it was; the
 * desk then checks the same person in on a later day and the earlier day's mark is kept, not lost.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DATABASE_FILE } from '../../src/main/core'
import { openDatabase } from '../../src/main/db'
import { migrationsBefore, tempDir, testDesk } from './helpers'

const TAG = /_checkout_and_days$/


const DEC3 = Date.UTC(2026, 11, 3, 8, 20) // Thu 3 Dec 2026, 09:20 Berlin

const SEED = `
  INSERT INTO desk_meta (key, value) VALUES ('desk_id', 'desk-old'), ('desk_name', 'Front desk');
  INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, kind, status, created_at, updated_at) VALUES
    ('local', 'local:conf', 'Conference', ${Date.UTC(2026, 11, 3, 7)}, ${Date.UTC(2026, 11, 5, 16)}, 'Europe/Berlin', 'DEFAULT', 'CONFIRMED', 0, 0),
    ('local', 'local:yoga', 'Yoga', ${Date.UTC(2026, 11, 3, 7)}, ${Date.UTC(2026, 11, 3, 8)}, 'Europe/Berlin', 'DEFAULT', 'CONFIRMED', 0, 0);
  INSERT INTO participations (provider, provider_id, session_id, name, sort_name, party_size, status, created_at, updated_at) VALUES
    ('local', 'p1', 1, 'Ada Test', 'ada test', 1, 'CONFIRMED', 0, 0),
    ('local', 'p2', 2, 'Ben Test', 'ben test', 2, 'CONFIRMED', 0, 0),
    ('local', 'p3', 2, 'Cleo Test', 'cleo test', 1, 'CONFIRMED', 0, 0);
  INSERT INTO attendance (participation_id, session_id, status, attendees, marked_at, desk_id, method, undo_status, undo_attendees, provider_id, updated_at) VALUES
    (1, 1, 'ATTENDED', 1, ${DEC3}, 'desk-old', 'manual', 'NOT_SET', 0, NULL, ${DEC3}),
    (2, 2, 'ATTENDED', 2, ${DEC3 + 60_000}, 'desk-old', 'scan', NULL, NULL, 'att-2', ${DEC3 + 60_000}),
    (3, 2, 'NOT_ATTENDED', 0, ${DEC3 + 120_000}, 'desk-old', 'manual', 'ATTENDED', 1, NULL, ${DEC3 + 120_000});
`

const OLD_COLUMNS = 'participation_id, session_id, status, attendees, marked_at, desk_id, method, undo_status, undo_attendees, provider_id, updated_at'

describe('migration checkout_and_days', () => {
  it('keeps every old mark as it was, and a later day’s check-in keeps the earlier day', async () => {
    const dataDir = tempDir()
    const file = join(dataDir, DATABASE_FILE)
    const old = openDatabase(file, { migrationsFolder: migrationsBefore(TAG) })
    old.db.$client.exec(SEED)
    const before = old.db.$client.prepare(`SELECT ${OLD_COLUMNS} FROM attendance ORDER BY id`).raw().all()
    old.db.$client.close()

    const { db, migrations } = openDatabase(file)
    // This migration and any later ones.
    expect(migrations.applied[0]).toBe('1795300003000')
    expect(db.$client.prepare(`SELECT ${OLD_COLUMNS} FROM attendance ORDER BY id`).raw().all()).toEqual(before)
    expect(db.$client.prepare('SELECT checked_out_at, day FROM attendance').raw().all()).toEqual([
      [null, null],
      [null, null],
      [null, null]
    ])
    expect(db.$client.prepare('SELECT count(*) FROM attendance_days').pluck().get()).toBe(0)
    db.$client.close()

    // Friday: Ada arrives again. Thursday's arrival shows with its day and moves to attendance_days.
    const t = testDesk({ dataDir, now: () => Date.UTC(2026, 11, 4, 8, 5) })
    const [ada] = (await t.call('roster.page', { sessionId: 1, search: '', offset: 0, limit: 10 })).rows
    expect(ada!.attendance).toMatchObject({ status: 'ATTENDED', earlierDay: true, markedAt: new Date(DEC3).toISOString() })
    expect(await t.call('roster.counts', { sessionId: 1 })).toMatchObject({ checkedIn: 0 })
    await t.call('attendance.checkIn', { sessionId: 1, participationId: ada!.participationId, attendees: 1 })
    expect(await t.call('roster.counts', { sessionId: 1 })).toMatchObject({ checkedIn: 1, insideNow: 1 })
    expect(t.desk.db.$client.prepare('SELECT participation_id, day, status, attendees, marked_at FROM attendance_days').raw().all()).toEqual([
      [1, '2026-12-03', 'ATTENDED', 1, DEC3]
    ])
    // The single-day session's marks are untouched by the new day.
    const yoga = (await t.call('roster.page', { sessionId: 2, search: '', offset: 0, limit: 10 })).rows
    expect(yoga.map((r) => [r.name, r.attendance.status, r.attendance.earlierDay])).toEqual([
      ['Ben Test', 'ATTENDED', false],
      ['Cleo Test', 'NOT_ATTENDED', false]
    ])
  })
})
