/**
 * Attendance history from Wix during the normal pull: past Bookings sessions' marks come from the
 * Attendance query, other events' from the participations' extended fields; only the desk's bound
 * (default 60 days) is read, in a few requests, and once — a later pull asks only for what is new.
 */
import { DateTime } from 'luxon'
import { describe, expect, it } from 'vitest'
import { BOOKINGS_APP_ID } from '../../src/main/providers/wix'
import { historyToPull } from '../../src/main/sync/history-pull'
import type { FakeWix } from '../fakes/wix'
import { connectedDesk, fakePlandocket, fakeWix, NS, ZONE } from './sync-helpers'

const TODAY = '2026-12-07'
const OTHER_APP = 'aaaaaaaa-1111-2222-3333-bbbbbbbbbbbb'
const DAY = 86_400_000


function seedSite(fake: FakeWix) {
  const date = (weeksAgo: number, days = 0) => DateTime.fromISO(TODAY, { zone: ZONE }).minus({ weeks: weeksAgo, days }).toFormat('yyyy-MM-dd')
  const people = {
    ada: { name: 'Ada Lovelace', email: 'ada@example.com', contactId: 'ct-ada' },
    ben: { name: 'Ben Okafor', email: 'ben@example.com', contactId: 'ct-ben' },
    cleo: { name: 'Cleo Park', email: 'cleo@example.com', contactId: 'ct-cleo' }
  }
  let booking = 0
  const book = (eventId: string, who: keyof typeof people) =>
    fake.addParticipation({ eventId, appId: BOOKINGS_APP_ID, externalId: `${String(++booking).padStart(8, '0')}-aaaa-bbbb-cccc-dddddddddddd`, participant: people[who], partySize: 1 })
  for (let w = 10; w >= 0; w--) {
    const yoga = fake.addEvent({
      title: 'Morning Yoga', scheduleId: 'sch-yoga', scheduleName: 'Morning Yoga', type: 'CLASS', appId: BOOKINGS_APP_ID,
      start: `${date(w)}T09:00:00`, end: `${date(w)}T10:00:00`, timeZone: ZONE, totalCapacity: 20
    })
    const ada = book(yoga.id, 'ada')
    const ben = book(yoga.id, 'ben')
    if (w === 0) book(yoga.id, 'cleo')
    if (w > 0) {
      fake.addAttendance({ bookingId: ada.externalId!, eventId: yoga.id, status: 'ATTENDED', numberOfAttendees: 1 })
      fake.addAttendance({ bookingId: ben.externalId!, eventId: yoga.id, status: w > 3 ? 'ATTENDED' : 'NOT_ATTENDED', numberOfAttendees: w > 3 ? 1 : 0 })
    }
  }
  // Another app's class: its marks live in the participation's extended fields.
  const pottery = fake.addEvent({ title: 'Pottery', type: 'CLASS', appId: OTHER_APP, start: `${date(2, 1)}T18:00:00`, end: `${date(2, 1)}T20:00:00`, timeZone: ZONE })
  fake.addParticipation({
    eventId: pottery.id, participant: people.ada, partySize: 1,
    extendedFields: { namespaces: { [NS]: { sessions: { [pottery.id]: { status: 'ATTENDED', attendees: 1, markedAt: `${date(2, 1)}T17:05:00.000Z`, deskId: 'desk-b' } } } } }
  })
}

describe('history from Wix', () => {
  it('the day pull fills the history within its bound, with few requests, and only once', async () => {
    const fake = await fakeWix({ seed: 20, timeZone: ZONE })
    seedSite(fake)
    const now = DateTime.fromISO(`${TODAY}T08:30`, { zone: ZONE }).toMillis()
    const t = await connectedDesk(fake, { now: () => now, providerTimeoutMs: 2_000, reconcileMs: 0 })
    expect((await t.call('settings.get', {})).wix.historyDays).toBe(60)

    await t.call('sessions.forDay', { date: TODAY, timeZone: ZONE })
    await t.desk.sync.idle()
    const [yoga] = (await t.call('sessions.forDay', { date: TODAY, timeZone: ZONE })).sessions
    await t.desk.sync.requestPull({ kind: 'session', sessionId: yoga!.id })
    await t.desk.sync.idle()
    const { rows } = await t.call('roster.page', { sessionId: yoga!.id, search: '', offset: 0, limit: 50 })
    const { people } = await t.call('history.people', { sessionId: yoga!.id, participationIds: rows.map((r) => r.participationId) })
    const of = (name: string) => people[rows.findIndex((r) => r.name === name)]!

    // Weeks 1-8 are within 60 days; weeks 9 and 10 are not, and were not read.
    expect(of('Ada Lovelace')).toMatchObject({ firstVisit: false, series: { visits: 8 }, overall: { visits: 9 } })
    expect(of('Ben Okafor')).toMatchObject({ series: { visits: 5, noShowsOfLast: 3, lastBooked: 5 } })
    expect(of('Cleo Park')).toMatchObject({ firstVisit: true })
    const sixtyDaysAgo = DateTime.fromISO(TODAY, { zone: ZONE }).minus({ days: 60 }).toMillis()
    const oldest = t.desk.db.$client.prepare(`SELECT min(starts_at) FROM sessions`).pluck().get() as number
    expect(oldest).toBeGreaterThanOrEqual(sixtyDaysAgo)

    // A handful of requests for nine past sessions: one query of their bookings, one of their marks.
    const historyQueries = fake.requests('POST /calendar/v3/participations/query').filter((r) => JSON.stringify(r.body ?? '').includes('$in'))
    expect(historyQueries.length).toBe(1)
    expect(fake.requests('POST /bookings/v2/attendance/query').length).toBeLessThanOrEqual(3)

    // The next pull of the day does not read the past again.
    const before = fake.requests().length
    t.desk.handlers['sync.now']({})
    await t.desk.sync.idle()
    const again = fake.requests().slice(before)
    expect(again.some((r) => r.path.endsWith('/query') && !r.path.includes('events') && JSON.stringify(r.body ?? '').includes('$in'))).toBe(false)
    expect(again.some((r) => r.path.includes('participations/query'))).toBe(true)
  })

  it('Plandocket: past events’ check-ins make the history; the same contact is the same person', async () => {
    const fake = await fakePlandocket({ seed: 20 })
    const ada = fake.addContact({ customer_number: 'C-ADA', first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com' })
    const ben = fake.addContact({ customer_number: 'C-BEN', first_name: 'Ben', last_name: 'Okafor', email: 'ben@example.com' })
    for (let w = 3; w >= 0; w--) {
      const date = DateTime.fromISO(TODAY, { zone: ZONE }).minus({ weeks: w }).toFormat('yyyy-MM-dd')
      fake.addEvent({ event_key: `workshop-${w}`, title: 'Workshop', date_from: `${date}T08:00:00Z`, date_to: `${date}T10:00:00Z`, is_visible: true })
      const a = fake.addParticipant({ event_key: `workshop-${w}`, contact_id: ada.id, is_confirmed: true })
      fake.addParticipant({ event_key: `workshop-${w}`, contact_id: ben.id, is_confirmed: true })
      if (w > 0) fake.addCheckIn({ event_participant_id: a.id, checked_in_at: `${date}T08:05:00Z` })
    }
    const now = DateTime.fromISO(`${TODAY}T08:30`, { zone: ZONE }).toMillis()
    const t = await connectedDesk(fake, { now: () => now, providerTimeoutMs: 2_000, reconcileMs: 0, connection: { extra: { historyDays: 30 } } })
    expect((await t.call('settings.get', {})).plandocket.historyDays).toBe(30)
    await t.call('sessions.forDay', { date: TODAY, timeZone: ZONE })
    await t.desk.sync.idle()
    const [today] = (await t.call('sessions.forDay', { date: TODAY, timeZone: ZONE })).sessions
    await t.desk.sync.requestPull({ kind: 'session', sessionId: today!.id })
    await t.desk.sync.idle()
    const { rows } = await t.call('roster.page', { sessionId: today!.id, search: '', offset: 0, limit: 50 })
    const { people } = await t.call('history.people', { sessionId: today!.id, participationIds: rows.map((r) => r.participationId) })
    const of = (name: string) => people[rows.findIndex((r) => r.name.startsWith(name))]!
    expect(of('Ada')).toMatchObject({ firstVisit: false, series: { visits: 3 } })
    // Ben was booked each week and never came while Ada was checked in: three no-shows.
    expect(of('Ben')).toMatchObject({ firstVisit: true, series: { visits: 0, noShowsOfLast: 3 } })
  })

  it('what is left to pull: everything the first time, the day(s) since later, nothing when covered', () => {
    const wanted = { from: 100 * DAY, to: 160 * DAY }
    expect(historyToPull(wanted, null)).toEqual(wanted)
    expect(historyToPull(wanted, wanted)).toBeNull()
    expect(historyToPull({ from: 101 * DAY, to: 161 * DAY }, wanted)).toEqual({ from: 159 * DAY, to: 161 * DAY })
    // The bound was raised: its whole range again.
    expect(historyToPull({ from: 40 * DAY, to: 160 * DAY }, wanted)).toEqual({ from: 40 * DAY, to: 160 * DAY })
  })
})
