/**
 * Attendance history (issue 20): who is the same person, and the figures a desk sees for them —
 * computed from a seeded class series, kept when old sessions are pruned, hidden in self-service.
 */
import { DateTime } from 'luxon'
import { describe, expect, it } from 'vitest'
import { HISTORY_ZONE, seedHistory } from '../history/seed'
import { testDesk } from './helpers'
import type { PersonHistory } from '../../src/shared/contract'
import type { KeyValueStore } from '../../src/main/settings'
import { createRetention } from '../../src/main/sync/retention'

const TODAY = '2026-12-07'
const NOW = DateTime.fromISO(`${TODAY}T08:30`, { zone: HISTORY_ZONE }).toMillis()

async function seeded(settingsStore?: KeyValueStore) {
  const t = testDesk({ now: () => NOW, settingsStore })
  const call = <T,>(name: string, input: Record<string, unknown>) => t.call(name as never, input as never) as Promise<T>
  const { yogaToday } = await seedHistory(call, TODAY)
  const { rows } = await t.call('roster.page', { sessionId: yogaToday, search: '', offset: 0, limit: 50 })
  const { people } = await t.call('history.people', { sessionId: yogaToday, participationIds: rows.map((r) => r.participationId) })
  const of = (name: string, email?: string) => {
    const i = rows.findIndex((r) => r.name === name && (email === undefined || r.email === email))
    expect(i, name).toBeGreaterThanOrEqual(0)
    return people[i] as PersonHistory | null
  }
  return { t, yogaToday, rows, of }
}

describe('who is the same person', () => {
  it('contact id beats email beats phone; email ignores case and spaces; a name alone is nobody', () => {
    const { desk } = testDesk({ now: () => NOW })
    const sqlite = desk.db.$client
    sqlite.exec(`INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, created_at, updated_at)
                 VALUES ('wix', 'ev-1', 'Yoga', 0, 1, 'UTC', 0, 0)`)
    const add = sqlite.prepare(
      `INSERT INTO participations (provider, provider_id, session_id, name, sort_name, email, phone, contact_id, created_at, updated_at)
       VALUES ('wix', ?, 1, ?, ?, ?, ?, ?, 0, 0) RETURNING person_key`
    ).pluck()
    const key = (id: string, name: string, email: string | null, phone: string | null, contact: string | null) => add.get(id, name, name.toLowerCase(), email, phone, contact)
    expect(key('a', 'Anna', 'anna@example.com', '+49 170 1', 'contact-1')).toBe('c:wix:contact-1')
    // The same email under another contact id is another person: the contact id decides.
    expect(key('b', 'Anna', 'anna@example.com', null, 'contact-2')).toBe('c:wix:contact-2')
    expect(key('c', 'Anna', '  Anna@Example.COM ', '+49 170 1', null)).toBe('e:anna@example.com')
    expect(key('d', 'Anna', 'anna @example.com', null, null)).toBe('e:anna@example.com')
    expect(key('e', 'Bo', null, '+49 (170) 123-45.67', null)).toBe('p:491701234567')
    expect(key('f', 'Bo', 'not an email', '0170 1234567', null)).toBe('p:01701234567')
    // Two Annas without a way to tell who they are: no identity, never merged by name.
    expect(key('g', 'Anna', null, null, null)).toBeNull()
    expect(key('h', 'Anna', '', '12', '  ')).toBeNull()
  })
})

describe('history at the desk', () => {
  it('a seeded class series gives the right figures on the row and in the details', async () => {
    const { t, yogaToday, of, rows } = await seeded()
    const ada = of('Ada Lovelace', 'ada@example.com')!
    expect(ada.firstVisit).toBe(false)
    expect(ada.series).toMatchObject({ visits: 6, visitsRecent: 6, noShowsOfLast: 0, lastBooked: 5 })
    expect(ada.overall).toMatchObject({ visits: 8, noShowsOfLast: 0 })
    // Last week's Yoga, after the Spin class two days before it.
    const lastYoga = DateTime.fromISO(`${TODAY}T09:00`, { zone: HISTORY_ZONE }).minus({ weeks: 1 }).toMillis()
    expect(ada.series.lastVisitAt).toBe(lastYoga)
    expect(ada.overall.lastVisitAt).toBe(lastYoga)

    const ben = of('Ben Okafor')!
    expect(ben.firstVisit).toBe(false)
    expect(ben.series).toMatchObject({ visits: 3, noShowsOfLast: 3, lastBooked: 5, noShows: 3 })

    // Same name, other email: a different person, on a first visit — not Ada's history.
    expect(of('Ada Lovelace', 'a.lovelace@other.example')).toMatchObject({ firstVisit: true, overall: { visits: 0 } })
    expect(of('Cleo Park')).toMatchObject({ firstVisit: true, series: { visits: 0, noShowsOfLast: 0, lastBooked: 0 } })
    // Booked once as " EVE@Example.com " and once as "eve@example.com": one person with two visits.
    expect(of('Eve Stone')).toMatchObject({ firstVisit: false, series: { visits: 2 } })
    // Nothing to know a person by: no history rather than a guess by name.
    expect(of('Finn')).toBeNull()

    const details = await t.call('history.person', { sessionId: yogaToday, participationId: rows.find((r) => r.name === 'Ben Okafor')!.participationId })
    expect(details!.recent.slice(0, 3).map((r) => r.attended)).toEqual([false, false, false])
    expect(details!.recent.length).toBe(6)
  })

  it('an unmarked booking counts as a no-show only when attendance was taken for that session', async () => {
    const { t, yogaToday, of } = await seeded()
    // Today's session is still to come: nobody's history counts it yet, and checking in is not history.
    const cleo = (await t.call('roster.page', { sessionId: yogaToday, search: 'Cleo', offset: 0, limit: 5 })).rows[0]!
    await t.call('attendance.checkIn', { sessionId: yogaToday, participationId: cleo.participationId, attendees: 1 })
    const again = await t.call('history.people', { sessionId: yogaToday, participationIds: [cleo.participationId] })
    expect(again.people[0]).toMatchObject({ firstVisit: true })
    expect(of('Ben Okafor')!.series.noShowsOfLast).toBe(3)
  })

  it('series stats: the no-show rate per session and the people who keep missing, as CSV', async () => {
    const { t, yogaToday } = await seeded()
    const stats = await t.call('history.series', { sessionId: yogaToday, days: 90 })
    expect(stats.seriesName).toBe('Morning Yoga')
    // Six past sessions (today's is still to come, not in the period's past).
    expect(stats.sessions.map((s) => [s.attended, s.noShows])).toEqual([[2, 0], [2, 0], [2, 0], [2, 1], [2, 1], [1, 1]])
    expect(stats.sessions.map((s) => s.noShowRate)).toEqual([0, 0, 0, 1 / 3, 1 / 3, 0.5])
    expect(stats.repeated).toEqual([expect.objectContaining({ name: 'Ben Okafor', email: 'ben@example.com', noShows: 3, booked: 6 })])
    const file = await t.call('history.noShowsCsv', { sessionId: yogaToday, days: 90, language: 'de', timeZone: HISTORY_ZONE })
    const lines = file.csv.replace(/^\uFEFF/, '').trim().split('\r\n')
    expect(lines[0]).toBe('Name,E-Mail,Telefon,Nicht erschienen,Gebuchte Termine,Zuletzt nicht erschienen,Letzter Besuch')
    // A phone starting with + is kept from being read as a formula, as in the roster export.
    expect(lines[1]).toBe("Ben Okafor,ben@example.com,'+49 170 555 0101,3,6,2026-11-30,2026-11-09")
    expect(file.rows).toBe(1)
  })

  // Retention (src/main/sync/retention.ts) with the desk keeping 10 days: through the desk's own
  // background job (on the pull's writer thread), and in one-row transactions, where a person's
  // mark and booking leave in different transactions.
  it.each([
    ['by the desk’s retention job', null],
    ['one row per transaction', 1]
  ] as const)('keeps its counts when old sessions are pruned from the replica (%s)', async (_how, rowsPerStep) => {
    const store = new Map<string, unknown>([['retentionDays', 10]])
    const { t, yogaToday, of } = await seeded({ get: (k) => store.get(k), set: (k, v) => void store.set(k, v) })
    const before = { ada: of('Ada Lovelace', 'ada@example.com'), ben: of('Ben Okafor'), eve: of('Eve Stone') }
    const statsBefore = await t.call('history.series', { sessionId: yogaToday, days: 90 })
    const sqlite = t.desk.db.$client
    const sessionsBefore = sqlite.prepare(`SELECT count(*) FROM sessions`).pluck().get() as number
    if (rowsPerStep === null) await t.desk.sync.pruneNow()
    else {
      const retention = createRetention(t.desk.db, () => NOW)
      for (let i = 0; i < 10_000 && retention.step(NOW - 10 * 86_400_000, rowsPerStep).sessionId !== null; i++);
    }
    // Only the last week's sessions and today's are left, with nothing pointing at what went.
    const sessionsAfter = sqlite.prepare(`SELECT count(*) FROM sessions`).pluck().get() as number
    expect(sessionsAfter).toBeLessThan(sessionsBefore)
    expect(sessionsAfter).toBeLessThanOrEqual(4)
    expect(sqlite.pragma('foreign_key_check')).toEqual([])
    const after = { ada: of('Ada Lovelace', 'ada@example.com'), ben: of('Ben Okafor'), eve: of('Eve Stone') }
    expect(after).toEqual(before)
    const statsAfter = await t.call('history.series', { sessionId: yogaToday, days: 90 })
    expect(statsAfter.sessions.map(({ sessionId: _, ...s }) => s)).toEqual(statsBefore.sessions.map(({ sessionId: _, ...s }) => s))
    expect(statsAfter.repeated).toEqual(statsBefore.repeated)
  }, 60_000)

  it('a self-service kiosk shows nobody’s history; bad input changes nothing', async () => {
    const { t, yogaToday, rows } = await seeded()
    await t.call('kiosk.setPin', { newPin: '2468' })
    await t.call('kiosk.enter', { selfService: true })
    const { people } = await t.call('history.people', { sessionId: yogaToday, participationIds: rows.map((r) => r.participationId) })
    expect(people.every((p) => p === null)).toBe(true)
    expect(await t.call('history.person', { sessionId: yogaToday, participationId: rows[0]!.participationId })).toBeNull()
    expect((await t.call('history.series', { sessionId: yogaToday, days: 90 })).repeated).toEqual([])
    expect((await t.fail('history.noShowsCsv', { sessionId: yogaToday, timeZone: HISTORY_ZONE })).code).toBe('refused')
    expect((await t.fail('history.people', { sessionId: yogaToday, participationIds: [] })).code).toBe('invalid_input')
    expect((await t.fail('history.series', { sessionId: yogaToday, days: 7 })).code).toBe('invalid_input')
    expect((await t.fail('history.person', { sessionId: 999_999, participationId: 1 })).code).toBe('not_found')
  })
})
