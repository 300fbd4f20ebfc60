/**
 * Plandocket's rules at the desk, against the strict fake: one open check-in per person (another
 * station's wins, settled without a duplicate), walk-ins Plandocket accepts (email, confirmed,
 * one operation), check-out and re-entry, multi-day events checked in daily, hidden events, and
 * the request budget.
 */
import { DateTime } from 'luxon'
import { describe, expect, it } from 'vitest'
import { RequestBudget } from '../../src/main/providers/budget'
import { ProviderError } from '../../src/main/providers/http'
import type { FakePlandocket, FakePlandocketSettings } from '../fakes/plandocket'
import { waitFor } from './helpers'
import { connectedDesk, drained, fakePlandocket, pullDay, pullSession, ZONE } from './sync-helpers'

/** One clock for the desk and the fake, so "yesterday" means the same to both. */
function clockAt(iso: string, flowing = false) {
  let at = Date.parse(iso)
  const t0 = Date.now()
  // Flowing: time passes as it does for the engine's own timers (retries are due by the clock).
  return { now: () => at + (flowing ? Date.now() - t0 : 0), set: (next: string) => (at = Date.parse(next)), advance: (ms: number) => (at += ms) }
}

async function setup(options: { event?: { date_from: string; date_to: string }; today?: string; fake?: Partial<FakePlandocketSettings>; flowing?: boolean } = {}) {
  const clock = clockAt(options.today ?? '2026-07-06T08:00:00Z', options.flowing)
  const fake = await fakePlandocket({ seed: 15, now: clock.now, ...options.fake })
  const event = fake.addEvent({ event_key: 'summit', title: 'Summit', date_from: '2026-07-06T07:00:00Z', date_to: '2026-07-06T16:00:00Z', ...options.event })
  const seeded = fake.seedMany(3, 'summit', (i) => ({ contact: { first_name: ['Ada', 'Ben', 'Cleo'][i], last_name: 'Test' } }))
  const t = await connectedDesk(fake, { now: clock.now })
  const date = DateTime.fromMillis(clock.now(), { zone: ZONE }).toISODate()!
  const session = (await pullDay(t, date)).find((s) => s.providerId === 'summit')!
  await pullSession(t, session.id)
  const rows = async () => (await t.call('roster.page', { sessionId: session.id, search: '', offset: 0, limit: 100 })).rows
  const row = async (first: string) => (await rows()).find((r) => r.name.startsWith(first))!
  return { clock, fake, event, seeded, t, session, rows, row }
}

const open = (fake: FakePlandocket) => fake.checkIns().filter((c) => c.is_checked_in)

describe('the Plandocket fake says no like Plandocket', () => {
  it('refuses (409) or logs a second open check-in, and requires an email for a contact', async () => {
    const { fake, seeded } = await setup({ fake: { repeatCheckIn: 'conflict' } })
    const post = (body: object) => fetch(`${fake.baseUrl}/check-ins`, { method: 'POST', headers: fake.headers(), body: JSON.stringify(body) })
    const ada = seeded[0]!.participant.id
    expect((await post({ event_key: 'summit', participant_id: ada, action: 'check_in', station: 'Eingang Süd' })).status).toBe(201)
    expect((await post({ event_key: 'summit', participant_id: ada, action: 'check_in' })).status).toBe(409)
    fake.configure({ repeatCheckIn: 'create' })
    expect((await post({ event_key: 'summit', participant_id: ada, action: 'check_in' })).status).toBe(201)
    expect(fake.violations()).toMatchObject([{ rule: 'second_open_check_in', participantId: ada }])

    const contact = await fetch(`${fake.baseUrl}/contacts`, { method: 'POST', headers: fake.headers(), body: JSON.stringify({ first_name: 'No', last_name: 'Mail', event_keys: ['summit'] }) })
    expect(contact.status).toBe(422)
    expect(await contact.json()).toEqual({ error: 'Validation failed', errors: { email: ['The email field is required.'] } })
  })

  it('counts the hour’s requests and sends X-RateLimit headers when asked', async () => {
    const { fake } = await setup({ fake: { rateLimitPerHour: 1000, rateLimitHeaders: true } })
    const before = fake.requestsThisHour()
    const answer = await fetch(`${fake.baseUrl}/events`, { headers: fake.headers() })
    expect(fake.requestsThisHour()).toBe(before + 1)
    expect(answer.headers.get('x-ratelimit-limit')).toBe('1000')
    expect(Number(answer.headers.get('x-ratelimit-remaining'))).toBe(1000 - before - 1)
  })
})

describe('one open check-in per person', () => {
  it('settles against another station’s check-in made while the desk was offline: one open check-in, the row says where and when', async () => {
    const { clock, fake, seeded, t, session, row } = await setup({ fake: { repeatCheckIn: 'create' }, flowing: true })
    const ada = await row('Ada')
    await fake.down()
    clock.advance(60_000) // the desk's copy of the check-ins is a minute old when it reconnects
    fake.addCheckIn({ event_participant_id: seeded[0]!.participant.id, station: 'Eingang Süd', checked_in_at: '2026-07-06T07:55:00Z' })
    await t.call('attendance.checkIn', { sessionId: session.id, participationId: ada.participationId, attendees: 1 })
    await fake.up()
    clock.advance(60_000) // past the engine's wait before it tries the service again
    await t.call('sync.now', {})
    await drained(t)
    expect(open(fake)).toHaveLength(1)
    expect(fake.violations()).toEqual([])
    expect((await row('Ada')).attendance).toMatchObject({ status: 'ATTENDED', station: 'Eingang Süd', markedAt: '2026-07-06T07:55:00.000Z' })
    expect(await t.call('sync.status', {})).toMatchObject({ problems: 0 })
  })

  it('is a conflict when this desk wanted something else (a party of two)', async () => {
    const { fake, seeded, t, session, row } = await setup()
    fake.addCheckIn({ event_participant_id: seeded[1]!.participant.id, station: 'Eingang Süd' })
    const ben = await row('Ben')
    await t.call('attendance.checkIn', { sessionId: session.id, participationId: ben.participationId, attendees: 2, allowOverParty: true })
    await waitFor(async () => (await t.call('sync.status', {})).problems === 1, 10_000, 'the conflict')
    const [problem] = (await t.call('sync.problems', {})).problems
    expect(problem).toMatchObject({ state: 'conflict', personName: ben.name })
    expect(problem).toMatchObject({ reason: 'sync_counts_one', params: { service: 'plandocket', station: 'Eingang Süd', counted: 2 } })
    expect(open(fake)).toHaveLength(1)
  })

  it('does not read the check-ins again for every check-in while its copy is fresh', async () => {
    const { fake, t, session, rows } = await setup()
    fake.clearRequests()
    for (const r of await rows()) await t.call('attendance.checkIn', { sessionId: session.id, participationId: r.participationId, attendees: 1 })
    await drained(t)
    expect(fake.requests('POST /check-ins')).toHaveLength(3)
    expect(fake.requests('GET /check-ins').length).toBeLessThanOrEqual(1)
  })
})

describe('walk-ins Plandocket accepts', () => {
  it('refuses a walk-in without email before anything is recorded', async () => {
    const { t, session, rows } = await setup()
    const error = await t.fail('attendance.walkIn', { sessionId: session.id, name: 'Walk In' })
    expect(error).toMatchObject({ code: 'invalid_input', reason: 'email_required' })
    expect(await rows()).toHaveLength(3)
  })

  it('creates the participant confirmed and checked in, in one operation', async () => {
    const { fake, t, session } = await setup()
    const row = await t.call('attendance.walkIn', { sessionId: session.id, name: 'Wanda Walker', email: 'wanda@example.com' })
    expect(row.attendance.status).toBe('ATTENDED')
    await drained(t)
    const contact = fake.contacts().find((c) => c.email === 'wanda@example.com')!
    const participant = fake.participants().find((p) => p.contact_id === contact.id)!
    expect(participant.is_confirmed).toBe(true)
    expect(open(fake).filter((c) => c.event_participant_id === participant.id)).toHaveLength(1)
    expect(await t.call('sync.status', {})).toMatchObject({ pending: 0, problems: 0 })
  })

  it('is one item for the desk when Plandocket refuses it', async () => {
    const { fake, t, session } = await setup()
    fake.faults.next(1, { type: 'status', status: 422, body: { error: 'Validation failed', errors: { email: ['The email has already been taken.'] } } }, 'POST /contacts')
    await t.call('attendance.walkIn', { sessionId: session.id, name: 'Wanda Walker', email: 'wanda@example.com' })
    await waitFor(async () => (await t.call('sync.status', {})).problems === 1, 10_000, 'the refusal')
    await drained(t)
    const { problems } = await t.call('sync.problems', {})
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ intent: { kind: 'walk_in' }, reason: 'provider_said', params: { text: 'Validation failed: The email has already been taken.' } })
  })
})

describe('check-out and re-entry', () => {
  it('checks out and back in: Plandocket gets check_out and a new check-in; counts say who is inside', async () => {
    const { fake, t, session, row } = await setup()
    const ada = await row('Ada')
    await t.call('attendance.checkIn', { sessionId: session.id, participationId: ada.participationId, attendees: 1 })
    await t.call('attendance.checkIn', { sessionId: session.id, participationId: (await row('Ben')).participationId, attendees: 1 })
    expect(await t.call('roster.counts', { sessionId: session.id })).toMatchObject({ checkedIn: 2, insideNow: 2 })
    const out = await t.call('attendance.checkOut', { sessionId: session.id, participationId: ada.participationId })
    expect(out.attendance.checkedOutAt).not.toBeNull()
    expect(await t.call('roster.counts', { sessionId: session.id })).toMatchObject({ checkedIn: 2, insideNow: 1 })
    await drained(t)
    expect(open(fake)).toHaveLength(1)
    const back = await t.call('attendance.checkIn', { sessionId: session.id, participationId: ada.participationId, attendees: 1 })
    expect(back.attendance.checkedOutAt).toBeNull()
    await drained(t)
    expect(open(fake)).toHaveLength(2)
    expect(fake.checkIns().filter((c) => c.contact.first_name === 'Ada').map((c) => c.is_checked_in)).toEqual([false, true])
    expect(await t.call('roster.counts', { sessionId: session.id })).toMatchObject({ insideNow: 2 })
    await t.call('attendance.checkOut', { sessionId: session.id, participationId: (await row('Ben')).participationId })
    const file = await t.call('export.roster', { sessionId: session.id, columns: ['name', 'checkedInAt', 'checkedOutAt'] })
    expect(file.csv).toContain('Ben Test,2026-07-06 10:00,2026-07-06 10:00')
    const { entries } = await t.call('audit.list', { sessionId: session.id, beforeId: null, limit: 50 })
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['check_out', 'reentry']))
  })

  it('refuses to check out someone who is not inside', async () => {
    const { t, session, row } = await setup()
    const error = await t.fail('attendance.checkOut', { sessionId: session.id, participationId: (await row('Cleo')).participationId })
    expect(error).toMatchObject({ reason: 'not_inside' })
  })
})

describe('multi-day events', () => {
  const threeDays = { date_from: '2026-12-03T08:00:00Z', date_to: '2026-12-05T16:00:00Z' }

  it('shows yesterday’s arrival with its day, checks in for today, counts per day, keeps both days', async () => {
    const { fake, seeded, t, session, row } = await setup({ event: threeDays, today: '2026-12-04T08:30:00Z' })
    // Yesterday at another station; never checked out.
    fake.addCheckIn({ event_participant_id: seeded[0]!.participant.id, station: 'Eingang Süd', checked_in_at: '2026-12-03T08:20:00Z' })
    await t.desk.sync.requestPull({ kind: 'session', sessionId: session.id })
    await t.desk.sync.idle()
    const ada = await row('Ada')
    expect(ada.attendance).toMatchObject({ status: 'ATTENDED', earlierDay: true, markedAt: '2026-12-03T08:20:00.000Z' })
    expect(await t.call('roster.counts', { sessionId: session.id })).toMatchObject({ checkedIn: 0, insideNow: 0 })

    const today = await t.call('attendance.checkIn', { sessionId: session.id, participationId: ada.participationId, attendees: 1 })
    expect(today.attendance).toMatchObject({ earlierDay: false, markedAt: '2026-12-04T08:30:00.000Z' })
    expect(await t.call('roster.counts', { sessionId: session.id })).toMatchObject({ checkedIn: 1, insideNow: 1 })
    // A slip at the desk: today's check-in undone (back to yesterday's) and made again. Yesterday is
    // kept once, not refused as a duplicate of the copy already kept.
    const undone = await t.call('attendance.undo', { sessionId: session.id, participationId: ada.participationId })
    expect(undone.attendance).toMatchObject({ earlierDay: true, markedAt: '2026-12-03T08:20:00.000Z' })
    await t.call('attendance.checkIn', { sessionId: session.id, participationId: ada.participationId, attendees: 1 })
    // Stats are per day too: today's arrival only.
    const stats = await t.call('stats.session', { sessionId: session.id, slotMinutes: 15 })
    expect(stats.arrivals.map((a) => a.people)).toEqual([1])
    expect(stats.arrivals[0]!.slotStart).toMatch(/^2026-12-04T09:30/)
    await drained(t)
    // Yesterday's check-in closed, today's open: still one open check-in.
    expect(fake.checkIns().filter((c) => c.event_participant_id === seeded[0]!.participant.id).map((c) => c.is_checked_in)).toEqual([false, true])
    const days = t.desk.db.$client.prepare('SELECT day, status, marked_at AS markedAt FROM attendance_days').all()
    expect(days).toEqual([{ day: '2026-12-03', status: 'ATTENDED', markedAt: Date.parse('2026-12-03T08:20:00Z') }])
    // The export: one row per person and day.
    const file = await t.call('export.roster', { sessionId: session.id, columns: ['name', 'day', 'attendance', 'checkedInAt', 'checkedOutAt'] })
    expect(file.csv.replace('\uFEFF', '').trim().split('\r\n')).toEqual([
      'Name,Day,Attendance,Checked in at,Checked out at',
      'Ada Test,2026-12-03,Checked in,2026-12-03 09:20,',
      'Ada Test,2026-12-04,Checked in,2026-12-04 09:30,',
      'Ben Test,,,,',
      'Cleo Test,,,,'
    ])
  })
})

describe('hidden events', () => {
  it('are not listed unless set-up asks for them', async () => {
    const { fake, t } = await setup()
    fake.addEvent({ event_key: 'staff-only', title: 'Staff only', date_from: '2026-07-06T07:00:00Z', date_to: '2026-07-06T09:00:00Z', is_visible: false })
    const start = DateTime.fromISO('2026-07-06', { zone: ZONE })
    const pullDay = async () => {
      await t.desk.sync.requestPull({ kind: 'day', from: start.toMillis(), to: start.plus({ days: 1 }).toMillis(), timeZone: ZONE })
      await t.desk.sync.idle()
      return (await t.call('sessions.forDay', { date: '2026-07-06', timeZone: ZONE })).sessions.map((s) => s.title)
    }
    expect(await pullDay()).toEqual(['Summit'])
    await t.call('settings.save', { provider: 'plandocket', plandocket: { baseUrl: fake.baseUrl, showHidden: true } })
    expect(await pullDay()).toEqual(expect.arrayContaining(['Summit', 'Staff only']))
  })
})

describe('the request budget', () => {
  it('keeps the last requests of the hour for sending marks, and obeys X-RateLimit', () => {
    let now = 0
    const budget = new RequestBudget(() => now, 150)
    for (let i = 0; i < 145; i++) budget.take('read')
    expect(() => budget.take('read')).toThrow(ProviderError)
    budget.take('send')
    expect(budget.view()).toMatchObject({ used: 146, budget: 150 })
    now += 3_600_001
    budget.take('read')
    budget.noteHeaders(new Headers({ 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil((now + 60_000) / 1000)) }))
    try {
      budget.take('send')
      expect.unreachable()
    } catch (err) {
      expect(err).toMatchObject({ kind: 'rate_limited' })
      expect((err as ProviderError).retryAfterMs).toBeGreaterThan(50_000)
    }
  })

  it('an idle desk with a roster open stays under 150 requests an hour and still sees another station within 30 s', async () => {
    const { fake, seeded, t, session, row } = await setup()
    const budget = new RequestBudget(Date.now, 150)
    // One poll of the open roster's check-ins: what it costs against this fake.
    fake.clearRequests()
    await t.desk.sync.requestPull({ kind: 'attendance', sessionId: session.id })
    await t.desk.sync.idle()
    const perPoll = fake.requests().length
    expect(fake.requests().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /check-ins'])
    // A day refresh (sessions only) and a whole roster, each every 20 minutes.
    fake.clearRequests()
    const start = DateTime.fromISO('2026-07-06', { zone: ZONE })
    await t.desk.sync.requestPull({ kind: 'day', from: start.toMillis(), to: start.plus({ days: 1 }).toMillis(), timeZone: ZONE, rosters: false })
    await t.desk.sync.requestPull({ kind: 'session', sessionId: session.id })
    await t.desk.sync.idle()
    const refresh = fake.requests().length
    const interval = budget.pollIntervalMs(perPoll)
    expect(interval).toBeLessThanOrEqual(28_000)
    expect((3_600_000 / interval) * perPoll + 3 * refresh).toBeLessThan(150)
    // And what a poll brings shows: another station's check-in.
    fake.addCheckIn({ event_participant_id: seeded[2]!.participant.id, station: 'Eingang Süd' })
    await t.desk.sync.requestPull({ kind: 'attendance', sessionId: session.id })
    await t.desk.sync.idle()
    expect((await row('Cleo')).attendance).toMatchObject({ status: 'ATTENDED', station: 'Eingang Süd' })
    expect((await t.call('sync.status', {})).requests).toMatchObject({ budget: 150 })
  })
})
