/**
 * A desk left alone at the door: sync recovers by itself, retries a transient fault fast, takes
 * deletions made in the booking system, names a permission the key lacks, and never half-applies
 * a broken page. Real desks (SQLite, the engine's own timers) against the fakes over HTTP.
 */
import { describe, expect, it } from 'vitest'
import { englishSync } from '../../src/main/log/english'
import { DEFAULT_BACKOFF } from '../../src/main/sync/engine'
import type { FakePlandocket } from '../fakes/plandocket'
import { BOOKINGS_APP_ID, OTHER_APP_ID, type FakeWix } from '../fakes/wix'
import { testDesk, waitFor, type TestDesk } from './helpers'
import { connectedDesk, DAY, dayRequest, fakePlandocket, fakeWix, NS, pullDay, ZONE } from './sync-helpers'

const EVENT = { event_key: 'door-2026', title: 'Door', date_from: '2026-07-06T07:00:00Z', date_to: '2026-07-06T16:00:00Z', is_visible: true }

/** Backoff as a desk has it, only shorter, so a test waits out several failures in a second or two. */
const QUICK = { baseMs: 40, capMs: 300, random: () => 0.5 }

async function plandocket(people: string[]) {
  const fake = await fakePlandocket({ seed: 13 })
  fake.addEvent(EVENT)
  const seeded = fake.seedMany(people.length, EVENT.event_key, (i) => {
    const [first = '', last = ''] = people[i]!.split(' ')
    return { contact: { first_name: first, last_name: last } }
  })
  return { fake, ids: new Map(seeded.map((s) => [`${s.contact.first_name} ${s.contact.last_name}`, s.participant.id])) }
}

async function plandocketDesk(fake: FakePlandocket, options: Parameters<typeof testDesk>[0] = {}, apiKey = fake.apiKey): Promise<TestDesk> {
  return connectedDesk(fake, { syncTimerMs: 60_000, backoff: QUICK, ...options, connection: { apiKey } })
}

const names = async (t: TestDesk, sessionId: number) => (await t.call('roster.page', { sessionId, search: '', offset: 0, limit: 500 })).rows.map((r) => r.name)
const rowOf = async (t: TestDesk, sessionId: number, name: string) =>
  (await t.call('roster.page', { sessionId, search: name, offset: 0, limit: 5 })).rows.find((r) => r.name === name)

describe('recovering without a click', () => {
  it('an outage during a download with nothing queued ends by itself: Online again and another station’s check-in shown', async () => {
    const { fake, ids } = await plandocket(['Ada Door', 'Ben Door'])
    const t = await plandocketDesk(fake)
    const [session] = await pullDay(t)
    expect(session).toBeDefined()

    await fake.down()
    await t.desk.sync.requestPull(dayRequest())
    await t.desk.sync.idle()
    expect(await t.call('sync.status', {})).toMatchObject({ state: 'offline', online: false, pending: 0 })

    // Meanwhile another station checks Ben in; the service comes back. Nobody touches the desk.
    await fake.up()
    fake.addCheckIn({ event_participant_id: ids.get('Ben Door')!, station: 'Side door' })
    await waitFor(async () => (await t.call('sync.status', {})).online === true, 5_000, 'the desk to find the service again')
    await waitFor(async () => (await rowOf(t, session!.id, 'Ben Door'))?.attendance.status === 'ATTENDED', 5_000, "the other station's check-in")
    await waitFor(async () => (await t.call('sync.status', {})).state === 'idle', 2_000, 'idle')
    expect(await t.call('sync.status', {})).toMatchObject({ online: true, errors: [] })
  })

  it('the probe backs off from about a second up to 30 s, with jitter', () => {
    expect(DEFAULT_BACKOFF).toMatchObject({ baseMs: 1_000, capMs: 30_000 })
  })

  it('one 500 on a check-in: the mark reaches the service about a second later, not at the next timer', async () => {
    const { fake } = await plandocket(['Ada Door'])
    // The desk's own backoff and a long timer: only the retry can bring the mark over in time.
    const t = await plandocketDesk(fake, { backoff: DEFAULT_BACKOFF, syncTimerMs: 60_000 })
    const [session] = await pullDay(t)
    const ada = (await rowOf(t, session!.id, 'Ada Door'))!
    fake.faults.next(1, { type: 'status', status: 500 }, 'POST /check-ins')
    const started = Date.now()
    await t.call('attendance.checkIn', { sessionId: session!.id, participationId: ada.participationId, attendees: 1 })
    await waitFor(() => fake.checkIns().some((c) => c.is_checked_in), 5_000, 'the mark at the service')
    const took = Date.now() - started
    expect(took).toBeGreaterThanOrEqual(400)
    expect(took).toBeLessThan(5_000)
    expect(fake.requests('POST /check-ins').filter((r) => r.processed)).toHaveLength(1)
    await waitFor(async () => (await t.call('sync.status', {})).state === 'idle', 2_000, 'idle')
  })

  it("honours Retry-After: nothing is sent again before the service's wait is over", async () => {
    const { fake } = await plandocket(['Ada Door'])
    const t = await plandocketDesk(fake, { backoff: DEFAULT_BACKOFF })
    const [session] = await pullDay(t)
    const ada = (await rowOf(t, session!.id, 'Ada Door'))!
    fake.faults.next(1, { type: 'rateLimit', retryAfterSeconds: 2 }, 'POST /check-ins')
    const started = Date.now()
    await t.call('attendance.checkIn', { sessionId: session!.id, participationId: ada.participationId, attendees: 1 })
    await waitFor(() => fake.checkIns().some((c) => c.is_checked_in), 6_000, 'the mark at the service')
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000)
    expect(fake.requests('POST /check-ins')).toHaveLength(2)
  })
})

describe('deletions reconciled', () => {
  it('a participant removed in Plandocket leaves the roster and counts, but stays in the audit log and the export', async () => {
    const { fake, ids } = await plandocket(['Ada Door', 'Ben Door', 'Cleo Door'])
    const t = await plandocketDesk(fake)
    const [session] = await pullDay(t)
    const ben = (await rowOf(t, session!.id, 'Ben Door'))!
    await t.call('attendance.checkIn', { sessionId: session!.id, participationId: ben.participationId, attendees: 1 })
    await waitFor(async () => (await t.call('sync.status', {})).pending === 0, 5_000, 'drained')

    fake.removeParticipant(ids.get('Ben Door')!)
    await pullDay(t)
    expect(await names(t, session!.id)).toEqual(['Ada Door', 'Cleo Door'])
    expect(await t.call('roster.counts', { sessionId: session!.id })).toMatchObject({ participations: 2, checkedIn: 0, arrivedPeople: 0 })
    expect((await t.call('roster.page', { sessionId: session!.id, search: 'ben', offset: 0, limit: 10 })).total).toBe(0)
    expect((await t.call('roster.page', { sessionId: session!.id, search: 'do', offset: 0, limit: 10 })).total).toBe(2)
    expect((await t.call('stats.session', { sessionId: session!.id, slotMinutes: 15 })).arrivals).toEqual([])
    const scan = await t.call('attendance.scan', { sessionId: session!.id, code: String(ben.participationId) })
    expect(scan.outcome).toBe('unknown')
    // The history keeps the mark; the export keeps the person, marked as removed upstream.
    const { entries } = await t.call('audit.list', { sessionId: session!.id })
    expect(entries.some((e) => e.personName === 'Ben Door' && e.action === 'check_in')).toBe(true)
    const { csv } = await t.call('export.roster', { date: DAY, timeZone: ZONE })
    expect(csv).toMatch(/Ben Door,[^\r\n]*REMOVED_UPSTREAM,Checked in/)

    // Booked again in Plandocket: back on the roster at the next complete download.
    fake.addParticipant({ event_key: EVENT.event_key, contact_id: fake.contacts().find((c) => c.first_name === 'Ben')!.id })
    await pullDay(t)
    expect(await names(t, session!.id)).toEqual(['Ada Door', 'Ben Door', 'Cleo Door'])
  })

  it('a check-in deleted at another station clears the arrival; with a newer unsent mark it is a conflict the desk decides', async () => {
    const { fake, ids } = await plandocket(['Ada Door', 'Ben Door'])
    const t = await plandocketDesk(fake)
    const [session] = await pullDay(t)
    const ada = (await rowOf(t, session!.id, 'Ada Door'))!
    const ben = (await rowOf(t, session!.id, 'Ben Door'))!
    for (const p of [ada, ben]) await t.call('attendance.checkIn', { sessionId: session!.id, participationId: p.participationId, attendees: 1 })
    await waitFor(async () => (await t.call('sync.status', {})).pending === 0 && fake.checkIns().length === 2, 5_000, 'both sent')

    // Ada's check-in is deleted elsewhere: the next download clears it here.
    const checkInOf = (name: string) => fake.checkIns().find((c) => c.is_checked_in && c.event_participant_id === ids.get(name))!
    fake.removeCheckIn(checkInOf('Ada Door').id)
    await pullDay(t)
    expect((await rowOf(t, session!.id, 'Ada Door'))!.attendance.status).toBe('NOT_SET')
    expect(await t.call('roster.counts', { sessionId: session!.id })).toMatchObject({ checkedIn: 1 })

    // Ben's is deleted elsewhere while this desk holds a newer check-in it could not send yet.
    await fake.down()
    await t.call('attendance.undo', { sessionId: session!.id, participationId: ben.participationId })
    await t.call('attendance.checkIn', { sessionId: session!.id, participationId: ben.participationId, attendees: 1 })
    await waitFor(async () => (await t.call('sync.status', {})).online === false, 5_000, 'offline')
    // (Held back a little longer than the outage, so the download comes first.)
    t.desk.db.$client.prepare(`UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending'`).run(Date.now() + 60_000)
    fake.removeCheckIn(checkInOf('Ben Door').id)
    await fake.up()
    await waitFor(async () => (await t.call('sync.status', {})).problems === 2, 5_000, 'the conflict')
    const { problems } = await t.call('sync.problems', {})
    expect(problems.map((p) => [p.state, p.reason, p.personName, p.intent.kind])).toEqual([
      ['conflict', 'sync_deleted_elsewhere', 'Ben Door', 'clear'],
      ['conflict', 'sync_deleted_elsewhere', 'Ben Door', 'check_in']
    ])
    // Meanwhile the desk keeps showing its own mark.
    expect((await rowOf(t, session!.id, 'Ben Door'))!.attendance.status).toBe('ATTENDED')
    // Keep this desk's mark (the older one is discarded): Ben is checked in at the service again.
    await t.call('sync.resolve', { opId: problems[0]!.opId, choice: 'discard' })
    await t.call('sync.resolve', { opId: problems[1]!.opId, choice: 'mine' })
    await waitFor(() => fake.checkIns().filter((c) => c.is_checked_in).length === 1, 5_000, 'the kept mark at the service')
    await waitFor(async () => (await t.call('sync.status', {})).problems === 0, 2_000, 'no problem left')
    expect(checkInOf('Ben Door')).toBeDefined()
  })

  it('with a newer unsent check-in, "use the service\'s" clears the arrival', async () => {
    const { fake, ids } = await plandocket(['Ben Door'])
    const t = await plandocketDesk(fake)
    const [session] = await pullDay(t)
    const ben = (await rowOf(t, session!.id, 'Ben Door'))!
    await t.call('attendance.checkIn', { sessionId: session!.id, participationId: ben.participationId, attendees: 1 })
    await waitFor(() => fake.checkIns().length === 1, 5_000, 'sent')
    await fake.down()
    await t.call('attendance.undo', { sessionId: session!.id, participationId: ben.participationId })
    await t.call('attendance.checkIn', { sessionId: session!.id, participationId: ben.participationId, attendees: 1 })
    await waitFor(async () => (await t.call('sync.status', {})).online === false, 5_000, 'offline')
    t.desk.db.$client.prepare(`UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending'`).run(Date.now() + 60_000)
    fake.removeCheckIn(fake.checkIns().find((c) => c.event_participant_id === ids.get('Ben Door'))!.id)
    await fake.up()
    await waitFor(async () => (await t.call('sync.status', {})).problems === 2, 5_000, 'the conflict')
    for (const p of (await t.call('sync.problems', {})).problems) await t.call('sync.resolve', { opId: p.opId, choice: 'discard' })
    await waitFor(async () => (await rowOf(t, session!.id, 'Ben Door'))!.attendance.status === 'NOT_SET', 5_000, "the service's version")
    expect(fake.checkIns().filter((c) => c.is_checked_in)).toEqual([])
  })

  it('an attendance deleted in Wix Bookings clears the arrival; calendar marks removed elsewhere clear too', async () => {
    const fake: FakeWix = await fakeWix({ seed: 21 })
    const booked = fake.addEvent({ title: 'Booked', type: 'CLASS', appId: BOOKINGS_APP_ID, start: `${DAY}T09:00:00`, end: `${DAY}T10:00:00`, timeZone: ZONE })
    const calendar = fake.addEvent({ title: 'Calendar', type: 'CLASS', appId: OTHER_APP_ID, start: `${DAY}T11:00:00`, end: `${DAY}T12:00:00`, timeZone: ZONE })
    const bookingId = '00000001-aaaa-4bbb-8ccc-dddddddddddd'
    fake.addParticipation({ eventId: booked.id, appId: BOOKINGS_APP_ID, externalId: bookingId, participant: { name: 'Bo Booked' } })
    const cal = fake.addParticipation({ eventId: calendar.id, participant: { name: 'Cal Guest' } })
    const attendance = fake.addAttendance({ bookingId, eventId: booked.id, status: 'ATTENDED', numberOfAttendees: 1 })
    fake.updateParticipation(cal.id, { extendedFields: { namespaces: { [NS]: { sessions: { [calendar.id]: { status: 'ATTENDED', attendees: 1, markedAt: null, deskId: 'other' } } } } } })

    const t = await connectedDesk(fake, { syncTimerMs: 60_000, backoff: QUICK })
    const sessions = await pullDay(t)
    const s = (title: string) => sessions.find((x) => x.title === title)!
    expect((await rowOf(t, s('Booked').id, 'Bo Booked'))!.attendance.status).toBe('ATTENDED')
    expect((await rowOf(t, s('Calendar').id, 'Cal Guest'))!.attendance.status).toBe('ATTENDED')

    fake.removeAttendance(attendance.id)
    fake.updateParticipation(cal.id, { extendedFields: { namespaces: { [NS]: { sessions: {} } } } })
    await pullDay(t)
    expect((await rowOf(t, s('Booked').id, 'Bo Booked'))!.attendance.status).toBe('NOT_SET')
    expect((await rowOf(t, s('Calendar').id, 'Cal Guest'))!.attendance.status).toBe('NOT_SET')

    // A participation removed in Wix leaves the roster too.
    fake.removeParticipation(cal.id)
    await pullDay(t)
    expect(await names(t, s('Calendar').id)).toEqual([])
  })

  it('a broken page leaves the roster as it was, says so, and the next download completes', async () => {
    const people = Array.from({ length: 250 }, (_, i) => `Guest ${String(i).padStart(3, '0')}`)
    const { fake, ids } = await plandocket(people)
    const t = await plandocketDesk(fake)
    const [session] = await pullDay(t)
    expect((await t.call('roster.counts', { sessionId: session!.id })).participations).toBe(250)

    // Someone leaves; the roster's second page arrives cut in half.
    fake.removeParticipant(ids.get('Guest 000')!)
    let rosterRequests = 0
    fake.faults.next(1, { type: 'truncated', mode: 'shortBody' }, (r) => r.path === '/participants' && ++rosterRequests === 2)
    await t.desk.sync.requestPull({ kind: 'session', sessionId: session!.id })
    await t.desk.sync.idle()
    const status = await t.call('sync.status', {})
    expect(status.errors).toEqual([expect.objectContaining({ stage: 'download', reason: 'sync_bad_response' })])
    // Nobody was taken off on the word of half a roster.
    expect((await t.call('roster.counts', { sessionId: session!.id })).participations).toBe(250)

    // The next try (the engine's own probe) goes on from the cursor and ends without an error, but
    // still removes nobody: it read half the roster; the next download, read whole, does.
    await waitFor(async () => (await t.call('sync.status', {})).errors.length === 0, 5_000, 'the resumed download')
    await t.desk.sync.idle()
    expect((await t.call('roster.counts', { sessionId: session!.id })).participations).toBe(250)
    await t.desk.sync.requestPull({ kind: 'session', sessionId: session!.id })
    await t.desk.sync.idle()
    expect((await t.call('roster.counts', { sessionId: session!.id })).participations).toBe(249)
    expect((await t.call('sync.status', {})).errors).toEqual([])
  })
})

describe('permissions named', () => {
  it('a Plandocket key without the checkins scope: marks wait, downloads go on, the status names the scope; granted, the marks go out by themselves', async () => {
    const { fake } = await plandocket(['Ada Door'])
    fake.setKey('no-checkins', { scopes: ['events', 'participants', 'contacts'] })
    const t = await plandocketDesk(fake, {}, 'no-checkins')
    const [session] = await pullDay(t)
    expect(session).toBeDefined()
    const ada = (await rowOf(t, session!.id, 'Ada Door'))!
    await t.call('attendance.checkIn', { sessionId: session!.id, participationId: ada.participationId, attendees: 1 })
    await waitFor(async () => (await t.call('sync.status', {})).state === 'permission_needed', 5_000, 'permission_needed')
    const status = await t.call('sync.status', {})
    expect(status).toMatchObject({ pending: 1, online: true })
    expect(status.errors).toEqual([
      expect.objectContaining({
        stage: 'send',
        reason: 'sync_forbidden',
        params: { service: 'plandocket', blocked: 'send', permission: { name: 'checkins', kind: 'scope', use: 'check_ins' } }
      })
    ])
    expect(englishSync(status.errors[0]!)).toBe(
      'This key may not record check-ins in Plandocket: add the checkins scope to the key. Rosters still download; check-ins wait on this desk until then.'
    )
    // Not a wrong key: downloads still work.
    fake.addParticipant({ event_key: EVENT.event_key, contact: { first_name: 'Late', last_name: 'Comer' } })
    await pullDay(t)
    expect(await names(t, session!.id)).toContain('Late Comer')
    expect(fake.checkIns()).toEqual([])

    // The scope is granted in Plandocket: the desk notices on its own.
    fake.setKey('no-checkins', { scopes: ['events', 'participants', 'contacts', 'checkins'] })
    await waitFor(() => fake.checkIns().length === 1, 5_000, 'the held mark at the service')
    // The next download finds the check-ins readable again.
    await pullDay(t)
    await waitFor(async () => (await t.call('sync.status', {})).state === 'idle', 2_000, 'idle')
  })

  it('a 401 is still a wrong key, not a missing permission', async () => {
    const { fake } = await plandocket(['Ada Door'])
    const t = await plandocketDesk(fake, {}, 'not-a-key')
    await t.desk.sync.requestPull(dayRequest())
    await t.desk.sync.idle()
    expect(await t.call('sync.status', {})).toMatchObject({ state: 'sign_in_needed', errors: [expect.objectContaining({ reason: 'sync_auth' })] })
  })
})
