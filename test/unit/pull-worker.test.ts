/**
 * The pull writes from its own thread and connection (src/main/sync/writer.ts, pull-worker.ts) and
 * leaves a resume cursor (engine.ts pullRoster): what a desk must still be able to rely on.
 * - A check-in made while a pull runs is committed at once, stays on disk, and comes before the
 *   pull's later rows: the pull does not overwrite that person with the service's older view.
 * - A download cut off half-way goes on from its cursor (only the cursor is sent, as Wix wants),
 *   removes nobody on the word of half a roster, and the next complete download does.
 * - A cursor the service no longer knows costs one refused request, then the whole download again.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { DateTime } from 'luxon'
import { afterEach, describe, expect, it } from 'vitest'
import { DATABASE_FILE } from '../../src/main/core'
import { startFakeWix, type FakeWix } from '../fakes/wix'
import { testDesk, waitFor, type TestDesk } from './helpers'

const ZONE = 'Europe/Berlin'
const DAY = '2026-07-06'
const NS = '@rollcall/checkin'
const OTHER_APP = 'aaaaaaaa-1111-2222-3333-bbbbbbbbbbbb'

const fakes: FakeWix[] = []
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close()
})

async function conference(people: number) {
  const fake = await startFakeWix({ seed: 11, timeZone: ZONE })
  fakes.push(fake)
  const event = fake.addEvent({ title: 'Conference', type: 'CLASS', appId: OTHER_APP, start: `${DAY}T09:00:00`, end: `${DAY}T17:00:00`, timeZone: ZONE, totalCapacity: people * 2 })
  const seeded = fake.seedMany(people, (i) => ({ eventId: event.id, participant: { name: `Guest ${String(i).padStart(4, '0')}` }, partySize: 1 }))
  return { fake, event, seeded }
}

async function wixDesk(fake: FakeWix, options: { retryFast?: boolean } = {}): Promise<TestDesk> {
  const t = testDesk({
    syncTimerMs: options.retryFast ? 25 : 0,
    backoff: options.retryFast ? { baseMs: 5, capMs: 40, random: () => 0.5 } : { baseMs: 600_000, capMs: 600_000, random: () => 0.5 },
    providerTimeoutMs: 5_000
  })
  await t.call('settings.save', { provider: 'wix', wix: { siteId: fake.siteId, apiKey: fake.apiKey, baseUrl: fake.baseUrl, namespace: NS } })
  await t.desk.sync.idle()
  return t
}

async function pullDay(t: TestDesk) {
  const start = DateTime.fromISO(DAY, { zone: ZONE })
  await t.desk.sync.requestPull({ kind: 'day', from: start.toMillis(), to: start.plus({ days: 1 }).toMillis(), timeZone: ZONE })
  await t.desk.sync.idle()
  // Read directly: sessions.forDay would ask for the day again.
  return t.desk.db.$client.prepare(`SELECT id FROM sessions WHERE title = 'Conference'`).get() as { id: number }
}

const queries = (fake: FakeWix) => fake.requests((r) => r.method === 'POST' && r.path === '/calendar/v3/participations/query')
const onlyCursor = (body: unknown) => {
  const query = (body as { query?: Record<string, unknown> }).query ?? {}
  return Object.keys(query).join() === 'cursorPaging' && typeof (query.cursorPaging as { cursor?: unknown }).cursor === 'string'
}

describe('a check-in while the pull writes from its own thread', () => {
  it('is durable at once and ordered before the pull’s later rows: the pull does not overwrite that person', async () => {
    const PEOPLE = 2000
    const { fake, seeded } = await conference(PEOPLE)
    const t = await wixDesk(fake)
    const session = await pullDay(t)
    expect((await t.call('roster.page', { sessionId: session.id, search: '', offset: 0, limit: 1 })).total).toBe(PEOPLE)

    // Everyone changes in Wix; the last person is on the last page of the next download.
    for (const p of seeded) fake.updateParticipation(p.id, { participant: { name: `${p.participant.name} v2` } })
    const last = seeded.at(-1)!
    const local = t.desk.db.$client.prepare('SELECT id FROM participations WHERE provider_id = ?').pluck().get(last.id) as number
    // Sends wait (Wix answers 503 to every change), so the check-in stays unsent through the pull.
    fake.faults.always({ type: 'status', status: 503 }, (r) => r.method === 'PATCH')
    // After its first pages the download slows down (a quarter second a page), so the check-in
    // below lands half-way however busy the machine is.
    let page = 0
    fake.faults.always({ type: 'delay', ms: 250 }, (r) => r.path.endsWith('/participations/query') && ++page > 3)
    const renamed = t.desk.db.$client.prepare(`SELECT count(*) FROM participations WHERE name LIKE '% v2'`).pluck()
    const nameOf = t.desk.db.$client.prepare('SELECT name FROM participations WHERE id = ?').pluck()

    fake.clearRequests()
    const pulling = t.desk.sync.requestPull({ kind: 'session', sessionId: session.id })
    await waitFor(() => (renamed.get() as number) >= 100, 30_000, 'the pull to write its first pages')
    // Half-way: the pull has written some pages and not yet this person's.
    expect(renamed.get() as number).toBeLessThan(PEOPLE - 100)
    expect(nameOf.get(local)).toBe('Guest 1999')
    const row = await t.call('attendance.checkIn', { sessionId: session.id, participationId: local, attendees: 1, allowOverParty: false, method: 'manual' })
    expect(row.attendance.status).toBe('ATTENDED')
    // Committed before the call answered: another connection sees it now, mid-pull.
    const file = join(t.dataDir, DATABASE_FILE)
    const other = new Database(file, { readonly: true })
    try {
      expect(other.prepare('SELECT status FROM attendance WHERE participation_id = ? AND session_id = ?').pluck().get(local, session.id)).toBe('ATTENDED')
      expect(other.prepare(`SELECT state FROM outbox WHERE participation_id = ?`).pluck().get(local)).toBe('pending')
    } finally {
      other.close()
    }
    await pulling
    await t.desk.sync.idle()

    // The pull went on past the check-in and wrote everyone else's new rows …
    expect(renamed.get()).toBe(PEOPLE - 1)
    // … but not this person's: the desk's unsent mark comes first, with the row it was made on.
    expect(nameOf.get(local)).toBe('Guest 1999')
    const mine = await t.call('roster.page', { sessionId: session.id, search: 'Guest 1999', offset: 0, limit: 5 })
    expect(mine.rows.map((r) => [r.name, r.attendance.status])).toEqual([['Guest 1999', 'ATTENDED']])
    expect(t.desk.db.$client.prepare(`SELECT state FROM outbox WHERE participation_id = ?`).pluck().get(local)).toMatch(/pending|in_flight/)

    // Wix takes changes again: the mark goes out, and the desk then holds Wix's current record.
    fake.faults.clear()
    await t.call('sync.now', {})
    await waitFor(() => t.desk.db.$client.prepare(`SELECT state FROM outbox WHERE participation_id = ?`).pluck().get(local) === 'done', 15_000, 'the check-in to be sent')

    // On disk after the desk is gone: the mark and its audit entry.
    t.desk.close()
    const after = new Database(file, { readonly: true })
    try {
      expect(after.prepare('SELECT status FROM attendance WHERE participation_id = ? AND session_id = ?').pluck().get(local, session.id)).toBe('ATTENDED')
      expect(after.prepare(`SELECT count(*) FROM audit_log WHERE action = 'check_in' AND participation_id = ?`).pluck().get(local)).toBe(1)
    } finally {
      after.close()
    }
  }, 90_000)
})

/** Who is on the roster, read directly (a roster.page call would itself ask for a download). */
const onRoster = (t: TestDesk, sessionId: number) =>
  t.desk.db.$client.prepare('SELECT count(*) FROM participations WHERE session_id = ? AND removed_at IS NULL').pluck().get(sessionId) as number

describe('a roster download cut off half-way', () => {
  it('goes on from its cursor, removes nobody on half a roster, and the next whole download does', async () => {
    const PEOPLE = 1000
    const { fake, seeded } = await conference(PEOPLE)
    const t = await wixDesk(fake)
    // The sixth page of the roster fails (a gateway error): five pages are in.
    let n = 0
    fake.faults.next(1, { type: 'status', status: 502 }, (r) => r.path.endsWith('/participations/query') && ++n === 6)
    const session = await pullDay(t)
    expect(t.desk.sync.status().errors.map((e) => e.stage)).toEqual(['download'])
    const cursor = t.desk.db.$client.prepare('SELECT token, rows FROM pull_cursors WHERE session_id = ?').get(session.id) as { token: string; rows: number }
    expect(cursor.rows).toBe(500)
    expect(onRoster(t, session.id)).toBe(500)

    // Meanwhile someone already downloaded is removed in Wix.
    fake.removeParticipation(seeded[3]!.id)
    fake.clearRequests()
    await t.call('sync.now', {})
    await t.desk.sync.idle()
    expect(t.desk.sync.status().errors).toEqual([])
    // The rest only: five pages, the first of them asked for by its cursor alone.
    const asked = queries(fake)
    expect(asked).toHaveLength(5)
    expect(onlyCursor(asked[0]!.body)).toBe(true)
    expect(t.desk.db.$client.prepare('SELECT count(*) FROM pull_cursors').pluck().get()).toBe(0)
    // Half a roster proves nothing about who left: Guest 0003 stays until a whole download.
    expect(onRoster(t, session.id)).toBe(PEOPLE)

    fake.clearRequests()
    await t.desk.sync.requestPull({ kind: 'session', sessionId: session.id })
    await t.desk.sync.idle()
    expect(onlyCursor(queries(fake)[0]!.body)).toBe(false)
    expect(onRoster(t, session.id)).toBe(PEOPLE - 1)
    expect((await t.call('roster.page', { sessionId: session.id, search: 'Guest 0003', offset: 0, limit: 5 })).total).toBe(0)
  }, 60_000)

  it('starts again from the top when Wix no longer knows the cursor', async () => {
    const { fake } = await conference(300)
    const t = await wixDesk(fake)
    const session = await pullDay(t)
    // A cursor from a download Wix has forgotten (a restarted service, an expired query).
    t.desk.db.$client
      .prepare(`INSERT INTO pull_cursors (provider, session_id, token, rows, started_at, updated_at) VALUES ('wix', ?, ?, 100, ?, ?)`)
      .run(session.id, JSON.stringify({ f: 0, c: 'forgotten-cursor' }), Date.now(), Date.now())
    fake.clearRequests()
    await t.desk.sync.requestPull({ kind: 'session', sessionId: session.id })
    await t.desk.sync.idle()
    expect(t.desk.sync.status().errors).toEqual([])
    const asked = queries(fake)
    expect(asked.map((r) => r.status)).toEqual([400, 200, 200, 200])
    expect(onlyCursor(asked[1]!.body)).toBe(false)
    expect(t.desk.db.$client.prepare('SELECT count(*) FROM pull_cursors').pluck().get()).toBe(0)
    expect(onRoster(t, session.id)).toBe(300)
  }, 60_000)
})
