/**
 * Migration "person_history" on a desk that already has people and marks: every row is still
 * there as it was, the people it had get their identity (their history counts from day one), and
 * the marks kept before an old session is deleted reach person_history.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DATABASE_FILE } from '../../src/main/core'
import { openDatabase } from '../../src/main/db'
import { migrationsBefore, tempDir } from './helpers'

const TAG = /_person_history$/


const SEED = `
  INSERT INTO desk_meta (key, value) VALUES ('desk_id', 'desk-old'), ('desk_name', 'Front desk');
  INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, kind, status, schedule_name, raw, created_at, updated_at) VALUES
    ('wix', 'ev-1', 'Yoga', 1000, 2000, 'Europe/Berlin', 'CLASS', 'CONFIRMED', 'Yoga', '{"scheduleId":"sch-1"}', 0, 0),
    ('local', 'local:spin', 'Spin', 3000, 4000, 'Europe/Berlin', 'DEFAULT', 'CONFIRMED', NULL, NULL, 0, 0);
  INSERT INTO participations (provider, provider_id, session_id, name, sort_name, email, phone, contact_id, party_size, status, created_at, updated_at) VALUES
    ('wix', 'p1', 1, 'Ada', 'ada', 'Ada@Example.com', NULL, 'ct-1', 1, 'CONFIRMED', 0, 0),
    ('wix', 'p2', 1, 'Ben', 'ben', 'Ben@Example.com', NULL, NULL, 1, 'CONFIRMED', 0, 0),
    ('local', 'p3', 2, 'Ben', 'ben', NULL, '+49 170 1234', NULL, 1, 'CONFIRMED', 0, 0);
  INSERT INTO attendance (participation_id, session_id, status, attendees, marked_at, desk_id, method, updated_at) VALUES
    (1, 1, 'ATTENDED', 1, 1500, 'desk-old', 'manual', 1500),
    (2, 1, 'NOT_ATTENDED', 0, 1600, 'desk-old', 'manual', 1600);
`

describe('migration person_history', () => {
  it('keeps every row, gives old people their identity and old sessions their series', () => {
    const file = join(tempDir(), DATABASE_FILE)
    const old = openDatabase(file, { migrationsFolder: migrationsBefore(TAG) })
    old.db.$client.exec(SEED)
    const dump = (db: typeof old.db) => ({
      p: db.$client.prepare(`SELECT id, provider_id, name, email, phone, contact_id FROM participations ORDER BY id`).raw().all(),
      a: db.$client.prepare(`SELECT participation_id, session_id, status, attendees, marked_at FROM attendance ORDER BY id`).raw().all(),
      s: db.$client.prepare(`SELECT id, provider_id, title FROM sessions ORDER BY id`).raw().all()
    })
    const before = dump(old.db)
    old.db.$client.close()

    const { db, migrations } = openDatabase(file)
    expect(migrations.applied.length).toBeGreaterThanOrEqual(1)
    expect(dump(db)).toEqual(before)
    expect(db.$client.prepare(`SELECT person_key FROM participations ORDER BY id`).pluck().all()).toEqual(['c:wix:ct-1', 'e:ben@example.com', 'p:491701234'])
    expect(db.$client.prepare(`SELECT series_key FROM sessions ORDER BY id`).pluck().all()).toEqual(['wix:sch-1', 'local:t:spin'])

    // The old Yoga session is pruned: what its rows said stays.
    db.$client.exec(`DELETE FROM attendance WHERE session_id = 1; DELETE FROM participations WHERE session_id = 1; DELETE FROM sessions WHERE id = 1;`)
    expect(db.$client.prepare(`SELECT person_key, series_key, outcome FROM person_history ORDER BY person_key`).raw().all()).toEqual([
      ['c:wix:ct-1', 'wix:sch-1', 'ATTENDED'],
      ['e:ben@example.com', 'wix:sch-1', 'NOT_ATTENDED']
    ])
    db.$client.close()
  })
})
