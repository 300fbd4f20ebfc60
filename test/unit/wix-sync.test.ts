/**
 * The Wix provider and the sync engine end to end against the fake Wix over real HTTP.
 */
import { ConnectionReport } from '../../src/shared/contract'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BOOKINGS_APP_ID, createWixProvider } from '../../src/main/providers/wix'
import type { FakeWix, Fault } from '../fakes/wix'
import { sleep, tempDir, testDesk, waitFor, type TestDesk } from './helpers'
import { connectedDesk, DAY, drained, fakeWix, NS, pullDay, rosterOf, ZONE } from './sync-helpers'

const OTHER_APP = 'aaaaaaaa-1111-2222-3333-bbbbbbbbbbbb'

function classEvent(fake: FakeWix, title = 'Spin', appId = OTHER_APP) {
  return fake.addEvent({ title, type: 'CLASS', appId, start: `${DAY}T09:00:00`, end: `${DAY}T10:00:00`, timeZone: ZONE, totalCapacity: 5000 })
}

const markOn = (fake: FakeWix, participationId: string, eventId: string) => {
  const p = fake.participations().find((x) => x.id === participationId)
  const ns = p?.extendedFields?.namespaces?.[NS] as { sessions?: Record<string, { status: string; attendees: number }> } | undefined
  return ns?.sessions?.[eventId] ?? null
}

describe('Wix pull', () => {
  it('pulls 2,500 participations over many cursor pages, courses included, and re-pulls incrementally', async () => {
    const fake = await fakeWix()
    const spin = classEvent(fake)
    const course = fake.addEvent({ title: 'Pottery course', type: 'COURSE', appId: OTHER_APP, start: `${DAY}T18:00:00`, end: `${DAY}T20:00:00`, timeZone: ZONE, totalCapacity: 5000 })
    fake.addEvent({ title: 'Tomorrow', type: 'CLASS', appId: OTHER_APP, start: '2026-07-07T09:00:00', end: '2026-07-07T10:00:00', timeZone: ZONE })
    fake.addEvent({ title: 'Rained off', type: 'CLASS', status: 'CANCELLED', appId: OTHER_APP, start: `${DAY}T12:00:00`, end: `${DAY}T13:00:00`, timeZone: ZONE })
    fake.seedMany(2000, (i) => ({ eventId: spin.id, participant: { name: `Spinner ${String(i).padStart(4, '0')}`, email: `s${i}@example.com` }, partySize: 1 + (i % 3) }))
    fake.seedMany(500, (i) => ({ scheduleId: course.scheduleId, participant: { name: `Potter ${String(i).padStart(3, '0')}` }, partySize: 1 }))

    const t = await connectedDesk(fake)
    const sessions = await pullDay(t)
    expect(sessions.map((s) => [s.title, s.status])).toEqual([['Spin', 'CONFIRMED'], ['Rained off', 'CANCELLED'], ['Pottery course', 'CONFIRMED']])
    const spinLocal = sessions[0]!
    const courseLocal = sessions[2]!
    await t.desk.sync.requestPull({ kind: 'session', sessionId: spinLocal.id })
    await t.desk.sync.requestPull({ kind: 'session', sessionId: courseLocal.id })
    await t.desk.sync.idle()
    expect((await t.call('roster.page', { sessionId: spinLocal.id, search: '', offset: 0, limit: 1 })).total).toBe(2000)
    expect((await t.call('roster.page', { sessionId: courseLocal.id, search: '', offset: 0, limit: 1 })).total).toBe(500)
    const expectedPeople = Array.from({ length: 2000 }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b, 0)
    expect(await t.call('roster.counts', { sessionId: spinLocal.id })).toMatchObject({ participations: 2000, expectedPeople })
    // Paging: the first request of a roster carries the query, the next ones only the cursor.
    const rosterRequests = fake.requests('POST /calendar/v3/participations/query')
    expect(rosterRequests.length).toBeGreaterThanOrEqual(25)
    expect(rosterRequests.every((r) => r.status === 200)).toBe(true)

    // Re-pull: nothing changed, nothing rewritten; one change on Wix, one row rewritten.
    const sqlite = t.desk.db.$client
    const stamp = () => sqlite.prepare('SELECT sum(updated_at), count(*) FROM participations').raw().get()
    const before = stamp()
    await t.desk.sync.requestPull({ kind: 'session', sessionId: spinLocal.id })
    await t.desk.sync.idle()
    expect(stamp()).toEqual(before)
    const someone = fake.participations().find((p) => p.participant.name === 'Spinner 0042')!
    fake.updateParticipation(someone.id, { participant: { name: 'Spinner 0042 Renamed' } })
    await sleep(5)
    await t.desk.sync.requestPull({ kind: 'session', sessionId: spinLocal.id })
    await t.desk.sync.idle()
    const changed = sqlite.prepare('SELECT name FROM participations WHERE updated_at > (SELECT min(updated_at) FROM participations) + 0').pluck().all()
    expect(changed).toContain('Spinner 0042 Renamed')
    expect(await rosterOf(t, spinLocal.id, 'renamed')).toHaveLength(1)
  })
})

describe('Wix push', () => {
  it('pushes marks made while Wix is unreachable once it returns, in order, exactly once', async () => {
    const fake = await fakeWix()
    const spin = classEvent(fake)
    const people = ['Ada', 'Ben', 'Cleo'].map((name) => fake.addParticipation({ eventId: spin.id, participant: { name }, partySize: 2 }))
    const t = await connectedDesk(fake)
    const [session] = await pullDay(t)
    await t.desk.sync.requestPull({ kind: 'session', sessionId: session!.id })
    await t.desk.sync.idle()
    const rows = await rosterOf(t, session!.id)

    await fake.down()
    for (const name of ['Cleo', 'Ada', 'Ben']) {
      const row = rows.find((r) => r.name === name)!
      await t.call('attendance.checkIn', { sessionId: session!.id, participationId: row.participationId, attendees: name === 'Ada' ? 2 : 1 })
    }
    await waitFor(async () => (await t.call('sync.status', {})).state === 'offline', 5_000, 'offline')
    expect(await t.call('sync.status', {})).toMatchObject({ pending: 3, online: false })

    fake.clearRequests()
    await fake.up()
    await drained(t)
    const patches = fake.requests((r) => r.method === 'PATCH' && r.path.startsWith('/calendar/v3/participations/')).filter((r) => r.status === 200)
    const byId = new Map(people.map((p) => [p.id, p.participant.name]))
    expect(patches.map((r) => byId.get(r.path.split('/').pop()!))).toEqual(['Cleo', 'Ada', 'Ben'])
    expect(markOn(fake, people[0]!.id, spin.id)).toMatchObject({ status: 'ATTENDED', attendees: 2 })
    expect(markOn(fake, people[1]!.id, spin.id)).toMatchObject({ status: 'ATTENDED', attendees: 1 })
    expect(fake.violations()).toEqual([])
  })

  it('records Bookings attendance through the Attendance API, in bulk batches of at most 8, never inconsistent', async () => {
    const fake = await fakeWix()
    const yoga = classEvent(fake, 'Yoga', BOOKINGS_APP_ID)
    const bookings = Array.from({ length: 11 }, (_, i) =>
      fake.addParticipation({ eventId: yoga.id, appId: BOOKINGS_APP_ID, externalId: `0000000${i}-aaaa-bbbb-cccc-dddddddddddd`, participant: { name: `Booker ${i}` }, partySize: 2 })
    )
    fake.addAttendance({ bookingId: bookings[10]!.externalId!, eventId: yoga.id, status: 'ATTENDED', numberOfAttendees: 2 })
    const t = await connectedDesk(fake)
    const [session] = await pullDay(t)
    await t.desk.sync.requestPull({ kind: 'session', sessionId: session!.id })
    await t.desk.sync.idle()
    const rows = await rosterOf(t, session!.id)
    // The attendance already on Wix arrived with the roster.
    expect(rows.find((r) => r.name === 'Booker 10')!.attendance).toMatchObject({ status: 'ATTENDED', attendees: 2 })

    await fake.down()
    for (let i = 0; i < 9; i++) {
      const row = rows.find((r) => r.name === `Booker ${i}`)!
      await t.call('attendance.checkIn', { sessionId: session!.id, participationId: row.participationId, attendees: 1 })
    }
    const nine = rows.find((r) => r.name === 'Booker 9')!
    await t.call('attendance.noShow', { sessionId: session!.id, participationId: nine.participationId })
    const ten = rows.find((r) => r.name === 'Booker 10')!
    await t.call('attendance.checkIn', { sessionId: session!.id, participationId: ten.participationId, attendees: 1 })
    await t.call('attendance.undo', { sessionId: session!.id, participationId: ten.participationId }) // back to 2
    await fake.up()
    await drained(t)

    const bulk = fake.requests('POST /bookings/v2/bulk/attendance/set').filter((r) => r.status === 200)
    expect(bulk.length).toBeGreaterThan(0)
    for (const r of bulk) expect((r.body as { attendanceDetails: unknown[] }).attendanceDetails.length).toBeLessThanOrEqual(8)
    const state = new Map(fake.attendances().map((a) => [a.bookingId, [a.status, a.numberOfAttendees]]))
    for (let i = 0; i < 9; i++) expect(state.get(bookings[i]!.externalId!)).toEqual(['ATTENDED', 1])
    expect(state.get(bookings[9]!.externalId!)).toEqual(['NOT_ATTENDED', 0])
    expect(state.get(bookings[10]!.externalId!)).toEqual(['ATTENDED', 2])
    expect(fake.attendances()).toHaveLength(11)
    expect(fake.violations(), JSON.stringify(fake.violations())).toEqual([])
    // Bookings participations are never edited by the desk.
    expect(fake.requests((r) => r.method === 'PATCH')).toEqual([])
  })

  const faults: [string, Fault][] = [
    ['5xx with an empty body', { type: 'status', status: 503 }],
    ['5xx after the server committed', { type: 'status', status: 500, when: 'after' }],
    ['429 without Retry-After', { type: 'rateLimit' }],
    ['429 with Retry-After', { type: 'rateLimit', retryAfterSeconds: 0 }],
    ['a slow answer past the client timeout', { type: 'delay', ms: 1_500 }],
    ['a slow answer after the server committed', { type: 'delay', ms: 1_500, when: 'after' }],
    ['a reset before processing', { type: 'reset' }],
    ['a reset after processing', { type: 'reset', when: 'after' }],
    ['malformed JSON', { type: 'malformed' }],
    ['truncated JSON (lying length)', { type: 'truncated' }],
    ['truncated JSON (short body)', { type: 'truncated', mode: 'shortBody' }]
  ]

  for (const [label, fault] of faults) {
    it(`ends with exactly the expected state after ${label}`, async () => {
      const fake = await fakeWix()
      const spin = classEvent(fake)
      const yoga = classEvent(fake, 'Yoga', BOOKINGS_APP_ID)
      const a = fake.addParticipation({ eventId: spin.id, participant: { name: 'Ada' }, partySize: 3 })
      const b = fake.addParticipation({ eventId: yoga.id, appId: BOOKINGS_APP_ID, externalId: '11111111-aaaa-bbbb-cccc-dddddddddddd', participant: { name: 'Ben' }, partySize: 1 })
      const t = await connectedDesk(fake)
      const sessions = await pullDay(t)
      for (const s of sessions) await t.desk.sync.requestPull({ kind: 'session', sessionId: s.id })
      await t.desk.sync.idle()
      const spinLocal = sessions.find((s) => s.title === 'Spin')!
      const yogaLocal = sessions.find((s) => s.title === 'Yoga')!
      const ada = (await rosterOf(t, spinLocal.id))[0]!
      const ben = (await rosterOf(t, yogaLocal.id))[0]!

      fake.faults.next(1, fault, (r) => r.method !== 'GET' && !r.path.endsWith('/query'))
      await t.call('attendance.checkIn', { sessionId: spinLocal.id, participationId: ada.participationId, attendees: 2 })
      await t.call('attendance.checkIn', { sessionId: yogaLocal.id, participationId: ben.participationId, attendees: 1 })
      await t.call('attendance.checkIn', { sessionId: spinLocal.id, participationId: ada.participationId, attendees: 3 })
      await drained(t, `the outbox to drain after ${label}`)

      expect(markOn(fake, a.id, spin.id)).toMatchObject({ status: 'ATTENDED', attendees: 3 })
      expect(fake.attendances().map((x) => [x.bookingId, x.status, x.numberOfAttendees])).toEqual([[b.externalId, 'ATTENDED', 1]])
      expect(fake.participations()).toHaveLength(2)
      expect(fake.violations()).toEqual([])
      expect((await t.call('sync.status', {})).problems).toBe(0)
    })
  }

  it('ends with exactly the expected state under a random mix of faults (seeded)', async () => {
    const fake = await fakeWix()
    const spin = classEvent(fake)
    const people = Array.from({ length: 6 }, (_, i) => fake.addParticipation({ eventId: spin.id, participant: { name: `Person ${i}` }, partySize: 4 }))
    const t = await connectedDesk(fake)
    const [session] = await pullDay(t)
    await t.desk.sync.requestPull({ kind: 'session', sessionId: session!.id })
    await t.desk.sync.idle()
    const rows = await rosterOf(t, session!.id)

    let seed = 12345
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const expected = new Map<string, number>()
    for (let step = 0; step < 40; step++) {
      const f = faults[Math.floor(random() * faults.length)]![1]
      if (random() < 0.5) fake.faults.next(1, f.type === 'delay' ? { ...f, ms: 1_100 } : f, (r) => r.method !== 'GET')
      const i = Math.floor(random() * rows.length)
      const attendees = 1 + Math.floor(random() * 4)
      await t.call('attendance.checkIn', { sessionId: session!.id, participationId: rows[i]!.participationId, attendees })
      expected.set(rows[i]!.name, attendees)
    }
    await drained(t)
    for (const p of people) {
      const want = expected.get(p.participant.name)
      expect(markOn(fake, p.id, spin.id)?.attendees ?? null, p.participant.name).toBe(want ?? null)
    }
    expect(fake.violations()).toEqual([])
  })

  it('a desk killed between sending a mark and recording the answer sends it again safely, exactly once', async () => {
    const fake = await fakeWix()
    const spin = classEvent(fake)
    const walkInTarget = fake.addParticipation({ eventId: spin.id, participant: { name: 'Kim' }, partySize: 2 })
    const dataDir = tempDir()
    const setup = await connectedDesk(fake, { dataDir })
    const [session] = await pullDay(setup)
    await setup.desk.sync.requestPull({ kind: 'session', sessionId: session!.id })
    await setup.desk.sync.idle()
    const kim = (await rosterOf(setup, session!.id))[0]!
    setup.desk.close()

    // Wix commits the PATCH but the answer never comes back in time; the desk dies waiting.
    fake.faults.always({ type: 'delay', ms: 60_000, when: 'after' }, (r) => r.method === 'PATCH')
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'sync-desk-child.ts'), dataDir, String(session!.id), String(kim.participationId)], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    await waitFor(() => markOn(fake, walkInTarget.id, spin.id) !== null, 20_000, `the child's PATCH to reach Wix (${stderr})`)
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    fake.faults.clear()

    const t = await connectedDesk(fake, { dataDir })
    expect(t.desk.db.$client.prepare('SELECT state FROM outbox').pluck().all()).toEqual(['in_flight'])
    void t.call('sync.now', {})
    await drained(t)
    expect(markOn(fake, walkInTarget.id, spin.id)).toMatchObject({ status: 'ATTENDED', attendees: 2 })
    // The resend met a newer revision (its own first PATCH), re-read, saw its intent done: no second write.
    const patches = fake.requests((r) => r.method === 'PATCH')
    // The first was committed by Wix but its answer died with the desk (no status went out).
    expect(patches.map((r) => [r.processed, r.status])).toEqual([[true, 0], [true, 409]])
    expect(fake.participations().find((p) => p.id === walkInTarget.id)!.revision).toBe('2')
  })

  it('two desks marking the same person: no double count, 409 merged, a real disagreement shown as a conflict', async () => {
    const fake = await fakeWix()
    const spin = classEvent(fake)
    const zoe = fake.addParticipation({ eventId: spin.id, participant: { name: 'Zoë' }, partySize: 3 })
    const [a, b] = [await connectedDesk(fake), await connectedDesk(fake)]
    const sessionOf = async (t: TestDesk) => {
      const [s] = await pullDay(t)
      await t.desk.sync.requestPull({ kind: 'session', sessionId: s!.id })
      await t.desk.sync.idle()
      const row = (await rosterOf(t, s!.id))[0]!
      return { sessionId: s!.id, participationId: row.participationId }
    }
    const [atA, atB] = [await sessionOf(a), await sessionOf(b)]

    // Both check Zoë in with 2, from the same starting point: the second meets a 409 and merges.
    await a.call('attendance.checkIn', { ...atA, attendees: 2 })
    await drained(a)
    await b.call('attendance.checkIn', { ...atB, attendees: 2 })
    await drained(b)
    expect(markOn(fake, zoe.id, spin.id)).toMatchObject({ status: 'ATTENDED', attendees: 2 })
    expect(fake.requests((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([200, 409])
    expect((await b.call('sync.status', {})).problems).toBe(0)

    // Now they disagree: A adds the third person, B (still at 2) marks a no-show.
    await a.call('attendance.checkIn', { ...atA, attendees: 3 })
    await drained(a)
    await b.call('attendance.noShow', atB)
    await waitFor(async () => (await b.call('sync.status', {})).problems === 1, 10_000, 'the conflict')
    const [problem] = (await b.call('sync.problems', {})).problems
    expect(problem).toMatchObject({ state: 'conflict', personName: 'Zoë', sessionTitle: 'Spin' })
    expect(problem).toMatchObject({ reason: 'sync_other_desk', params: { service: 'wix', status: 'ATTENDED', attendees: 3 }, intent: { kind: 'no_show' } })
    expect(markOn(fake, zoe.id, spin.id)).toMatchObject({ status: 'ATTENDED', attendees: 3 })

    // B's desk decides to drop its change: Wix's version comes back to B.
    await b.call('sync.resolve', { opId: problem!.opId, choice: 'discard' })
    await waitFor(async () => (await rosterOf(b, atB.sessionId))[0]!.attendance.attendees === 3, 10_000, 'B to show 3')
    expect((await b.call('sync.status', {})).problems).toBe(0)
  })

  it('a conflict the desk overrules is sent again and wins', async () => {
    const fake = await fakeWix()
    const spin = classEvent(fake)
    const p = fake.addParticipation({ eventId: spin.id, participant: { name: 'Max' }, partySize: 1 })
    const t = await connectedDesk(fake)
    const [s] = await pullDay(t)
    await t.desk.sync.requestPull({ kind: 'session', sessionId: s!.id })
    await t.desk.sync.idle()
    const row = (await rosterOf(t, s!.id))[0]!
    // Someone else marks Max as no-show on Wix directly.
    fake.updateParticipation(p.id, { extendedFields: { namespaces: { [NS]: { sessions: { [spin.id]: { status: 'NOT_ATTENDED', attendees: 0, markedAt: null, deskId: 'other' } } } } } })
    await t.call('attendance.checkIn', { sessionId: s!.id, participationId: row.participationId, attendees: 1 })
    await waitFor(async () => (await t.call('sync.status', {})).problems === 1, 10_000, 'the conflict')
    const [problem] = (await t.call('sync.problems', {})).problems
    await t.call('sync.resolve', { opId: problem!.opId, choice: 'mine' })
    await drained(t)
    expect(markOn(fake, p.id, spin.id)).toMatchObject({ status: 'ATTENDED', attendees: 1 })
  })

  it('holds the queue with "sign-in needed" on a refused key, and drains once the key is fixed', async () => {
    const fake = await fakeWix()
    const spin = classEvent(fake)
    fake.addParticipation({ eventId: spin.id, participant: { name: 'Ola' }, partySize: 1 })
    const t = await connectedDesk(fake)
    const [s] = await pullDay(t)
    await t.desk.sync.requestPull({ kind: 'session', sessionId: s!.id })
    await t.desk.sync.idle()
    const row = (await rosterOf(t, s!.id))[0]!
    await t.call('settings.save', { provider: 'wix', wix: { siteId: fake.siteId, apiKey: 'revoked-key', baseUrl: fake.baseUrl, namespace: NS } })
    await t.call('attendance.checkIn', { sessionId: s!.id, participationId: row.participationId, attendees: 1 })
    await waitFor(async () => (await t.call('sync.status', {})).state === 'sign_in_needed', 10_000, 'sign-in needed')
    expect(await t.call('sync.status', {})).toMatchObject({ pending: 1 })
    await t.call('settings.save', { provider: 'wix', wix: { siteId: fake.siteId, apiKey: fake.apiKey, baseUrl: fake.baseUrl, namespace: NS } })
    await drained(t)
    expect((await t.call('sync.status', {})).state).not.toBe('sign_in_needed')
  })

  it('a pull never overwrites a mark that is still waiting to be sent', async () => {
    const fake = await fakeWix()
    const spin = classEvent(fake)
    const p = fake.addParticipation({ eventId: spin.id, participant: { name: 'Pat' }, partySize: 2 })
    const t = await connectedDesk(fake)
    const [s] = await pullDay(t)
    await t.desk.sync.requestPull({ kind: 'session', sessionId: s!.id })
    await t.desk.sync.idle()
    const row = (await rosterOf(t, s!.id))[0]!
    fake.faults.always({ type: 'status', status: 503 }, (r) => r.method === 'PATCH')
    await t.call('attendance.checkIn', { sessionId: s!.id, participationId: row.participationId, attendees: 2 })
    fake.updateParticipation(p.id, { participant: { name: 'Pat Renamed' } })
    await t.desk.sync.requestPull({ kind: 'session', sessionId: s!.id })
    await sleep(200)
    const now = (await rosterOf(t, s!.id))[0]!
    expect(now.attendance).toMatchObject({ status: 'ATTENDED', attendees: 2 })
    expect(now.name).toBe('Pat')
    fake.faults.clear()
    await drained(t)
    await t.desk.sync.requestPull({ kind: 'session', sessionId: s!.id })
    await t.desk.sync.idle()
    expect((await rosterOf(t, s!.id))[0]).toMatchObject({ name: 'Pat Renamed', attendance: { status: 'ATTENDED', attendees: 2 } })
  })

  it('tests the connection with a clear answer for each failure', async () => {
    const fake = await fakeWix()
    const t = testDesk()
    const wix = (over: Record<string, string> = {}) => ({ provider: 'wix' as const, wix: { siteId: fake.siteId, apiKey: fake.apiKey, baseUrl: fake.baseUrl, namespace: NS, ...over } })
    // Each answer is a code the window words in its language.
    const test = async (over?: Record<string, string>) => ConnectionReport.parse(await t.call('settings.testConnection', wix(over)))
    expect(await test()).toEqual({ ok: true, reason: 'connected', params: { service: 'wix', where: fake.siteId } })
    expect(await test({ apiKey: 'wrong' })).toMatchObject({ ok: false, reason: 'key_refused', params: { service: 'wix', status: 401 } })
    fake.faults.next(1, { type: 'status', status: 502 })
    expect(await test()).toMatchObject({ reason: 'service_problem', params: { status: 502 } })
    fake.faults.next(1, { type: 'malformed' })
    expect(await test()).toMatchObject({ reason: 'not_the_service', params: { field: 'base_url' } })
    // A key Wix accepts but that lacks permissions: each one missing is named before the desk is used.
    fake.setKey('calendar-only', ['Read Calendar'])
    expect(await test({ apiKey: 'calendar-only' })).toMatchObject({
      ok: false,
      reason: 'key_lacks_permissions',
      params: {
        service: 'wix',
        missing: [
          { name: 'Manage Calendar', kind: 'permission', use: 'check_ins' },
          { name: 'Manage Bookings', kind: 'permission', use: 'check_ins' }
        ]
      }
    })
    // Test connection wrote nothing.
    expect(fake.participations()).toEqual([])
    // The engine's unattended probe (a send failed, no download to repeat) only reads: it does not
    // even write to the id that cannot exist, so a desk waiting out an outage sends no writes at all.
    const probeFrom = fake.requests(() => true).length
    const probe = createWixProvider({ baseUrl: fake.baseUrl, siteId: fake.siteId, apiKey: fake.apiKey, namespace: NS })
    expect(await probe.testConnection({ readsOnly: true })).toMatchObject({ ok: true, reason: 'connected' })
    const probed = fake.requests(() => true).slice(probeFrom)
    expect(probed.length).toBeGreaterThan(0)
    expect(probed.filter((r) => r.method !== 'POST' || !r.path.endsWith('/query'))).toEqual([])
    await fake.down()
    expect(await test()).toMatchObject({ reason: 'unreachable', params: { baseUrl: fake.baseUrl, field: 'base_url', cause: 'no_connection' } })
    await fake.up()
    // Secrets stay in main: the settings the renderer sees only say a key is stored.
    await t.call('settings.save', wix())
    const view = await t.call('settings.get', {})
    expect(view.wix).toEqual({ siteId: fake.siteId, baseUrl: fake.baseUrl, namespace: NS, apiKeySet: true, historyDays: 60 })
    expect(JSON.stringify(view)).not.toContain(fake.apiKey)
  })
})

describe('Wix Bookings: its rules, and no silent overwrite between desks', () => {
  const booking = (i: number) => `${String(i).padStart(8, '0')}-aaaa-4bbb-8ccc-dddddddddddd`
  const bookingsClass = (fake: FakeWix, title = 'Yoga') => classEvent(fake, title, BOOKINGS_APP_ID)
  const attendanceOf = (fake: FakeWix, bookingId: string) => {
    const a = fake.attendances().find((x) => x.bookingId === bookingId)
    return a ? [a.status, a.numberOfAttendees] : null
  }
  async function deskAt(fake: FakeWix): Promise<{ t: TestDesk; sessionId: number; row: (name: string) => Promise<RosterRowLike> }> {
    const t = await connectedDesk(fake)
    const sessions = await pullDay(t)
    const session = sessions.find((s) => s.title === 'Yoga')!
    await t.desk.sync.requestPull({ kind: 'session', sessionId: session.id })
    await t.desk.sync.idle()
    return { t, sessionId: session.id, row: async (name) => (await rosterOf(t, session.id)).find((r) => r.name === name)! }
  }
  type RosterRowLike = Awaited<ReturnType<typeof rosterOf>>[number]
  const writesToParticipations = (fake: FakeWix) => fake.requests((r) => r.path.startsWith('/calendar/v3/participations') && !r.path.endsWith('/query'))

  it('another desk changed the mark since this desk saw it: not overwritten, a conflict; "keep mine" then wins and the other desk pulls it', async () => {
    const fake = await fakeWix()
    const yoga = bookingsClass(fake)
    fake.addParticipation({ eventId: yoga.id, appId: BOOKINGS_APP_ID, externalId: booking(1), participant: { name: 'Ines' }, partySize: 2 })
    const a = await deskAt(fake)
    const b = await deskAt(fake)
    const ines = { a: (await a.row('Ines')).participationId, b: (await b.row('Ines')).participationId }

    await a.t.call('attendance.checkIn', { sessionId: a.sessionId, participationId: ines.a, attendees: 2 })
    await drained(a.t)
    expect(attendanceOf(fake, booking(1))).toEqual(['ATTENDED', 2])

    // B still shows Ines unmarked (its older view) and marks her as a no-show.
    fake.clearRequests()
    await b.t.call('attendance.noShow', { sessionId: b.sessionId, participationId: ines.b })
    await waitFor(async () => (await b.t.call('sync.status', {})).problems === 1, 10_000, 'the conflict at B')
    expect(attendanceOf(fake, booking(1))).toEqual(['ATTENDED', 2])
    const [problem] = (await b.t.call('sync.problems', {})).problems
    expect(problem).toMatchObject({ state: 'conflict', personName: 'Ines', intent: { kind: 'no_show' } })
    expect(problem).toMatchObject({ reason: 'sync_other_desk', params: { service: 'wix', status: 'ATTENDED', attendees: 2 } })
    // It read before it would have written: one query for the booking, no set.
    const queries = fake.requests('POST /bookings/v2/attendance/query')
    expect(queries.map((r) => (r.body as { query: { filter: unknown } }).query.filter)).toEqual([{ bookingId: { $in: [booking(1)] } }])
    expect(fake.requests((r) => r.path.endsWith('/set'))).toEqual([])
    // The conflict holds B's mark on B (a pull does not replace it) until a person decides.
    await b.t.desk.sync.requestPull({ kind: 'session', sessionId: b.sessionId })
    await b.t.desk.sync.idle()
    expect((await b.row('Ines')).attendance.status).toBe('NOT_ATTENDED')

    await b.t.call('sync.resolve', { opId: problem!.opId, choice: 'mine' })
    await drained(b.t)
    expect(attendanceOf(fake, booking(1))).toEqual(['NOT_ATTENDED', 0])
    expect((await b.t.call('sync.status', {})).problems).toBe(0)
    await a.t.desk.sync.requestPull({ kind: 'session', sessionId: a.sessionId })
    await a.t.desk.sync.idle()
    expect((await a.row('Ines')).attendance).toMatchObject({ status: 'NOT_ATTENDED', attendees: 0 })

    // A, having seen B's no-show, may change it again without a conflict.
    await a.t.call('attendance.checkIn', { sessionId: a.sessionId, participationId: ines.a, attendees: 1 })
    await drained(a.t)
    expect(attendanceOf(fake, booking(1))).toEqual(['ATTENDED', 1])
    expect((await a.t.call('sync.status', {})).problems).toBe(0)
    expect(writesToParticipations(fake)).toEqual([])
    expect(fake.violations()).toEqual([])
  })

  it('"use the other desk\'s" brings back what Wix holds now, even when the other desk has since undone its mark', async () => {
    const fake = await fakeWix()
    const yoga = bookingsClass(fake)
    fake.addParticipation({ eventId: yoga.id, appId: BOOKINGS_APP_ID, externalId: booking(1), participant: { name: 'Uma' }, partySize: 2 })
    const a = await deskAt(fake)
    const b = await deskAt(fake)
    const uma = { a: (await a.row('Uma')).participationId, b: (await b.row('Uma')).participationId }
    await a.t.call('attendance.checkIn', { sessionId: a.sessionId, participationId: uma.a, attendees: 2 })
    await drained(a.t)
    await b.t.call('attendance.checkIn', { sessionId: b.sessionId, participationId: uma.b, attendees: 1 })
    await waitFor(async () => (await b.t.call('sync.status', {})).problems === 1, 10_000, 'the conflict at B')
    await a.t.call('attendance.undo', { sessionId: a.sessionId, participationId: uma.a })
    await drained(a.t)
    expect(attendanceOf(fake, booking(1))).toBeNull()
    const [problem] = (await b.t.call('sync.problems', {})).problems
    await b.t.call('sync.resolve', { opId: problem!.opId, choice: 'discard' })
    await waitFor(async () => (await b.row('Uma')).attendance.status === 'NOT_SET', 10_000, 'B to show what Wix holds')
    expect(attendanceOf(fake, booking(1))).toBeNull()
  })

  it('a desk closed while its check waits for Wix never writes afterwards; the mark is sent once by the desk that opens next', async () => {
    const fake = await fakeWix()
    const yoga = bookingsClass(fake)
    fake.addParticipation({ eventId: yoga.id, appId: BOOKINGS_APP_ID, externalId: booking(1), participant: { name: 'Noor' }, partySize: 1 })
    const dataDir = tempDir()
    const first = await connectedDesk(fake, { dataDir })
    const sessions = await pullDay(first)
    const session = sessions.find((s) => s.title === 'Yoga')!
    await first.desk.sync.requestPull({ kind: 'session', sessionId: session.id })
    await first.desk.sync.idle()
    const noor = (await rosterOf(first, session.id)).find((r) => r.name === 'Noor')!

    // The check read is slow; the desk closes while it waits (its window shut, the app quit).
    fake.faults.always({ type: 'delay', ms: 600 }, (r) => r.path === '/bookings/v2/attendance/query')
    fake.clearRequests()
    await first.call('attendance.checkIn', { sessionId: session.id, participationId: noor.participationId, attendees: 1 })
    const isCheck = (r: { body: unknown }) => 'bookingId' in ((r.body as { query: { filter: object } }).query.filter ?? {})
    await waitFor(() => fake.requests('POST /bookings/v2/attendance/query').some(isCheck), 5_000, 'the check read')
    first.desk.close()
    await sleep(900)
    expect(fake.requests((r) => r.path.endsWith('/set'))).toEqual([])
    expect(attendanceOf(fake, booking(1))).toBeNull()

    fake.faults.clear()
    const next = await connectedDesk(fake, { dataDir })
    void next.call('sync.now', {})
    await drained(next)
    expect(attendanceOf(fake, booking(1))).toEqual(['ATTENDED', 1])
    expect(fake.requests((r) => r.path.endsWith('/set'))).toHaveLength(1)
    expect((await next.call('sync.status', {})).problems).toBe(0)
    next.desk.close()
  })

  it('the same mark made at two desks is no conflict, and is written once', async () => {
    const fake = await fakeWix()
    const yoga = bookingsClass(fake)
    fake.addParticipation({ eventId: yoga.id, appId: BOOKINGS_APP_ID, externalId: booking(1), participant: { name: 'Jo' }, partySize: 3 })
    const a = await deskAt(fake)
    const b = await deskAt(fake)
    await a.t.call('attendance.checkIn', { sessionId: a.sessionId, participationId: (await a.row('Jo')).participationId, attendees: 3 })
    await drained(a.t)
    await b.t.call('attendance.checkIn', { sessionId: b.sessionId, participationId: (await b.row('Jo')).participationId, attendees: 3 })
    await drained(b.t)
    expect((await b.t.call('sync.status', {})).problems).toBe(0)
    expect(fake.requests((r) => r.path.endsWith('/set')).filter((r) => r.status === 200)).toHaveLength(1)
    expect(attendanceOf(fake, booking(1))).toEqual(['ATTENDED', 3])
  })

  it('reads before every bulk set: one attendance query with $in per batch of at most 8; an undo at one desk clears the other at its next pull', async () => {
    const fake = await fakeWix()
    const yoga = bookingsClass(fake)
    for (let i = 0; i < 11; i++) fake.addParticipation({ eventId: yoga.id, appId: BOOKINGS_APP_ID, externalId: booking(i), participant: { name: `Booker ${i}` }, partySize: 1 })
    const a = await deskAt(fake)
    const b = await deskAt(fake)
    fake.clearRequests()
    await fake.down()
    for (let i = 0; i < 11; i++) await a.t.call('attendance.checkIn', { sessionId: a.sessionId, participationId: (await a.row(`Booker ${i}`)).participationId, attendees: 1 })
    await fake.up()
    await drained(a.t)
    // The checks before writing (downloads ask by event, not by booking).
    const queries = fake
      .requests('POST /bookings/v2/attendance/query')
      .map((r) => (r.body as { query: { filter?: { bookingId?: { $in: string[] } } } }).query.filter?.bookingId?.$in)
      .filter((ids): ids is string[] => ids !== undefined)
    const sets = fake.requests((r) => r.path.endsWith('/set')).filter((r) => r.status === 200)
    expect(queries.map((q) => q.length)).toEqual([8, 3])
    expect(sets).toHaveLength(2)
    expect(fake.attendances()).toHaveLength(11)

    await b.t.desk.sync.requestPull({ kind: 'session', sessionId: b.sessionId })
    await b.t.desk.sync.idle()
    expect((await b.row('Booker 4')).attendance.status).toBe('ATTENDED')
    await a.t.call('attendance.undo', { sessionId: a.sessionId, participationId: (await a.row('Booker 4')).participationId })
    await drained(a.t)
    expect(attendanceOf(fake, booking(4))).toBeNull()
    await b.t.desk.sync.requestPull({ kind: 'session', sessionId: b.sessionId })
    await b.t.desk.sync.idle()
    expect((await b.row('Booker 4')).attendance.status).toBe('NOT_SET')
    expect((await b.row('Booker 5')).attendance.status).toBe('ATTENDED')
    expect(fake.violations()).toEqual([])
  })

  it('a walk-in at a Bookings class is one local entry: counted, exported, audited, "only on this desk", and nothing goes to Wix', async () => {
    const fake = await fakeWix()
    const yoga = bookingsClass(fake)
    fake.addParticipation({ eventId: yoga.id, appId: BOOKINGS_APP_ID, externalId: booking(1), participant: { name: 'Booked Bea' }, partySize: 1 })
    const a = await deskAt(fake)
    fake.clearRequests()
    const row = await a.t.call('attendance.walkIn', { sessionId: a.sessionId, name: 'Walk-in Wim', email: null, phone: null, partySize: 2, checkIn: true })
    expect(row).toMatchObject({ isWalkIn: true, localOnly: 'bookings_walk_in', attendance: { status: 'ATTENDED', attendees: 2 } })
    await a.t.call('attendance.checkIn', { sessionId: a.sessionId, participationId: row.participationId, attendees: 1 })
    await a.t.call('attendance.undo', { sessionId: a.sessionId, participationId: row.participationId })
    void a.t.call('sync.now', {})
    await a.t.desk.sync.idle()
    await a.t.desk.sync.idle()

    const sqlite = a.t.desk.db.$client
    expect(sqlite.prepare("SELECT count(*) FROM participations WHERE name = 'Walk-in Wim'").pluck().get()).toBe(1)
    expect(sqlite.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(0)
    expect(await a.t.call('sync.status', {})).toMatchObject({ pending: 0, problems: 0 })
    expect((await a.t.call('sync.problems', {})).problems).toEqual([])
    expect(await a.t.call('roster.counts', { sessionId: a.sessionId })).toMatchObject({ participations: 2, checkedIn: 1, arrivedPeople: 2 })
    const exported = await a.t.call('export.roster', { sessionId: a.sessionId })
    expect(exported.csv).toContain('Walk-in Wim')
    const audit = (await a.t.call('audit.list', { sessionId: a.sessionId, beforeId: null, limit: 50 })).entries.filter((e) => e.personName === 'Walk-in Wim')
    expect(audit.map((e) => e.action)).toEqual(['undo', 'check_in', 'check_in', 'walk_in'])
    expect(audit.every((e) => e.sync === null && (e.details as { localOnly?: string }).localOnly === 'bookings_walk_in')).toBe(true)
    // Zero requests to Wix for it: only the pulls a "Sync now" makes.
    expect(fake.requests((r) => !r.path.endsWith('/query'))).toEqual([])
    expect(fake.participations()).toHaveLength(1)
    // A later pull keeps it.
    await a.t.desk.sync.requestPull({ kind: 'session', sessionId: a.sessionId })
    await a.t.desk.sync.idle()
    expect((await a.row('Walk-in Wim')).attendance).toMatchObject({ status: 'ATTENDED', attendees: 2 })
  })

  it('Confirm is not offered on a pending Bookings booking (confirmed in Wix Bookings); checking it in still works', async () => {
    const fake = await fakeWix()
    const yoga = bookingsClass(fake)
    fake.addParticipation({ eventId: yoga.id, appId: BOOKINGS_APP_ID, externalId: booking(1), participant: { name: 'Pending Pia' }, partySize: 1, status: 'PENDING_CONFIRMATION' })
    const spin = classEvent(fake)
    fake.addParticipation({ eventId: spin.id, participant: { name: 'Pending Paul' }, partySize: 1, status: 'PENDING_CONFIRMATION' })
    const a = await deskAt(fake)
    const pia = await a.row('Pending Pia')
    expect(pia).toMatchObject({ status: 'PENDING_CONFIRMATION', confirmElsewhere: 'wix_bookings' })
    fake.clearRequests()
    const refused = await a.t.dispatch('attendance.confirm', { sessionId: a.sessionId, participationId: pia.participationId })
    expect(refused).toMatchObject({ ok: false, error: { code: 'refused', reason: 'confirm_in_wix_bookings' } })
    expect((await a.row('Pending Pia')).status).toBe('PENDING_CONFIRMATION')
    await a.t.call('attendance.checkIn', { sessionId: a.sessionId, participationId: pia.participationId, attendees: 1 })
    await drained(a.t)
    expect(attendanceOf(fake, booking(1))).toEqual(['ATTENDED', 1])
    expect(writesToParticipations(fake)).toEqual([])
    expect(fake.violations()).toEqual([])

    // A pending booking of another calendar app is still confirmed at the desk, by PATCH.
    const spinLocal = (await a.t.call('sessions.forDay', { date: DAY, timeZone: ZONE })).sessions.find((s) => s.title === 'Spin')!
    await a.t.desk.sync.requestPull({ kind: 'session', sessionId: spinLocal.id })
    await a.t.desk.sync.idle()
    const paul = (await rosterOf(a.t, spinLocal.id))[0]!
    expect(paul.confirmElsewhere).toBeNull()
    await a.t.call('attendance.confirm', { sessionId: spinLocal.id, participationId: paul.participationId })
    await drained(a.t)
    expect(fake.participations().find((p) => p.participant.name === 'Pending Paul')!.status).toBe('CONFIRMED')
  })

  it('an operation an older desk queued for a Bookings participation is never sent there', async () => {
    const fake = await fakeWix()
    const yoga = bookingsClass(fake)
    fake.addParticipation({ eventId: yoga.id, appId: BOOKINGS_APP_ID, externalId: booking(1), participant: { name: 'Old Olga' }, partySize: 1, status: 'PENDING_CONFIRMATION' })
    const a = await deskAt(fake)
    const olga = await a.row('Old Olga')
    // As an older version queued them: a confirm and a walk-in create on the Bookings class.
    const sqlite = a.t.desk.db.$client
    const walkIn = sqlite
      .prepare(`INSERT INTO participations (provider, provider_id, session_id, name, sort_name, search_codes, party_size, status, is_walk_in, created_at, updated_at)
                VALUES ('wix', 'walk-in:old', ?, 'Old Walk-in', 'old walk-in', '', 1, 'CONFIRMED', 1, 0, 0)`)
      .run(a.sessionId).lastInsertRowid
    const queue = sqlite.prepare(`INSERT INTO outbox (op_id, kind, provider, session_id, participation_id, payload, state, desk_id, created_at, updated_at) VALUES (?, ?, 'wix', ?, ?, ?, 'pending', 'old', 0, 0)`)
    queue.run('old-confirm', 'participation.confirm', a.sessionId, olga.participationId, '{"from":"PENDING_CONFIRMATION"}')
    queue.run('old-create', 'participation.create', a.sessionId, walkIn, '{"name":"Old Walk-in","partySize":1}')
    fake.clearRequests()
    void a.t.call('sync.now', {})
    await waitFor(async () => (await a.t.call('sync.status', {})).problems === 2, 10_000, 'both set aside')
    expect(writesToParticipations(fake)).toEqual([])
    expect(fake.violations()).toEqual([])
  })
})

describe('Wix sessions of a day', () => {
  for (const eventRange of ['overlap', 'within', 'starts'] as const) {
    it(`finds an overnight Bookings class on the day it starts (Wix range read as "${eventRange}")`, async () => {
      const fake = await fakeWix()
      fake.settings.eventRange = eventRange
      fake.addEvent({ title: 'Night yoga', type: 'CLASS', appId: BOOKINGS_APP_ID, start: `${DAY}T22:30:00`, end: '2026-07-07T01:00:00', timeZone: ZONE })
      fake.addEvent({ title: 'Morning', type: 'CLASS', appId: BOOKINGS_APP_ID, start: `${DAY}T09:00:00`, end: `${DAY}T10:00:00`, timeZone: ZONE })
      fake.addEvent({ title: 'Tomorrow', type: 'CLASS', appId: BOOKINGS_APP_ID, start: '2026-07-07T09:00:00', end: '2026-07-07T10:00:00', timeZone: ZONE })
      const t = await connectedDesk(fake)
      expect((await pullDay(t)).map((s) => s.title)).toEqual(['Morning', 'Night yoga'])
      // The next day may list it too (it is still running after midnight), never the other way round.
      const next = (await pullDay(t, '2026-07-07')).map((s) => s.title)
      expect(next).toContain('Tomorrow')
      expect(next.filter((title) => title !== 'Night yoga')).toEqual(['Tomorrow'])
    })
  }
})
