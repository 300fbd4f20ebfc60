/**
 * Retention (src/main/sync/retention.ts): sessions that ended longer ago than the desk keeps them
 * leave the replica in the background, and
 * - leave nothing behind: no person, mark, day or search entry of theirs, no broken link;
 * - never while one of their marks is unsent: those wait, whole, until it is sent;
 * - never the audit log: every entry stays (with its upload state), and a 'session.prune' entry
 *   names the session and the people the entries were about;
 * - leave recent sessions alone, and follow the desk's setting.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { DATABASE_FILE } from '../../src/main/core'
import type { KeyValueStore } from '../../src/main/settings'
import { testDesk, ZONE } from './helpers'

const NOW = Date.parse('2026-12-01T12:00:00Z')
const DAY = 86_400_000

function memoryStore(initial: Record<string, unknown> = {}): KeyValueStore {
  const map = new Map(Object.entries(initial))
  return { get: (k) => map.get(k), set: (k, v) => void map.set(k, v) }
}

async function season(store = memoryStore()) {
  const clock = { t: NOW }
  const t = testDesk({ now: () => clock.t, syncTimerMs: 0, settingsStore: store })
  const sqlite = t.desk.db.$client
  const at = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString()
  const local = async (title: string, daysAgo: number, names: string[]) => {
    const s = await t.call('sessions.create', { title, startsAt: at(daysAgo), endsAt: new Date(NOW - daysAgo * DAY + 3_600_000).toISOString(), timeZone: ZONE, capacity: null })
    clock.t = NOW - daysAgo * DAY + 600_000
    for (const name of names) await t.call('attendance.walkIn', { sessionId: s.id, name, email: null, phone: null, partySize: 1, checkIn: true })
    clock.t = NOW
    return s.id
  }
  const oldClass = await local('Old spin class', 200, ['Aurelia Oldtimer', 'Bertram Oldtimer'])
  const recent = await local('Recent yoga', 10, ['Cora Recent'])
  // A Wix session of the same age, one of whose marks never reached Wix (this desk is local now).
  const ends = NOW - 200 * DAY + 3_600_000
  const wixSession = Number(
    sqlite
      .prepare(
        `INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, kind, app_id, created_at, updated_at)
         VALUES ('wix', 'ev-old', 'Old pottery', ?, ?, ?, 'CLASS', 'other-app', ?, ?)`
      )
      .run(ends - 3_600_000, ends, ZONE, NOW, NOW).lastInsertRowid
  )
  const person = sqlite.prepare(
    `INSERT INTO participations (provider, provider_id, session_id, name, sort_name, party_size, revision, created_at, updated_at) VALUES ('wix', ?, ?, ?, ?, 1, '1', ?, ?)`
  )
  const unsentPerson = Number(person.run('p-1', wixSession, 'Dora Unsent', 'dora unsent', NOW, NOW).lastInsertRowid)
  person.run('p-2', wixSession, 'Emil Unmarked', 'emil unmarked', NOW, NOW)
  await t.call('attendance.checkIn', { sessionId: wixSession, participationId: unsentPerson, attendees: 1, allowOverParty: false, method: 'manual' })
  await t.desk.sync.idle()
  return { t, sqlite, clock, oldClass, recent, wixSession }
}

const count = (sqlite: Database.Database, sql: string, ...params: unknown[]) => sqlite.prepare(sql).pluck().get(...params) as number

describe('retention', () => {
  it('prunes sessions past the retention period, leaving no orphans and every audit entry', async () => {
    const { t, sqlite, oldClass, recent, wixSession } = await season()
    const auditBefore = sqlite.prepare('SELECT id, action, session_id AS sessionId, participation_id AS participationId, op_id AS opId FROM audit_log ORDER BY id').all()
    const oldOps = count(sqlite, `SELECT count(*) FROM outbox WHERE session_id = ? AND state = 'done'`, oldClass)
    expect(oldOps).toBeGreaterThan(0)
    expect((await t.call('roster.page', { sessionId: oldClass, search: 'Oldtimer', offset: 0, limit: 10 })).total).toBe(2)
    const shownBefore = (await t.call('audit.list', { sessionId: oldClass, limit: 50 })).entries

    await t.desk.sync.pruneNow()

    // The old local class is gone, with its people, marks and search entries.
    expect(count(sqlite, 'SELECT count(*) FROM sessions WHERE id = ?', oldClass)).toBe(0)
    expect(count(sqlite, 'SELECT count(*) FROM participations WHERE session_id = ?', oldClass)).toBe(0)
    expect(count(sqlite, 'SELECT count(*) FROM attendance WHERE session_id = ?', oldClass)).toBe(0)
    expect(count(sqlite, `SELECT count(*) FROM participation_search WHERE participation_search MATCH 'oldtimer*'`)).toBe(0)
    expect(sqlite.pragma('foreign_key_check')).toEqual([])
    expect(count(sqlite, 'SELECT count(*) FROM attendance a LEFT JOIN participations p ON p.id = a.participation_id WHERE p.id IS NULL')).toBe(0)
    expect(count(sqlite, 'SELECT count(*) FROM attendance a LEFT JOIN sessions s ON s.id = a.session_id WHERE s.id IS NULL')).toBe(0)
    expect(count(sqlite, 'SELECT count(*) FROM participations p LEFT JOIN sessions s ON s.id = p.session_id WHERE p.session_id IS NOT NULL AND s.id IS NULL')).toBe(0)
    // FTS5's own check: the index holds exactly the rows left.
    sqlite.exec(`INSERT INTO participation_search(participation_search, rank) VALUES ('integrity-check', 1)`)

    // The old Wix session waits: one of its marks has not reached Wix.
    expect(count(sqlite, 'SELECT count(*) FROM sessions WHERE id = ?', wixSession)).toBe(1)
    expect(count(sqlite, 'SELECT count(*) FROM participations WHERE session_id = ?', wixSession)).toBe(2)
    expect(count(sqlite, `SELECT count(*) FROM attendance WHERE session_id = ? AND status = 'ATTENDED'`, wixSession)).toBe(1)
    expect(count(sqlite, `SELECT count(*) FROM outbox WHERE session_id = ? AND state = 'pending'`, wixSession)).toBe(1)
    // The recent class is untouched.
    expect((await t.call('roster.page', { sessionId: recent, search: '', offset: 0, limit: 10 })).rows.map((r) => [r.name, r.attendance.status])).toEqual([['Cora Recent', 'ATTENDED']])

    // Every audit entry is still there, as it was; the operations keep their upload state.
    expect(sqlite.prepare('SELECT id, action, session_id AS sessionId, participation_id AS participationId, op_id AS opId FROM audit_log WHERE id <= ? ORDER BY id').all((auditBefore.at(-1) as { id: number }).id)).toEqual(auditBefore)
    expect(count(sqlite, `SELECT count(*) FROM outbox WHERE session_id IS NULL AND state = 'done'`)).toBe(oldOps)
    const entries = (await t.call('audit.list', { sessionId: oldClass, limit: 50 })).entries
    // What the audit view says of each entry's upload is what it said before.
    const syncOf = (list: typeof entries) => Object.fromEntries(list.filter((e) => e.action !== 'session.prune').map((e) => [e.id, e.sync]))
    expect(syncOf(entries)).toEqual(syncOf(shownBefore))
    const prune = entries.find((e) => e.action === 'session.prune')!
    expect(prune.details).toMatchObject({ title: 'Old spin class' })
    expect(Object.values((prune.details as { people: Record<string, string> }).people).sort()).toEqual(['Aurelia Oldtimer', 'Bertram Oldtimer'])

    // Once the mark is sent (settled), the Wix session goes too, marks and all.
    sqlite.prepare(`UPDATE outbox SET state = 'done' WHERE session_id = ?`).run(wixSession)
    await t.desk.sync.pruneNow()
    expect(count(sqlite, 'SELECT count(*) FROM sessions WHERE id = ?', wixSession)).toBe(0)
    expect(count(sqlite, `SELECT count(*) FROM participations WHERE name IN ('Dora Unsent', 'Emil Unmarked')`)).toBe(0)
    expect(sqlite.pragma('foreign_key_check')).toEqual([])

    t.desk.close()
    const file = join(t.dataDir, DATABASE_FILE)
    const after = new Database(file, { readonly: true })
    try {
      expect(after.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(after.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(auditBefore.length + 2)
    } finally {
      after.close()
    }
  }, 60_000)

  it('is set in Set-up: saved with the other settings, refused out of range with nothing changed, and followed by the next pruning', async () => {
    const store = memoryStore()
    const { t, sqlite, oldClass, recent } = await season(store)
    expect((await t.call('settings.get', {})).retentionDays).toBe(180)

    // Out of range: a clear refusal naming the field, and nothing saved (not the provider either).
    for (const days of [6, 3651, 30.5]) {
      const answer = await t.dispatch('settings.save', { provider: 'wix', wix: { siteId: 'site-1', apiKey: 'k' }, retentionDays: days })
      expect(answer.ok).toBe(false)
      if (!answer.ok) {
        expect(answer.error.code).toBe('invalid_input')
        expect(answer.error.issues?.map((i) => i.path)).toEqual(['retentionDays'])
      }
    }
    expect(await t.call('settings.get', {})).toMatchObject({ provider: 'local', retentionDays: 180 })

    // Saved with the other settings; a save that leaves it out keeps it.
    expect((await t.call('settings.save', { provider: 'local', retentionDays: 7 })).retentionDays).toBe(7)
    expect((await t.call('settings.save', { provider: 'local' })).retentionDays).toBe(7)
    expect(store.get('retentionDays')).toBe(7)
    await t.desk.sync.pruneNow()
    // The 10-day-old class goes now; so does the 200-day-old one.
    expect(count(sqlite, 'SELECT count(*) FROM sessions WHERE id IN (?, ?)', oldClass, recent)).toBe(0)
  }, 60_000)

  it('follows the desk’s retention setting', async () => {
    const { t, sqlite, oldClass, wixSession } = await season(memoryStore({ retentionDays: 365 }))
    await t.desk.sync.pruneNow()
    expect(count(sqlite, 'SELECT count(*) FROM sessions WHERE id IN (?, ?)', oldClass, wixSession)).toBe(2)
    expect(count(sqlite, `SELECT count(*) FROM audit_log WHERE action = 'session.prune'`)).toBe(0)
  }, 60_000)
})
