/**
 * The fake Wix behaves as /work/shared/contracts/wix.md says, seen from a client over real HTTP:
 * auth, event ranges in a zone, cursor paging, idempotent creates, revisions, capacity,
 * attendance, and every fault a test can arm.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BOOKINGS_APP_ID, OTHER_APP_ID, startFakeWix, type FakeWix, type Participation } from '../fakes/wix'

const NOW = Date.parse('2026-07-01T10:00:00.000Z')
let clock = NOW
let wix: FakeWix

beforeEach(async () => {
  clock = NOW
  wix = await startFakeWix({ seed: 'fake-wix-test', now: () => clock })
})
afterEach(async () => {
  await wix.close()
})

interface Answer {
  status: number
  headers: Headers
  text: string
  body: any // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read arbitrary JSON
}

/** A well-behaved client call; `headers` replaces the defaults entirely when given. */
async function call(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const res = await fetch(wix.baseUrl + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: init.headers ?? wix.headers(),
    body: init.body === undefined ? undefined : JSON.stringify(init.body)
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined }
}

const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
const createBody = (eventId: string, extra: Record<string, unknown> = {}) => ({
  participation: { eventId, participant: { name: 'Jane Doe' }, partySize: 1, ...extra }
})

describe('auth', () => {
  it('accepts the API key and site id, refuses anything else with the documented bodies', async () => {
    expect((await call('/calendar/v3/events/query', { body: {} })).status).toBe(200)

    const { authorization: _a, ...noKey } = wix.headers()
    const missing = await call('/calendar/v3/events/query', { body: {}, headers: noKey })
    expect(missing.status).toBe(401)
    expect(missing.body).toMatchObject({ message: expect.any(String), details: { applicationError: { code: 'UNAUTHENTICATED' } } })

    const bearer = await call('/calendar/v3/events/query', { body: {}, headers: { ...wix.headers(), authorization: `Bearer ${wix.apiKey}` } })
    expect(bearer.status).toBe(401)

    const otherSite = await call('/calendar/v3/events/query', { body: {}, headers: { ...wix.headers(), 'wix-site-id': guid(9) } })
    expect(otherSite.status).toBe(403)
    expect(otherSite.body.details.applicationError).toMatchObject({ code: 'PERMISSION_DENIED', description: expect.any(String), data: {} })
  })

  it("refuses Node's default User-Agent (and none) with 403 and an empty body", async () => {
    const { 'user-agent': _ua, ...headers } = wix.headers()
    const nodeDefault = await call('/calendar/v3/events/query', { body: {}, headers }) // fetch sends "node"
    expect(nodeDefault).toMatchObject({ status: 403, text: '' })
    const undici = await call('/calendar/v3/events/query', { body: {}, headers: { ...headers, 'user-agent': 'undici' } })
    expect(undici).toMatchObject({ status: 403, text: '' })
  })
})

describe('keys with limited permissions', () => {
  it('refuses each API the key lacks the permission for with 403 before looking anything up; the rest works', async () => {
    const event = wix.addEvent({ start: '2026-07-06T09:00:00', appId: OTHER_APP_ID })
    const p = wix.addParticipation({ eventId: event.id })
    wix.setKey('reader', ['Read Calendar'])
    const as = (key: string) => ({ ...wix.headers(), authorization: key })
    expect((await call('/calendar/v3/events/query', { body: {}, headers: as('reader') })).status).toBe(200)
    expect((await call('/calendar/v3/participations/query', { body: { query: {} }, headers: as('reader') })).status).toBe(200)
    const write = await call(`/calendar/v3/participations/${p.id}`, { method: 'PATCH', body: { participation: { revision: '1', partySize: 2 } }, headers: as('reader') })
    expect(write.status).toBe(403)
    expect(write.body.details.applicationError).toMatchObject({ code: 'PERMISSION_DENIED', data: { permissions: ['Manage Calendar'] } })
    // 403, not 404, for an id that does not exist: the permission is checked first.
    expect((await call('/calendar/v3/participations/nope', { method: 'PATCH', body: { participation: { revision: '1' } }, headers: as('reader') })).status).toBe(403)
    expect((await call('/bookings/v2/attendance/query', { body: { query: {} }, headers: as('reader') })).status).toBe(403)
    expect(wix.participations()[0]!.partySize).toBe(1)
    // The default key can lose a permission too.
    wix.setPermissions(['Read Calendar', 'Manage Calendar'])
    expect((await call('/bookings/v2/attendance/query', { body: { query: {} } })).status).toBe(403)
  })
})

describe('deletions made elsewhere', () => {
  it('an attendance removed on Wix is gone from queries; a removed participation too', async () => {
    const event = wix.addEvent({ start: '2026-07-06T09:00:00' })
    const p = wix.addParticipation({ eventId: event.id, appId: BOOKINGS_APP_ID, externalId: guid(1) })
    const a = wix.addAttendance({ bookingId: guid(1), eventId: event.id })
    wix.removeAttendance(a.id)
    expect((await call('/bookings/v2/attendance/query', { body: { query: { filter: { eventId: event.id } } } })).body.attendances).toEqual([])
    wix.removeParticipation(p.id)
    expect((await call('/calendar/v3/participations/query', { body: { query: { filter: { eventId: event.id } } } })).body.participations).toEqual([])
    expect(() => wix.removeAttendance(a.id)).toThrow()
  })
})

describe('calendar events', () => {
  function seedDay() {
    const zone = 'Europe/London' // UTC+1 in July
    return {
      overnight: wix.addEvent({ title: 'overnight', start: '2026-07-05T23:00:00', end: '2026-07-06T00:30:00', timeZone: zone }),
      morning: wix.addEvent({ title: 'morning', start: '2026-07-06T09:00:00', timeZone: zone, type: 'COURSE' }),
      late: wix.addEvent({ title: 'late', start: '2026-07-06T23:30:00', timeZone: zone }),
      // 00:30 London on the 7th is 23:30 UTC on the 6th: in the range only when read as UTC.
      nextDay: wix.addEvent({ title: 'nextDay', start: '2026-07-07T00:30:00', timeZone: zone }),
      master: wix.addEvent({ title: 'master', start: '2026-07-06T12:00:00', timeZone: zone, recurrenceType: 'MASTER' }),
      appointment: wix.addEvent({ title: 'appointment', start: '2026-07-06T13:00:00', timeZone: zone, type: 'APPOINTMENT' })
    }
  }
  const dayQuery = (timeZone: string) => ({
    fromLocalDate: '2026-07-06T00:00:00',
    toLocalDate: '2026-07-06T23:59:59',
    timeZone,
    recurrenceType: ['NONE', 'INSTANCE', 'EXCEPTION'],
    query: { filter: { type: { $in: ['CLASS', 'COURSE'] } }, cursorPaging: { limit: 100 } }
  })

  it('reads local dates in the given zone, keeps overlapping events, sorts by start', async () => {
    const e = seedDay()
    const london = await call('/calendar/v3/events/query', { body: dayQuery('Europe/London') })
    expect(london.status).toBe(200)
    expect(london.body.events.map((x: { title: string }) => x.title)).toEqual(['overnight', 'morning', 'late'])
    expect(london.body.pagingMetadata).toEqual({ count: 3, cursors: {}, hasNext: false })
    expect(london.body.events[1]).toMatchObject({
      id: e.morning.id,
      appId: BOOKINGS_APP_ID,
      start: { localDate: '2026-07-06T09:00:00', timeZone: 'Europe/London', utcDate: '2026-07-06T08:00:00Z' },
      totalCapacity: 20,
      remainingCapacity: 20,
      participants: { total: 0 }
    })

    const utc = await call('/calendar/v3/events/query', { body: dayQuery('UTC') })
    expect(utc.body.events.map((x: { title: string }) => x.title)).toEqual(['morning', 'late', 'nextDay'])
    expect(utc.body.events[0].adjustedStart).toEqual({ localDate: '2026-07-06T08:00:00', timeZone: 'UTC', utcDate: '2026-07-06T08:00:00Z' })
  })

  it('pages 50 by default, gets one event by id, 404s an unknown one', async () => {
    wix.seedMany(60, (i) => ({ start: `2026-07-06T${String(8 + Math.floor(i / 6)).padStart(2, '0')}:${String((i % 6) * 10).padStart(2, '0')}:00` }), 'events')
    const first = await call('/calendar/v3/events/query', { body: { fromLocalDate: '2026-07-06T00:00:00', toLocalDate: '2026-07-06T23:59:59' } })
    expect(first.body.events).toHaveLength(50)
    expect(first.body.pagingMetadata.hasNext).toBe(true)
    const rest = await call('/calendar/v3/events/query', { body: { query: { cursorPaging: { cursor: first.body.pagingMetadata.cursors.next } } } })
    expect(rest.body.events).toHaveLength(10)

    const repeatRange = { timeZone: 'UTC', query: { cursorPaging: { cursor: first.body.pagingMetadata.cursors.next } } }
    expect((await call('/calendar/v3/events/query', { body: repeatRange })).status).toBe(400) // the cursor carries the range

    const one = wix.events()[0]!
    const got = await call(`/calendar/v3/events/${encodeURIComponent(one.id)}`)
    expect(got.body.event).toMatchObject({ id: one.id, title: one.title })
    expect(one.id.length).toBeGreaterThanOrEqual(36)
    expect((await call('/calendar/v3/events/nope-nope-nope-nope-nope-nope-nope-nope')).status).toBe(404)
  })
})

describe('participation paging', () => {
  async function pullAll(eventId: string, onPage?: (page: number) => void) {
    const pages: Participation[][] = []
    let body: unknown = { query: { filter: { eventId }, sort: [{ fieldName: 'createdDate', order: 'DESC' }], cursorPaging: { limit: 100 } } }
    for (;;) {
      const answer = await call('/calendar/v3/participations/query', { body })
      expect(answer.status).toBe(200)
      pages.push(answer.body.participations)
      onPage?.(pages.length)
      const next = answer.body.pagingMetadata.cursors.next
      if (!next) return { pages, last: answer.body.pagingMetadata }
      body = { query: { cursorPaging: { cursor: next, limit: 100 } } }
    }
  }

  it('walks 250 rows in pages of 100 following cursors.next, stable while rows are added', async () => {
    const event = wix.addEvent({ totalCapacity: 1000 })
    const seeded = wix.seedMany(250, (i) => ({ eventId: event.id, participant: { name: `P${i}` } }))
    const { pages, last } = await pullAll(event.id, (page) => {
      if (page === 1) wix.seedMany(5, { eventId: event.id }) // newer rows would shift a naive offset
    })
    expect(pages.map((p) => p.length)).toEqual([100, 100, 50])
    expect(last).toEqual({ count: 50, cursors: {}, hasNext: false })
    const ids = pages.flat().map((p) => p.id)
    expect(new Set(ids).size).toBe(250)
    expect(ids).toEqual(seeded.map((p) => p.id).reverse()) // createdDate DESC
    expect(wix.requests('POST /calendar/v3/participations/query')).toHaveLength(3)
  })

  it('refuses a next page that repeats filter or sort, replays a cursor identically', async () => {
    const event = wix.addEvent()
    wix.seedMany(150, { eventId: event.id })
    const first = await call('/calendar/v3/participations/query', { body: { query: { filter: { eventId: event.id }, cursorPaging: { limit: 100 } } } })
    const cursor = first.body.pagingMetadata.cursors.next
    expect(cursor).toEqual(expect.any(String))

    const withFilter = await call('/calendar/v3/participations/query', { body: { query: { filter: { eventId: event.id }, cursorPaging: { cursor, limit: 100 } } } })
    expect(withFilter.status).toBe(400)
    expect(withFilter.body.details.validationError.fieldViolations[0]).toMatchObject({ field: 'query.filter', violatedRule: 'FIELD_NOT_ALLOWED' })
    const withSort = await call('/calendar/v3/participations/query', { body: { query: { sort: [], cursorPaging: { cursor, limit: 100 } } } })
    expect(withSort.status).toBe(400)

    const again = () => call('/calendar/v3/participations/query', { body: { query: { cursorPaging: { cursor, limit: 100 } } } })
    const [a, b] = [await again(), await again()]
    expect(a.body).toEqual(b.body)
    expect(a.body.participations).toHaveLength(50)
    expect(a.body.pagingMetadata.cursors).toEqual({})
    expect((await call('/calendar/v3/participations/query', { body: { query: { cursorPaging: { cursor: 'forged' } } } })).status).toBe(400)
  })

  it('enforces the documented limits and filters, and can omit count', async () => {
    const event = wix.addEvent()
    wix.seedMany(3, (i) => ({ eventId: event.id, participant: { name: i === 0 ? 'Ann Lee' : 'Bob' } }))
    const tooMany = await call('/calendar/v3/participations/query', { body: { query: { cursorPaging: { limit: 101 } } } })
    expect(tooMany.body.details.validationError.fieldViolations[0]).toMatchObject({ violatedRule: 'MAX', data: { threshold: 100 } })

    const byName = { query: { filter: { 'participant.name': { $startsWith: 'Ann' } } } }
    expect((await call('/calendar/v3/participations/query', { body: byName })).status).toBe(400) // not a documented filter
    wix.settings.strictFilters = false
    wix.settings.pagingCount = 'absent'
    const loose = await call('/calendar/v3/participations/query', { body: byName })
    expect(loose.body.participations.map((p: Participation) => p.participant.name)).toEqual(['Ann Lee'])
    expect(loose.body.pagingMetadata).toEqual({ cursors: {}, hasNext: false })

    const logic = { query: { filter: { $and: [{ partySize: { $gte: 1 } }, { $not: { 'participant.name': 'Bob' } }], eventId: { $in: [event.id] } } } }
    expect((await call('/calendar/v3/participations/query', { body: logic })).body.participations).toHaveLength(1)
  })
})

describe('settings and seeding', () => {
  it('can send count on every other page and prev on the last page', async () => {
    const event = wix.addEvent()
    wix.seedMany(3, { eventId: event.id })
    wix.settings.pagingCount = 'alternate'
    wix.settings.lastPageCursors = 'prev'
    const first = await call('/calendar/v3/participations/query', { body: { query: { cursorPaging: { limit: 2 } } } })
    expect(first.body.pagingMetadata).toEqual({ count: 2, cursors: { next: expect.any(String) }, hasNext: true })
    const last = await call('/calendar/v3/participations/query', { body: { query: { cursorPaging: { cursor: first.body.pagingMetadata.cursors.next } } } })
    expect(last.body.pagingMetadata).toEqual({ cursors: { prev: expect.any(String) }, hasNext: false })
  })

  it('enforces a per-minute rate limit on the injected clock', async () => {
    wix.settings.rateLimitPerMinute = 2
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await call('/calendar/v3/events/query', { body: {} })).status)
    expect(statuses).toEqual([200, 200, 429])
    clock += 60_000
    expect((await call('/calendar/v3/events/query', { body: {} })).status).toBe(200)
  })

  it('gives the same ids for the same seed and seeds thousands of rows quickly', async () => {
    const twin = await startFakeWix({ seed: 'fake-wix-test', now: () => clock })
    try {
      expect(twin.siteId).toBe(wix.siteId)
      expect(twin.addEvent().id).toBe(wix.addEvent().id)
    } finally {
      await twin.close()
    }
    const event = wix.addEvent({ totalCapacity: undefined })
    const started = performance.now()
    wix.seedMany(10_000, (i) => ({ eventId: event.id, partySize: 1 + (i % 2) }))
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(wix.events().find((e) => e.id === event.id)).toMatchObject({ participants: { total: 15_000 }, revision: '1' })
    expect(wix.events().find((e) => e.id === event.id)!.remainingCapacity).toBeUndefined()
  })
})

describe('participation writes', () => {
  it('creates the sample participation; a repeated idempotencyKey returns the original, never a second', async () => {
    const sampleEventId = '130o4ncdcmm8csGKUihodsF8Lnx5vQuUmP9uqeurIYireDpysq5nOxSIMvXKf80QrOXzc09i1GXRepTUj2L01bzmifAqWHwp2pTmmtR3TmHJx7Tv6ODrmgS'
    wix.addEvent({ id: sampleEventId, appId: OTHER_APP_ID })
    const sampleRequest = {
      participation: {
        eventId: sampleEventId,
        externalId: 'c7e4cd82-1d17-49b0-b1df-6e1eaed60a20',
        participant: { contactId: '5f4a86c5-fadf-427e-96e7-d57c14a4f49d', email: 'jane.doe@example.com', name: 'Jane Doe', phone: '55-555-5555' },
        partySize: 1,
        status: 'CONFIRMED'
      },
      idempotencyKey: guid(1)
    }
    const first = await call('/calendar/v3/participations', { body: sampleRequest })
    const repeat = await call('/calendar/v3/participations', { body: sampleRequest })
    expect(first.status).toBe(200)
    expect(repeat.status).toBe(200)
    expect(Object.keys(first.body.participation)).toEqual([
      'id', 'externalId', 'participant', 'eventId', 'partySize', 'status', 'appId', 'revision', 'createdDate', 'updatedDate'
    ]) // prettier-ignore
    expect(first.body.participation).toMatchObject({ revision: '1', appId: OTHER_APP_ID, createdDate: '2026-07-01T10:00:00.000Z' })
    expect(repeat.body).toEqual(first.body)
    expect(wix.participations()).toHaveLength(1)
    expect(wix.requests('POST /calendar/v3/participations').map((r) => r.status)).toEqual([200, 200])
    expect(wix.violations()).toEqual([])
  })

  it('refuses every create, update and delete of a Bookings-managed participation (403) and records each', async () => {
    const yoga = wix.addEvent({ appId: BOOKINGS_APP_ID, totalCapacity: 10 })
    const booked = wix.addParticipation({ eventId: yoga.id, participant: { name: 'Booked' }, status: 'PENDING_CONFIRMATION' })
    const before = wix.participations()
    const eventBefore = wix.events()[0]

    const create = await call('/calendar/v3/participations', { body: createBody(yoga.id) })
    const confirm = await call(`/calendar/v3/participations/${booked.id}`, { method: 'PATCH', body: { participation: { revision: booked.revision, status: 'CONFIRMED' } } })
    const mark = await call(`/calendar/v3/participations/${booked.id}`, {
      method: 'PATCH',
      body: { participation: { revision: booked.revision, extendedFields: { namespaces: { '@rollcall/checkin': { sessions: {} } } } } }
    })
    const remove = await call(`/calendar/v3/participations/${booked.id}`, { method: 'DELETE' })

    for (const answer of [create, confirm, mark, remove]) {
      expect(answer.status).toBe(403)
      expect(answer.body.details.applicationError.code).toBe('PERMISSION_DENIED')
    }
    expect(wix.participations()).toEqual(before)
    expect(wix.events()[0]).toEqual(eventBefore)
    expect(wix.violations().map((v) => [v.rule, v.method])).toEqual([
      ['BOOKINGS_PARTICIPATION_WRITE', 'POST'],
      ['BOOKINGS_PARTICIPATION_WRITE', 'PATCH'],
      ['BOOKINGS_PARTICIPATION_WRITE', 'PATCH'],
      ['BOOKINGS_PARTICIPATION_WRITE', 'DELETE']
    ])
  })

  it('updates by revision: success increments it, a stale one gets 409 with the documented message', async () => {
    const event = wix.addEvent({ appId: OTHER_APP_ID })
    const created = (await call('/calendar/v3/participations', { body: createBody(event.id) })).body.participation
    clock += 5_000
    const patch = { participation: { revision: created.revision, extendedFields: { namespaces: { '@rollcall/desk': { checkedIn: true } } } } }
    const ok = await call(`/calendar/v3/participations/${created.id}`, { method: 'PATCH', body: patch })
    expect(ok.status).toBe(200)
    expect(ok.body.participation).toMatchObject({
      revision: '2',
      updatedDate: '2026-07-01T10:00:05.000Z',
      createdDate: created.createdDate,
      extendedFields: { namespaces: { '@rollcall/desk': { checkedIn: true } } }
    })

    const stale = await call(`/calendar/v3/participations/${created.id}`, { method: 'PATCH', body: patch })
    expect(stale.status).toBe(409)
    expect(stale.body.message).toBe('entity has already changed since the requested revision')
    const noRevision = await call(`/calendar/v3/participations/${created.id}`, { method: 'PATCH', body: { participation: { status: 'CONFIRMED' } } })
    expect(noRevision.status).toBe(400)

    wix.updateParticipation(created.id, { status: 'PENDING_CONFIRMATION' }) // someone else edits on Wix
    const behind = await call(`/calendar/v3/participations/${created.id}`, { method: 'PATCH', body: { participation: { revision: '2', status: 'CONFIRMED' } } })
    expect(behind.status).toBe(409)
    expect(wix.participations()[0]).toMatchObject({ revision: '3', status: 'PENDING_CONFIRMATION' })
    expect(wix.violations()).toEqual([])
  })

  it('keeps participants.total and remainingCapacity in step; refuses a create over capacity', async () => {
    const event = wix.addEvent({ appId: OTHER_APP_ID, totalCapacity: 3 })
    const eventNow = async () => (await call(`/calendar/v3/events/${event.id}`)).body.event
    const a = (await call('/calendar/v3/participations', { body: createBody(event.id, { partySize: 2 }) })).body.participation
    expect(await eventNow()).toMatchObject({ participants: { total: 2 }, remainingCapacity: 1, revision: '2' })

    const over = await call('/calendar/v3/participations', { body: createBody(event.id, { partySize: 2 }) })
    expect(over.status).toBe(400)
    expect(over.body.details.applicationError).toMatchObject({ code: 'CAPACITY_EXCEEDED', data: { eventId: event.id, remainingCapacity: 1 } })

    await call(`/calendar/v3/participations/${a.id}`, { method: 'PATCH', body: { participation: { revision: '1', partySize: 3 } } })
    expect(await eventNow()).toMatchObject({ participants: { total: 3 }, remainingCapacity: 0 })
    expect((await call(`/calendar/v3/participations/${a.id}`, { method: 'DELETE' })).body).toEqual({})
    expect(await eventNow()).toMatchObject({ participants: { total: 0 }, remainingCapacity: 3 })
    expect((await call(`/calendar/v3/participations/${a.id}`)).status).toBe(404)

    // A course participation books every event of its schedule.
    const course = wix.addEvent({ appId: OTHER_APP_ID, type: 'COURSE', totalCapacity: 10 })
    const second = wix.addEvent({ appId: OTHER_APP_ID, type: 'COURSE', totalCapacity: 10, scheduleId: course.scheduleId })
    await call('/calendar/v3/participations', { body: { participation: { scheduleId: course.scheduleId, participant: { name: 'C' }, partySize: 4 } } })
    expect(wix.events().filter((e) => e.scheduleId === course.scheduleId).map((e) => e.remainingCapacity)).toEqual([6, 6])
    expect(second.id).not.toBe(course.id)
  })
})

describe('bookings attendance', () => {
  const eventId = 'e'.repeat(40)
  const set = (prefix: string, attendance: Record<string, unknown>) =>
    call(`${prefix}/set`, { body: { attendance, participantNotification: { notifyParticipants: false } } })

  it('upserts per booking + event under all three prefixes and records forbidden input', async () => {
    const one = await set('/bookings/v2/attendance', { bookingId: guid(1), eventId, status: 'ATTENDED', numberOfAttendees: 2 })
    const two = await set('/bookings/bookings-attendance', { bookingId: guid(1), eventId, status: 'ATTENDED', numberOfAttendees: 3 })
    const three = await set('/_api/bookings-attendance/v2/attendance', { bookingId: guid(1), sessionId: eventId, status: 'NOT_ATTENDED' })
    expect(one.status).toBe(200)
    expect(two.body.attendance.id).toBe(one.body.attendance.id)
    expect(three.body.attendance).toEqual({ id: one.body.attendance.id, bookingId: guid(1), eventId, status: 'NOT_ATTENDED', numberOfAttendees: 1 })
    expect(wix.attendances()).toHaveLength(1)
    expect(wix.violations().map((v) => v.rule)).toEqual(['ATTENDANCE_DEPRECATED_SESSION_ID', 'ATTENDANCE_NOT_ATTENDED_WITH_ATTENDEES'])

    const noEvent = await set('/bookings/v2/attendance', { bookingId: guid(2), status: 'ATTENDED' })
    expect(noEvent.status).toBe(400)
    expect(noEvent.body.details.applicationError.code).toBe('SESSION_ID_NOT_PROVIDED')

    const id = one.body.attendance.id
    expect((await call(`/bookings/v2/attendance/${id}`)).body.attendance.status).toBe('NOT_ATTENDED')
    expect((await call(`/bookings/v2/attendance/${id}`, { method: 'DELETE' })).body).toEqual({})
    expect((await call(`/bookings/v2/attendance/${id}`)).body.details.applicationError.code).toBe('ATTENDANCE_NOT_FOUND')
  })

  it('queries with only the first filter applied and no count', async () => {
    wix.addAttendance({ bookingId: guid(1), eventId })
    wix.addAttendance({ bookingId: guid(1), eventId: 'f'.repeat(40) })
    wix.addAttendance({ bookingId: guid(2), eventId })
    const answer = await call('/bookings/v2/attendance/query', { body: { query: { filter: { bookingId: guid(1), eventId } } } })
    expect(answer.body.attendances).toHaveLength(2) // eventId was ignored, as documented
    expect(answer.body.pagingMetadata).toEqual({ cursors: {}, hasNext: false })
    const tooMany = await call('/bookings/v2/attendance/query', { body: { query: { cursorPaging: { limit: 1001 } } } })
    expect(tooMany.body.details.validationError.fieldViolations[0].data).toEqual({ threshold: 1000 })
  })

  it('bulk-sets up to 8 with per-item results; 9 is a MAX violation', async () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ attendance: { bookingId: guid(i), eventId, status: 'ATTENDED', numberOfAttendees: 1 } }))
    const eight = items(8)
    eight[3] = { attendance: { bookingId: guid(3), status: 'ATTENDED', numberOfAttendees: 1 } as never }
    const ok = await call('/bookings/v2/bulk/attendance/set', { body: { attendanceDetails: eight, returnFullEntity: true } })
    expect(ok.status).toBe(200)
    expect(ok.body.bulkActionMetadata).toEqual({ totalSuccesses: 7, totalFailures: 1, undetailedFailures: 0 })
    expect(ok.body.results[0]).toMatchObject({ item: { bookingId: guid(0), eventId }, itemMetadata: { originalIndex: 0, success: true } })
    expect(ok.body.results[3].itemMetadata).toEqual({ originalIndex: 3, success: false, error: { code: 'SESSION_ID_NOT_PROVIDED', description: expect.any(String) } })

    const nine = await call('/bookings/v2/bulk/attendance/set', { body: { attendanceDetails: items(9) } })
    expect(nine.status).toBe(400)
    expect(nine.body.details.validationError.fieldViolations[0]).toMatchObject({ violatedRule: 'MAX', data: { threshold: 8 } })
    const none = await call('/bookings/v2/bulk/attendance/set', { body: { attendanceDetails: [] } })
    expect(none.body.details.applicationError.code).toBe('ATTENDANCES_MISSING_IN_REQUEST')
    expect(wix.attendances()).toHaveLength(7)
  })
})

describe('faults', () => {
  const query = () => call('/calendar/v3/participations/query', { body: {} })
  const create = (eventId: string, signal?: AbortSignal) =>
    fetch(`${wix.baseUrl}/calendar/v3/participations`, { method: 'POST', headers: wix.headers(), body: JSON.stringify(createBody(eventId)), signal })
  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

  it('answers a 5xx with an empty body, before or after committing', async () => {
    const event = wix.addEvent({ appId: OTHER_APP_ID })
    wix.faults.next(1, { type: 'status', status: 503 })
    const refused = await create(event.id)
    expect([refused.status, await refused.text()]).toEqual([503, ''])
    expect(wix.participations()).toHaveLength(0)

    wix.faults.next(1, { type: 'status', status: 502, when: 'after' })
    expect((await create(event.id)).status).toBe(502)
    expect(wix.participations()).toHaveLength(1) // committed although the client saw an error
    expect(wix.requests().map((r) => [r.status, r.processed, r.fault])).toEqual([
      [503, false, 'status'],
      [502, true, 'status']
    ])
  })

  it('rate-limits with and without Retry-After, scoped to a route, next(n) then always', async () => {
    wix.faults.next(2, { type: 'rateLimit', retryAfterSeconds: 7 }, 'POST /calendar/v3/participations/query')
    expect((await call('/calendar/v3/events/query', { body: {} })).status).toBe(200) // other route untouched
    const limited = await query()
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7'])
    expect((await query()).status).toBe(429)
    expect((await query()).status).toBe(200)
    expect(wix.faults.pending()).toBe(0)

    wix.faults.always({ type: 'rateLimit' }, /participations/)
    const bare = await query()
    expect([bare.status, bare.headers.get('retry-after')]).toEqual([429, null])
    expect((await query()).status).toBe(429)
    wix.faults.clear()
    expect((await query()).status).toBe(200)
  })

  it('delays past a client timeout, processing the request before or after the wait', async () => {
    const event = wix.addEvent({ appId: OTHER_APP_ID })
    wix.faults.next(1, { type: 'delay', ms: 300 })
    await expect(create(event.id, AbortSignal.timeout(50))).rejects.toThrow()
    expect(wix.participations()).toHaveLength(0) // not yet: it is processed after the wait
    await settle(400)
    expect(wix.participations()).toHaveLength(1)

    wix.faults.next(1, { type: 'delay', ms: 300, when: 'after' })
    await expect(create(event.id, AbortSignal.timeout(50))).rejects.toThrow()
    expect(wix.participations()).toHaveLength(2) // committed before the client gave up
  })

  it('resets the connection before or after processing', async () => {
    const event = wix.addEvent({ appId: OTHER_APP_ID })
    wix.faults.next(1, { type: 'reset' })
    await expect(create(event.id)).rejects.toThrow()
    expect(wix.participations()).toHaveLength(0)
    wix.faults.next(1, { type: 'reset', when: 'after' })
    await expect(create(event.id)).rejects.toThrow()
    expect(wix.participations()).toHaveLength(1)
    expect(wix.requests().map((r) => r.status)).toEqual([0, 0])
  })

  it('sends malformed and truncated bodies that a client cannot parse', async () => {
    wix.addEvent()
    wix.faults.next(1, { type: 'malformed' })
    const malformed = await fetch(`${wix.baseUrl}/calendar/v3/events/query`, { method: 'POST', headers: wix.headers(), body: '{}' })
    expect(malformed.status).toBe(200)
    await expect(malformed.json()).rejects.toThrow(SyntaxError)

    for (const mode of ['lyingLength', 'closeMidBody'] as const) {
      wix.faults.next(1, { type: 'truncated', mode })
      const cut = await fetch(`${wix.baseUrl}/calendar/v3/events/query`, { method: 'POST', headers: wix.headers(), body: '{}' })
      expect(cut.status).toBe(200)
      await expect(cut.text()).rejects.toThrow() // the body never completes
    }
    wix.faults.next(1, { type: 'truncated', mode: 'shortBody' })
    const short = await fetch(`${wix.baseUrl}/calendar/v3/events/query`, { method: 'POST', headers: wix.headers(), body: '{}' })
    const text = await short.text()
    expect(text.startsWith('{"events":[{')).toBe(true)
    expect(() => JSON.parse(text)).toThrow(SyntaxError)
  })

  it('goes down (connection refused) and comes back up on the same port', async () => {
    expect((await query()).status).toBe(200)
    await wix.down()
    const error = await query().catch((e: Error & { cause?: { code?: string } }) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED')
    await wix.up()
    expect((await query()).status).toBe(200)
  })
})
