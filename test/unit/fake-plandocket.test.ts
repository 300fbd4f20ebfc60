/**
 * The fake Plandocket behaves as /work/shared/contracts/plandocket.md says, seen from a client over
 * real HTTP: both auth headers and scopes, the events date filter, participants with contacts
 * across every list form the contract leaves open, check-ins, the error bodies, every fault a test
 * can arm (same API as the Wix fake), and down/up.
 */
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LIST_FORMS, startFakePlandocket, type FakePlandocket, type FakePlandocketOptions } from '../fakes/plandocket'

const NOW = Date.parse('2026-07-01T10:00:00.000Z')
let clock = NOW
let pd: FakePlandocket

async function start(options: FakePlandocketOptions = {}) {
  await pd?.close()
  pd = await startFakePlandocket({ seed: 'fake-plandocket-test', now: () => clock, ...options })
  return pd
}

beforeEach(async () => {
  clock = NOW
  await start()
})
afterEach(async () => {
  await pd.close()
})

interface Answer {
  status: number
  headers: Headers
  text: string
  body: any // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read arbitrary JSON
}

/** A well-behaved client call; `path` is relative to the base URL unless absolute. */
async function call(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const res = await fetch(path.startsWith('http') ? path : pd.baseUrl + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: init.headers ?? pd.headers(),
    body: init.body === undefined ? undefined : JSON.stringify(init.body)
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined }
}

/** What a list answer holds, whatever its envelope. */
const rowsOf = (body: unknown): any[] => (Array.isArray(body) ? body : (body as { data: any[] }).data) // eslint-disable-line @typescript-eslint/no-explicit-any
/** A single-resource answer's object, whatever its envelope. */
const itemOf = (body: any) => (body && typeof body === 'object' && 'data' in body && !Array.isArray(body.data) ? body.data : body) // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Reads a whole list the way the contract tells a client to: follow links.next when present, else
 * page until a short or empty page; an answer longer than asked means the server does not page.
 */
async function readAll(path: string, perPage: number) {
  const rows: any[] = [] // eslint-disable-line @typescript-eslint/no-explicit-any
  const calls: string[] = []
  const sep = path.includes('?') ? '&' : '?'
  let url: string | undefined = `${pd.baseUrl}${path}${sep}per_page=${perPage}&page=1`
  let page = 1
  while (url && calls.length < 1000) {
    calls.push(url)
    const answer = await call(url)
    expect(answer.status).toBe(200)
    const data = rowsOf(answer.body)
    rows.push(...data)
    const next: unknown = Array.isArray(answer.body) ? undefined : answer.body.links?.next
    if (typeof next === 'string') url = next
    else if (answer.body.links && 'next' in answer.body.links) url = undefined // an envelope saying "no next"
    else if (data.length === 0 || data.length !== perPage) url = undefined
    else url = `${pd.baseUrl}${path}${sep}per_page=${perPage}&page=${++page}`
  }
  return { rows, calls }
}

const HEADERS_WITHOUT_AUTH = { accept: 'application/json', 'content-type': 'application/json' }

describe('auth', () => {
  it('takes the key as Authorization: Bearer or X-API-Key; anything else is 401 Unauthenticated', async () => {
    expect((await call('/events')).status).toBe(200)
    expect((await call('/events', { headers: pd.headers('x-api-key') })).status).toBe(200)

    for (const headers of [
      HEADERS_WITHOUT_AUTH,
      { ...HEADERS_WITHOUT_AUTH, authorization: 'Bearer wrong-key' },
      { ...HEADERS_WITHOUT_AUTH, authorization: pd.apiKey }, // the key without "Bearer"
      { ...HEADERS_WITHOUT_AUTH, 'x-api-key': 'wrong-key' }
    ]) {
      const refused = await call('/events', { headers })
      expect([refused.status, refused.body]).toEqual([401, { error: 'Unauthenticated' }])
    }
    expect(pd.requests('GET /events').map((r) => r.processed)).toEqual([true, true, false, false, false, false])
  })

  it('answers 403 for a key that lacks the endpoint scope, per key and changeable at runtime', async () => {
    pd.setKey('events-only', { scopes: ['events'] })
    const headers = pd.headers('bearer', 'events-only')
    expect((await call('/events', { headers })).status).toBe(200)
    for (const path of ['/participants', '/contacts', '/check-ins?event_key=x']) {
      const refused = await call(path, { headers })
      expect([refused.status, refused.body]).toEqual([403, { error: 'Forbidden' }])
    }
    pd.setKey('events-only', { scopes: ['events', 'participants'] })
    expect((await call('/participants', { headers })).status).toBe(200)
    pd.removeKey('events-only')
    expect((await call('/participants', { headers })).status).toBe(401)

    await start({ scopes: ['checkins'] })
    expect((await call('/events')).status).toBe(403)
  })
})

describe('events', () => {
  function seed() {
    return {
      before: pd.addEvent({ event_key: 'before', title: 'Before', date_from: '2026-07-01T09:00:00Z', date_to: '2026-07-04T23:59:59Z' }),
      spanning: pd.addEvent({ event_key: 'spanning', title: 'Spanning', date_from: '2026-07-04T09:00:00Z', date_to: '2026-07-06T12:00:00Z' }),
      inside: pd.addEvent({ event_key: 'inside', title: 'Inside Berlin', city: 'Berlin', date_from: '2026-07-06T09:00:00Z', date_to: '2026-07-06T17:00:00Z' }),
      touching: pd.addEvent({ event_key: 'touching', title: 'Touching', date_from: '2026-07-07T23:00:00Z', date_to: '2026-07-08T02:00:00Z' }),
      after: pd.addEvent({ event_key: 'after', title: 'After', date_from: '2026-07-08T00:00:01Z', date_to: '2026-07-09T00:00:00Z' }),
      hidden: pd.addEvent({ event_key: 'hidden', title: 'Hidden', is_visible: false, date_from: '2026-06-01T09:00:00Z', date_to: '2026-06-01T17:00:00Z' })
    }
  }
  const keys = (answer: Answer) => rowsOf(answer.body).map((e: { event_key: string }) => e.event_key)

  it('filters by date_from/date_to overlap (ISO date or date-time) and sorts by date_from', async () => {
    seed()
    const days = await call('/events?date_from=2026-07-05&date_to=2026-07-07&sort=date_from&order=ASC')
    expect(days.status).toBe(200)
    expect(keys(days)).toEqual(['spanning', 'inside', 'touching']) // a bare date_to is the whole day

    const times = await call('/events?date_from=2026-07-06T12:00:00Z&date_to=2026-07-08T00:00:00Z&sort=date_from&order=desc')
    expect(keys(times)).toEqual(['touching', 'inside', 'spanning']) // boundaries inclusive
    const noOffset = await call('/events?date_from=2026-07-08T00:00:01&date_to=2026-07-08T00:00:01')
    expect(keys(noOffset)).toEqual(['touching', 'after']) // no offset = UTC

    const bad = await call('/events?date_from=next-week')
    expect([bad.status, bad.body]).toEqual([422, { error: 'Validation failed', errors: { date_from: ['The date from is not a valid date.'] } }])
    const reversed = await call('/events?date_from=2026-07-08&date_to=2026-07-01')
    expect(reversed.body.errors).toHaveProperty('date_to')
  })

  it('searches, filters visible and upcoming, counts participants, gets one by id', async () => {
    const e = seed()
    pd.seedMany(3, 'inside')
    expect(keys(await call('/events?search=berlin'))).toEqual(['inside'])
    expect(keys(await call('/events?visible=0'))).toEqual(['hidden'])
    expect(keys(await call('/events?visible=1&upcoming=1&sort=date_from'))).toEqual(['before', 'spanning', 'inside', 'touching', 'after'])
    clock = Date.parse('2026-07-06T13:00:00Z')
    expect(keys(await call('/events?upcoming=1&sort=date_from'))).toEqual(['inside', 'touching', 'after']) // running counts
    expect((await call('/events?visible=yes')).body.errors).toEqual({ visible: ['The visible field must be true or false.'] })

    const counted = await call('/events?include=participant_count&search=inside')
    expect(rowsOf(counted.body)[0]).toMatchObject({ event_key: 'inside', participant_count: 3 })
    expect(rowsOf((await call('/events')).body)[0]).not.toHaveProperty('participant_count')

    const one = await call(`/events/${e.inside.id}`)
    expect(one.body).toEqual({ data: e.inside, meta: { request_id: expect.stringMatching(/^req_/) } })
    expect(e.inside).toEqual({
      id: expect.any(Number),
      event_key: 'inside',
      title: 'Inside Berlin',
      description: '',
      city: 'Berlin',
      country: 'DE',
      date_from: '2026-07-06T09:00:00Z',
      date_to: '2026-07-06T17:00:00Z',
      is_visible: true
    })
    const missing = await call('/events/999999')
    expect([missing.status, missing.body]).toEqual([404, { error: 'Resource not found' }])
  })
})

describe('participants across every list form', () => {
  const TOTAL = 23

  describe.each(LIST_FORMS)('list $listEnvelope / paging $paging', (form) => {
    it('delivers every participant of the event once, each with its contact embedded', async () => {
      await start(form)
      const seeded = pd.seedMany(TOTAL, 'conf')
      pd.seedMany(5, 'other')
      const { rows, calls } = await readAll('/participants?event_key=conf&include=contact', 10)
      expect(rows.map((r) => r.id)).toEqual(seeded.map((s) => s.participant.id))
      expect(rows[0]).toEqual({
        ...{ id: seeded[0]!.participant.id, event_id: seeded[0]!.participant.event_id, contact_id: seeded[0]!.contact.id, is_confirmed: true },
        created_at: seeded[0]!.participant.created_at,
        updated_at: seeded[0]!.participant.updated_at,
        contact: seeded[0]!.contact
      })
      expect(rows.every((r) => r.contact?.customer_number !== undefined)).toBe(true)
      expect(calls).toHaveLength(form.paging === 'none' ? 1 : 3)

      const first = await call(calls[0]!)
      if (form.listEnvelope === 'bare') expect(Array.isArray(first.body)).toBe(true)
      if (form.listEnvelope === 'data') expect(Object.keys(first.body)).toEqual(['data'])
      if (form.listEnvelope === 'full') expect(first.body).toMatchObject({ data: expect.any(Array), meta: expect.any(Object), links: expect.any(Object) })
      if (form.paging === 'links') {
        expect(first.body.links.next).toMatch(new RegExp(`^${pd.baseUrl}/participants\\?.*cursor=`))
        expect(new URL(first.body.links.next).searchParams.get('include')).toBe('contact')
      }
      if (form.paging === 'none') {
        // page/per_page are ignored: asking for page 2 gets everything again.
        const again = await call('/participants?event_key=conf&per_page=10&page=2')
        expect(rowsOf(again.body)).toHaveLength(TOTAL)
      }
      if (form.paging === 'page') {
        expect(rowsOf((await call('/participants?event_key=conf&per_page=10&page=3')).body)).toHaveLength(3) // short
        expect(rowsOf((await call('/participants?event_key=conf&per_page=10&page=4')).body)).toHaveLength(0) // empty
      }
    })
  })

  it('page form with the full envelope: Laravel meta and absolute page links', async () => {
    pd.seedMany(TOTAL, 'conf')
    const page2 = await call('/participants?event_key=conf&per_page=10&page=2')
    expect(page2.body.meta).toMatchObject({ current_page: 2, from: 11, to: 20, last_page: 3, per_page: 10, total: TOTAL })
    expect(page2.body.links.next).toBe(`${pd.baseUrl}/participants?event_key=conf&per_page=10&page=3`)
    const last = await call(page2.body.links.next)
    expect([rowsOf(last.body).length, last.body.links.next]).toEqual([3, null])
  })

  it('defaults per_page to 15, clamps it to 100, rejects a bad one; links cursors survive rows added meanwhile', async () => {
    pd.seedMany(250, 'conf')
    expect(rowsOf((await call('/participants')).body)).toHaveLength(15)
    const clamped = await call('/participants?per_page=500')
    expect([rowsOf(clamped.body).length, clamped.body.meta.per_page]).toEqual([100, 100]) // shorter than asked, not the last page
    expect((await call('/participants?per_page=0')).body.errors).toEqual({ per_page: ['The per page field must be at least 1.'] })

    pd.configure({ paging: 'links', maxPerPage: 200 })
    const first = await call('/participants?per_page=200')
    const added = pd.seedMany(1, 'conf')[0]!
    const rest = await call(first.body.links.next)
    expect(rowsOf(rest.body).map((r) => r.id)).toContain(added.participant.id)
    expect(rowsOf(first.body).length + rowsOf(rest.body).length).toBe(251)
    expect((await call('/participants?cursor=garbage')).status).toBe(400)
  })

  it('filters by customer_number and confirmed, includes event and category, 422s an unknown include', async () => {
    const [a, b] = pd.seedMany(2, 'conf')
    pd.updateParticipant(b!.participant.id, { is_confirmed: false, category: { id: 7, name: 'Speaker' } })
    const byNumber = await call(`/participants?customer_number=${a!.contact.customer_number}&include=event,category`)
    expect(rowsOf(byNumber.body)).toEqual([expect.objectContaining({ id: a!.participant.id, event: pd.event('conf'), category: null })])
    const unconfirmed = await call('/participants?confirmed=0&include=category')
    expect(rowsOf(unconfirmed.body)).toEqual([expect.objectContaining({ id: b!.participant.id, category: { id: 7, name: 'Speaker' } })])
    expect(rowsOf((await call('/participants?event_key=nope')).body)).toEqual([])
    expect((await call('/participants?include=contacts')).status).toBe(422)
  })

  it('single-resource answers: bare or data+meta, ISO or unix timestamps, the sample shape', async () => {
    const [seeded] = pd.seedMany(1, 'conf')
    const id = seeded!.participant.id
    const unix = Math.floor(NOW / 1000)

    const enveloped = await call(`/participants/${id}?include=contact`)
    expect(enveloped.body).toEqual({ data: expect.objectContaining({ id, created_at: '2026-07-01T10:00:00.000000Z', contact: seeded!.contact }), meta: { request_id: expect.any(String) } })

    pd.configure({ singleEnvelope: 'bare', timestamps: 'unix' })
    expect((await call(`/participants/${id}`)).body).toEqual({ id, event_id: seeded!.participant.event_id, contact_id: seeded!.contact.id, is_confirmed: true, created_at: unix, updated_at: unix })

    pd.configure({ timestamps: 'mixed' }) // unix in single answers, ISO in lists (what the contract saw)
    expect((await call(`/participants/${id}`)).body.created_at).toBe(unix)
    expect(rowsOf((await call('/participants')).body)[0].created_at).toBe('2026-07-01T10:00:00.000000Z')

    pd.configure({ participantShape: 'participant_id' })
    expect((await call(`/participants/${id}`)).body).toMatchObject({ participant_id: id, is_confirmed: true })

    // Exactly the vendor's sample: same keys, same types, same envelope.
    pd.configure({ participantShape: 'sample', singleEnvelope: 'data', timestamps: 'unix' })
    const sample = JSON.parse(readFileSync('/work/shared/contracts/samples/plandocket.participant.200.json', 'utf8'))
    const got = (await call(`/participants/${id}`)).body
    const shape = (value: unknown): unknown =>
      value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)])) : typeof value
    expect(shape(got)).toEqual(shape(sample))
    expect(got.data).toEqual({ participant_id: id, created_at: unix, updated_at: unix })
  })
})

describe('participant and contact writes', () => {
  it('creates a participant (201), refuses a duplicate with 422 or 409, updates with PUT/PATCH, deletes', async () => {
    pd.addEvent({ event_key: 'conf' })
    const contact = pd.addContact({ first_name: 'Jane', last_name: 'Doe' })
    const created = await call('/participants', { body: { event_key: 'conf', customer_number: contact.customer_number } })
    expect(created.status).toBe(201)
    const id = itemOf(created.body).id
    expect(pd.participant(id)).toMatchObject({ contact_id: contact.id, is_confirmed: false })

    const dup = await call('/participants', { body: { event_key: 'conf', customer_number: contact.customer_number } })
    expect([dup.status, dup.body.error, Object.keys(dup.body.errors)]).toEqual([422, 'Validation failed', ['customer_number']])
    pd.configure({ duplicateParticipantStatus: 409 })
    const conflict = await call('/participants', { body: { event_key: 'conf', customer_number: contact.customer_number } })
    expect([conflict.status, conflict.body]).toEqual([409, { error: 'Participant already exists' }])

    const invalid = await call('/participants', { body: { event_key: 'nope' } })
    expect(invalid.body).toEqual({
      error: 'Validation failed',
      errors: { customer_number: ['The customer number field is required.'], event_key: ['The selected event key is invalid.'] }
    })

    clock += 60_000
    const patched = await call(`/participants/${id}`, { method: 'PATCH', body: { is_confirmed: true } })
    expect(itemOf(patched.body)).toMatchObject({ id, is_confirmed: true, updated_at: '2026-07-01T10:01:00.000000Z' })
    expect((await call(`/participants/${id}`, { method: 'PUT', body: {} })).status).toBe(200) // PUT = PATCH by default
    pd.configure({ putSemantics: 'replace' })
    expect((await call(`/participants/${id}`, { method: 'PUT', body: {} })).body.errors).toEqual({ is_confirmed: ['The is confirmed field is required.'] })
    expect((await call(`/participants/${id}`, { method: 'PUT', body: { is_confirmed: 0 } })).status).toBe(200)
    expect(pd.participant(id)?.is_confirmed).toBe(false)

    const deleted = await call(`/participants/${id}`, { method: 'DELETE' })
    expect([deleted.status, deleted.text]).toEqual([204, ''])
    expect((await call(`/participants/${id}`, { method: 'DELETE' })).status).toBe(404)
    expect((await call(`/participants/${id}`, { method: 'POST', body: {} })).status).toBe(405)
  })

  it('creates a contact, with event_keys making it a participant; email is required', async () => {
    pd.addEvent({ event_key: 'a' })
    pd.addEvent({ event_key: 'b' })
    const missing = await call('/contacts', { body: { first_name: 'Jane' } })
    expect([missing.status, missing.body]).toEqual([422, { error: 'Validation failed', errors: { email: ['The email field is required.'] } }])
    const badKey = await call('/contacts', { body: { email: 'j@x.test', event_keys: ['a', 'zzz'] } })
    expect(badKey.body.errors).toEqual({ 'event_keys.1': ['The selected event keys.1 is invalid.'] })
    expect(pd.contacts()).toHaveLength(0)

    const created = await call('/contacts', { body: { email: 'jane@x.test', first_name: 'Jane', last_name: 'Doe', event_keys: ['a', 'b'] } })
    expect(created.status).toBe(201)
    const contact = itemOf(created.body)
    expect(contact).toMatchObject({ email: 'jane@x.test', first_name: 'Jane', customer_number: expect.any(String), company_name: null })
    expect(pd.participants().map((p) => [p.event_id, p.contact_id])).toEqual([
      [pd.event('a')!.id, contact.id],
      [pd.event('b')!.id, contact.id]
    ])
    expect(rowsOf((await call('/contacts?event_key=b&search=jane')).body)).toEqual([contact])
    expect(rowsOf((await call('/contacts?search=nobody')).body)).toEqual([])
  })
})

describe('check-ins', () => {
  function setup() {
    const event = pd.addEvent({ event_key: 'conf' })
    const [a, b] = pd.seedMany(2, 'conf')
    return { event, a: a!, b: b! }
  }

  it('creates by participant_id or badge_number (201), lists, gets, deletes (204, then 404)', async () => {
    const { event, a, b } = setup()
    const created = await call('/check-ins', {
      body: { event_key: 'conf', participant_id: a.participant.id, action: 'check_in', check_in_type: 'scan', station: 'Desk 1', notes: 'hi' }
    })
    expect(created.status).toBe(201)
    const checkIn = itemOf(created.body)
    expect(checkIn).toEqual({
      id: expect.any(Number),
      event_participant_id: a.participant.id,
      event_id: event.id,
      event_key: 'conf',
      contact: a.contact,
      check_in_type: 'scan',
      badge_number: a.participant.badge_number,
      station: 'Desk 1',
      checked_in_at: '2026-07-01T10:00:00.000000Z',
      checked_out_at: null,
      is_checked_in: true,
      checked_in_by: 'API',
      notes: 'hi'
    })
    const byBadge = await call('/check-ins', { body: { event_key: 'conf', badge_number: b.participant.badge_number, action: 'check_in' } })
    expect(itemOf(byBadge.body)).toMatchObject({ event_participant_id: b.participant.id, check_in_type: 'manual' })

    const listed = await call('/check-ins?event_key=conf')
    expect(rowsOf(listed.body).map((c) => c.id)).toEqual(pd.checkIns().map((c) => c.id))
    expect(itemOf((await call(`/check-ins/${checkIn.id}`)).body)).toEqual(checkIn)

    const stats = await call('/check-ins/stats?event_key=conf')
    expect(itemOf(stats.body)).toMatchObject({ total_participants: 2, checked_in: 2, checked_out: 0, not_checked_in: 0, total_check_ins: 2 })

    const gone = await call(`/check-ins/${checkIn.id}`, { method: 'DELETE' })
    expect([gone.status, gone.text]).toEqual([204, ''])
    const again = await call(`/check-ins/${checkIn.id}`, { method: 'DELETE' })
    expect([again.status, again.body]).toEqual([404, { error: 'Resource not found' }])
    expect(pd.checkIns()).toHaveLength(1)
  })

  it('checks out the open record; repeat check-ins create or are refused per settings', async () => {
    const { a } = setup()
    const body = { event_key: 'conf', participant_id: a.participant.id }
    const notIn = await call('/check-ins', { body: { ...body, action: 'check_out' } })
    expect([notIn.status, notIn.body.errors]).toEqual([422, { action: ['The participant is not checked in.'] }])
    await call('/check-ins', { body: { ...body, action: 'check_in' } })
    clock += 3_600_000
    const out = await call('/check-ins', { body: { ...body, action: 'check_out' } })
    expect(itemOf(out.body)).toMatchObject({ is_checked_in: false, checked_out_at: '2026-07-01T11:00:00.000000Z' })
    expect(pd.checkIns()).toHaveLength(1)

    await call('/check-ins', { body: { ...body, action: 'check_in' } })
    await call('/check-ins', { body: { ...body, action: 'check_in' } })
    expect(pd.checkIns()).toHaveLength(3) // 'create': a retried push duplicates
    pd.configure({ repeatCheckIn: 'reject' })
    expect((await call('/check-ins', { body: { ...body, action: 'check_in' } })).body.errors).toEqual({ participant_id: ['The participant is already checked in.'] })
  })

  it('answers 422 with the documented shape for missing or invalid fields', async () => {
    const { a } = setup()
    const none = await call('/check-ins', { body: { event_key: 'conf', action: 'check_in' } })
    expect([none.status, none.body]).toEqual([
      422,
      {
        error: 'Validation failed',
        errors: {
          participant_id: ['The participant id field is required when badge number is not present.'],
          badge_number: ['The badge number field is required when participant id is not present.']
        }
      }
    ])
    const invalid = await call('/check-ins', { body: { event_key: 'conf', participant_id: a.participant.id, action: 'arrive', check_in_type: 'nfc' } })
    expect(invalid.body.errors).toEqual({ action: ['The selected action is invalid.'], check_in_type: ['The selected check in type is invalid.'] })
    const missingAction = await call('/check-ins', { body: { event_key: 'conf', participant_id: a.participant.id } })
    expect(missingAction.body.errors).toEqual({ action: ['The action field is required.'] })
    const otherEvent = pd.seedMany(1, 'other')[0]!
    const wrong = await call('/check-ins', { body: { event_key: 'conf', participant_id: otherEvent.participant.id, action: 'check_in' } })
    expect(wrong.body.errors).toEqual({ participant_id: ['The selected participant id is invalid.'] })

    const list = await call('/check-ins')
    expect([list.status, list.body]).toEqual([422, { error: 'Validation failed', errors: { event_key: ['The event key field is required.'] } }])
    const body = await fetch(`${pd.baseUrl}/check-ins`, { method: 'POST', headers: pd.headers(), body: '{nope' })
    expect(body.status).toBe(400)
    expect(pd.checkIns()).toHaveLength(0)
  })
})

describe('faults (the Wix fake API)', () => {
  const push = (participantId: number, signal?: AbortSignal) =>
    fetch(`${pd.baseUrl}/check-ins`, {
      method: 'POST',
      headers: pd.headers(),
      body: JSON.stringify({ event_key: 'conf', participant_id: participantId, action: 'check_in' }),
      signal
    })
  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
  const participant = () => pd.seedMany(1, 'conf')[0]!.participant.id

  it('answers a 5xx with an empty body, before or after committing', async () => {
    const id = participant()
    pd.faults.next(1, { type: 'status', status: 503 })
    const refused = await push(id)
    expect([refused.status, await refused.text()]).toEqual([503, ''])
    expect(pd.checkIns()).toHaveLength(0)

    pd.faults.next(1, { type: 'status', status: 500, when: 'after' })
    expect((await push(id)).status).toBe(500)
    expect(pd.checkIns()).toHaveLength(1) // committed although the client saw an error
    expect(pd.requests('POST /check-ins').map((r) => [r.status, r.processed, r.fault])).toEqual([
      [503, false, 'status'],
      [500, true, 'status']
    ])
  })

  it('rate-limits with and without Retry-After, scoped to a route, next(n) then always', async () => {
    pd.faults.next(2, { type: 'rateLimit', retryAfterSeconds: 7 }, 'GET /participants')
    expect((await call('/events')).status).toBe(200) // other route untouched
    const limited = await call('/participants')
    expect([limited.status, limited.headers.get('retry-after'), limited.body]).toEqual([429, '7', { error: 'Rate limit exceeded' }])
    expect((await call('/participants')).status).toBe(429)
    expect((await call('/participants')).status).toBe(200)
    expect(pd.faults.pending()).toBe(0)

    pd.faults.always({ type: 'rateLimit' }, /participants/)
    const bare = await call('/participants')
    expect([bare.status, bare.headers.get('retry-after')]).toEqual([429, null])
    expect((await call('/participants/1')).status).toBe(429)
    pd.faults.clear()
    expect((await call('/participants')).status).toBe(200)
    pd.faults.next(1, { type: 'rateLimit' }, 'GET /api/v1/events') // the full path matches too
    expect((await call('/events')).status).toBe(429)
  })

  it('rate-limits by itself over settings.rateLimitPerHour on the injected clock', async () => {
    pd.configure({ rateLimitPerHour: 2 })
    expect([(await call('/events')).status, (await call('/events')).status, (await call('/events')).status]).toEqual([200, 200, 429])
    clock += 3_600_001
    expect((await call('/events')).status).toBe(200)
  })

  it('delays past a client timeout, processing the request before or after the wait', async () => {
    const id = participant()
    pd.faults.next(1, { type: 'delay', ms: 300 })
    await expect(push(id, AbortSignal.timeout(50))).rejects.toThrow()
    expect(pd.checkIns()).toHaveLength(0) // not yet: it is processed after the wait
    await settle(400)
    expect(pd.checkIns()).toHaveLength(1)

    pd.faults.next(1, { type: 'delay', ms: 300, when: 'after' })
    await expect(push(id, AbortSignal.timeout(50))).rejects.toThrow()
    expect(pd.checkIns()).toHaveLength(2) // committed before the client gave up
  })

  it('resets the connection before or after processing', async () => {
    const id = participant()
    pd.faults.next(1, { type: 'reset' })
    await expect(push(id)).rejects.toThrow()
    expect(pd.checkIns()).toHaveLength(0)
    pd.faults.next(1, { type: 'reset', when: 'after' })
    await expect(push(id)).rejects.toThrow()
    expect(pd.checkIns()).toHaveLength(1)
    expect(pd.requests().map((r) => r.status)).toEqual([0, 0])
  })

  it('sends malformed and truncated bodies that a client cannot parse', async () => {
    pd.seedMany(3, 'conf')
    pd.faults.next(1, { type: 'malformed' })
    const malformed = await fetch(`${pd.baseUrl}/participants`, { headers: pd.headers() })
    expect(malformed.status).toBe(200)
    await expect(malformed.json()).rejects.toThrow(SyntaxError)

    for (const mode of ['lyingLength', 'closeMidBody'] as const) {
      pd.faults.next(1, { type: 'truncated', mode })
      const cut = await fetch(`${pd.baseUrl}/participants`, { headers: pd.headers() })
      expect(cut.status).toBe(200)
      await expect(cut.text()).rejects.toThrow() // the body never completes
    }
    pd.faults.next(1, { type: 'truncated', mode: 'shortBody' })
    const short = await fetch(`${pd.baseUrl}/participants`, { headers: pd.headers() })
    const text = await short.text()
    expect(text.startsWith('{"data":[{')).toBe(true)
    expect(() => JSON.parse(text)).toThrow(SyntaxError)
  })

  it('goes down (connection refused) and comes back up on the same port', async () => {
    expect((await call('/events')).status).toBe(200)
    await pd.down()
    const error = await call('/events').catch((e: Error & { cause?: { code?: string } }) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED')
    await pd.up()
    expect((await call('/events')).status).toBe(200)
  })
})

describe('determinism, seeding, settings', () => {
  it('gives the same ids and request ids for the same seed, and uses the injected now', async () => {
    const run = async () => {
      await start()
      const [s] = pd.seedMany(2, 'conf')
      const answer = await call(`/participants/${s!.participant.id}`)
      return [pd.events().map((e) => e.id), pd.participants().map((p) => p.id), answer.body.meta.request_id, answer.body.data.created_at]
    }
    const first = await run()
    expect(await run()).toEqual(first)
    expect(first[3]).toBe('2026-07-01T09:59:59.000000Z') // the first of two seeded 1 s apart, ending at now
    // Ids of different kinds never coincide: one used as another is not found.
    expect(new Set([pd.event('conf')!.id, pd.contacts()[0]!.id, pd.participants()[0]!.id]).size).toBe(3)
  })

  it('seeds thousands quickly and reads them back through links paging', async () => {
    await start({ listEnvelope: 'full', paging: 'links' })
    const began = performance.now()
    const seeded = pd.seedMany(5000, 'big', (i) => ({ participant: { is_confirmed: i % 2 === 0 } }))
    expect(performance.now() - began).toBeLessThan(2000)
    expect(seeded.at(-1)!.participant.created_at).toBe('2026-07-01T10:00:00.000000Z') // 1 s apart, ending at now
    const { rows, calls } = await readAll('/participants?event_key=big&confirmed=1', 100)
    expect([rows.length, calls.length, new Set(rows.map((r) => r.id)).size]).toEqual([2500, 25, 2500])
  })

  it('refuses settings it cannot serve', async () => {
    expect(() => pd.configure({ paging: 'links', listEnvelope: 'bare' })).toThrow(/links/)
    expect(() => pd.configure({ timestamps: 'rfc' as never })).toThrow(/timestamps/)
    await expect(startFakePlandocket({ paging: 'links', listEnvelope: 'data' })).rejects.toThrow()
    pd.settings.paging = 'links'
    pd.settings.listEnvelope = 'bare' // direct mutation is not checked: the fake says so instead of answering
    expect((await call('/events')).status).toBe(500)
  })

  it('answers 404 outside the API and for unknown routes', async () => {
    expect((await call(`${pd.origin}/events`)).status).toBe(404)
    expect((await call('/webhooks')).body).toEqual({ error: 'Resource not found' })
  })
})
