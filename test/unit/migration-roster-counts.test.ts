/**
 * Migration "roster_counts" (the indexes a roster's counts are read from) on a desk with a filled
 * season: a database migrated up to the migration before it, filled with a course, a class and an
 * earlier session, marks and accented names, then opened by today's desk. Nothing is lost, the
 * counts are what they were, and search still finds everyone, on their own roster only.
 */
import { join } from 'node:path'
import { DateTime } from 'luxon'
import { describe, expect, it } from 'vitest'
import { DATABASE_FILE } from '../../src/main/core'
import { openDatabase } from '../../src/main/db'
import { foldText } from '../../src/main/core/text'
import { migrationsBefore, tempDir, testDesk } from './helpers'

const TAG = /_roster_counts$/
const TABLES = ['sessions', 'participations', 'attendance', 'outbox', 'audit_log']
const NAMES = ['Zoë Ødegaard', 'Łukasz Straße', 'Ana Núñez', 'Søren Berg', 'Jürgen Müller', 'Ada Test']

describe('migration roster_counts', () => {
  it('keeps every row, the counts stay, and search finds everyone on their own roster', async () => {
    const dataDir = tempDir()
    const file = join(dataDir, DATABASE_FILE)
    const old = openDatabase(file, { migrationsFolder: migrationsBefore(TAG) })
    const sqlite0 = old.db.$client
    const now = Date.now()
    // Today 10:00-11:00 in Berlin: a session that crossed midnight would count only one day's marks.
    const start = DateTime.now().setZone('Europe/Berlin').set({ hour: 10, minute: 0, second: 0, millisecond: 0 }).toMillis()
    const addSession = sqlite0.prepare(
      `INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, schedule_id, capacity, created_at, updated_at)
       VALUES ('wix', ?, ?, ?, ?, 'Europe/Berlin', ?, 30, 0, 0)`
    )
    const course = Number(addSession.run('ev-c', 'Course', start, start + 3_600_000, 'sched-1').lastInsertRowid)
    const earlier = Number(addSession.run('ev-e', 'Last spring', now - 200 * 86_400_000, now - 200 * 86_400_000 + 3_600_000, null).lastInsertRowid)
    const add = sqlite0.prepare(
      `INSERT INTO participations (provider, provider_id, session_id, schedule_id, name, sort_name, email, party_size, status, search_codes, created_at, updated_at)
       VALUES ('wix', ?, ?, ?, ?, ?, ?, ?, ?, '', 0, 0)`
    )
    const who: { id: number; name: string; sessionId: number }[] = []
    sqlite0.transaction(() => {
      for (let i = 0; i < 60; i++) {
        const name = `${NAMES[i % NAMES.length]} ${String(i).padStart(2, '0')}`
        // A third by the course, a third by this class, a third in the earlier session.
        const [sessionId, scheduleId] = i % 3 === 0 ? [null, 'sched-1'] : i % 3 === 1 ? [course, null] : [earlier, null]
        const id = Number(
          add.run(`p${i}`, sessionId, scheduleId, name, foldText(name), `person${i}@example.org`, 1 + (i % 3), i % 7 === 0 ? 'CANCELLED' : 'CONFIRMED')
            .lastInsertRowid
        )
        who.push({ id, name, sessionId: sessionId === earlier ? earlier : course })
      }
    })()
    sqlite0.exec(`
      INSERT INTO attendance (participation_id, session_id, status, attendees, marked_at, desk_id, method, updated_at)
        SELECT id, ${course}, 'ATTENDED', party_size, ${now}, 'desk-old', 'manual', ${now} FROM participations WHERE id % 4 = 1 AND session_id IS NOT ${earlier};
      INSERT INTO audit_log (at, desk_id, action, session_id, participation_id, details)
        SELECT ${now}, 'desk-old', 'check_in', session_id, participation_id, '{}' FROM attendance;`)
    const before = Object.fromEntries(TABLES.map((t) => [t, sqlite0.prepare(`SELECT * FROM ${t} ORDER BY rowid`).raw().all()]))
    const counts = sqlite0
      .prepare(
        `SELECT count(CASE WHEN p.status <> 'CANCELLED' THEN 1 END) AS participations,
           coalesce(sum(CASE WHEN p.status <> 'CANCELLED' THEN p.party_size END), 0) AS expectedPeople,
           coalesce(sum(CASE WHEN a.status = 'ATTENDED' THEN a.attendees END), 0) AS arrivedPeople,
           count(CASE WHEN a.status = 'ATTENDED' THEN 1 END) AS checkedIn
         FROM participations p LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = @s
         WHERE (p.session_id = @s OR p.schedule_id = 'sched-1') AND p.removed_at IS NULL`
      )
      .get({ s: course }) as Record<string, number>
    sqlite0.close()

    const { db, migrations } = openDatabase(file)
    expect(migrations.applied).toEqual(['1795300008000'])
    for (const t of TABLES) expect(db.$client.prepare(`SELECT * FROM ${t} ORDER BY rowid`).raw().all()).toEqual(before[t])
    db.$client.close()

    const t = testDesk({ dataDir })
    expect(await t.call('roster.counts', { sessionId: course })).toMatchObject(counts)
    expect(counts.participations).toBeGreaterThan(0)
    expect(counts.arrivedPeople).toBeGreaterThan(0)
    // Everyone by their name, typed as written and without its accents, on their own roster only.
    for (const p of who) {
      for (const typed of [p.name, foldText(p.name)]) {
        const own = await t.call('roster.page', { sessionId: p.sessionId, search: typed, offset: 0, limit: 5 })
        expect(own.rows.map((r) => r.participationId)).toEqual([p.id])
        const other = await t.call('roster.page', { sessionId: p.sessionId === course ? earlier : course, search: typed, offset: 0, limit: 5 })
        expect(other.total).toBe(0)
      }
    }
  })
})
