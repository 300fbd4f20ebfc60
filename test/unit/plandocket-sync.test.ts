/**
 * The Plandocket provider through the same sync engine, against the fake Plandocket over HTTP,
 * in every wire form the contract leaves open.
 */
import { ConnectionReport } from '../../src/shared/contract'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { FakePlandocket, FakePlandocketSettings } from '../fakes/plandocket'
import { tempDir, testDesk, waitFor, type TestDesk } from './helpers'
import { connectedDesk, DAY, fakePlandocket, pullDay, pullSession, ZONE } from './sync-helpers'

const EVENT = { event_key: 'summit-2026', title: 'Summit 2026', date_from: '2026-07-06T07:00:00Z', date_to: '2026-07-06T16:00:00Z', is_visible: true }

async function pullEvent(t: TestDesk) {
  const sessions = await pullDay(t)
  const session = sessions.find((s) => s.providerId === EVENT.event_key)!
  await pullSession(t, session.id)
  return session
}

const roster = async (t: TestDesk, sessionId: number, search = '') => (await t.call('roster.page', { sessionId, search, offset: 0, limit: 500 })).rows
const drained = (t: TestDesk) => waitFor(async () => (await t.call('sync.status', {})).pending === 0, 20_000, 'the outbox to drain')
const openCheckIns = (fake: FakePlandocket) => fake.checkIns().filter((c) => c.is_checked_in)

describe('Plandocket pull', () => {
  const forms: [string, Partial<FakePlandocketSettings>][] = [
    ['page/per_page with a full envelope', { paging: 'page', listEnvelope: 'full' }],
    ['page/per_page with {data}', { paging: 'page', listEnvelope: 'data' }],
    ['page/per_page with a bare array', { paging: 'page', listEnvelope: 'bare' }],
    ['links.next', { paging: 'links', listEnvelope: 'full' }],
    ['no paging (one answer), bare', { paging: 'none', listEnvelope: 'bare' }],
    ['unix timestamps', { paging: 'page', listEnvelope: 'full', timestamps: 'unix' }]
  ]
  for (const [label, settings] of forms) {
    it(`pulls 2,000 participants with their contacts (${label}), then re-pulls incrementally`, async () => {
      const fake = await fakePlandocket(settings)
      fake.addEvent(EVENT)
      fake.addEvent({ event_key: 'other-day', title: 'Other day', date_from: '2026-07-09T07:00:00Z', date_to: '2026-07-09T16:00:00Z' })
      fake.seedMany(2000, EVENT.event_key, (i) => ({
        contact: { first_name: `Guest`, last_name: `${String(i).padStart(4, '0')}`, email: `g${i}@example.com`, customer_number: `C-${i}` },
        participant: { is_confirmed: i % 10 !== 0 }
      }))
      const t = await connectedDesk(fake)
      const session = await pullEvent(t)
      expect(session).toMatchObject({ title: 'Summit 2026', startsAt: '2026-07-06T07:00:00.000Z', timeZone: ZONE })
      expect((await t.call('sessions.forDay', { date: DAY, timeZone: ZONE })).sessions).toHaveLength(1)
      expect(await t.call('roster.counts', { sessionId: session.id })).toMatchObject({ participations: 2000, expectedPeople: 2000, pendingConfirmations: 200 })
      const [g42] = await roster(t, session.id, 'guest 0042')
      expect(g42).toMatchObject({ name: 'Guest 0042', email: 'g42@example.com', externalId: 'C-42', partySize: 1 })
      expect(await roster(t, session.id, 'c-1999')).toHaveLength(1)

      const sqlite = t.desk.db.$client
      const stamp = () => sqlite.prepare('SELECT sum(updated_at), count(*) FROM participations').raw().get()
      const before = stamp()
      await t.desk.sync.requestPull({ kind: 'session', sessionId: session.id })
      await t.desk.sync.idle()
      expect(stamp()).toEqual(before)
    })
  }
})

describe('Plandocket push', () => {
  async function setup(settings: Partial<FakePlandocketSettings> = {}) {
    const fake = await fakePlandocket(settings)
    fake.addEvent(EVENT)
    const seeded = fake.seedMany(3, EVENT.event_key, (i) => ({ contact: { first_name: ['Ada', 'Ben', 'Cleo'][i], last_name: 'Test' } }))
    const t = await connectedDesk(fake)
    const session = await pullEvent(t)
    const rows = await roster(t, session.id)
    const row = (first: string) => rows.find((r) => r.name.startsWith(first))!
    return { fake, t, session, seeded, row }
  }

  it('pushes offline check-ins once each after reconnect, as manual check-ins from this station', async () => {
    const { fake, t, session, seeded, row } = await setup()
    await fake.down()
    for (const name of ['Cleo', 'Ada']) await t.call('attendance.checkIn', { sessionId: session.id, participationId: row(name).participationId, attendees: 1 })
    await t.call('attendance.checkIn', { sessionId: session.id, participationId: row('Ben').participationId, attendees: 1, method: 'scan' })
    await waitFor(async () => (await t.call('sync.status', {})).state === 'offline', 5_000, 'offline')
    await fake.up()
    await drained(t)
    const checkIns = openCheckIns(fake)
    expect(checkIns.map((c) => c.event_participant_id)).toEqual([seeded[2]!.participant.id, seeded[0]!.participant.id, seeded[1]!.participant.id])
    expect(checkIns.map((c) => c.check_in_type)).toEqual(['manual', 'manual', 'scan'])
    expect(new Set(checkIns.map((c) => c.station))).toEqual(new Set([t.desk.info.deskName]))
  })

  it('undo deletes the check-in it created; one already deleted elsewhere (404) counts as done', async () => {
    const { fake, t, session, row } = await setup()
    const ada = row('Ada')
    await t.call('attendance.checkIn', { sessionId: session.id, participationId: ada.participationId, attendees: 1 })
    await drained(t)
    expect(openCheckIns(fake)).toHaveLength(1)
    await t.call('attendance.undo', { sessionId: session.id, participationId: ada.participationId })
    await drained(t)
    expect(openCheckIns(fake)).toHaveLength(0)

    await t.call('attendance.checkIn', { sessionId: session.id, participationId: ada.participationId, attendees: 1 })
    await drained(t)
    const [checkIn] = openCheckIns(fake)
    fake.removeCheckIn(checkIn!.id) // someone deletes it in Plandocket
    await t.call('attendance.undo', { sessionId: session.id, participationId: ada.participationId })
    await drained(t)
    expect(fake.requests((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([204, 404])
    expect(await t.call('sync.status', {})).toMatchObject({ pending: 0, problems: 0 })
  })

  it('a no-show after a check-in the desk had seen on Plandocket stays a no-show after the next download', async () => {
    // Plandocket has no "no-show": the desk clears the check-in there and keeps the no-show itself.
    // A later download finds no check-in; that is the no-show as Plandocket can hold it, not a
    // deletion made elsewhere, so the desk's acknowledged mark must stay.
    const { fake, t, session, row } = await setup()
    const ada = row('Ada')
    await t.call('attendance.checkIn', { sessionId: session.id, participationId: ada.participationId, attendees: 1 })
    await drained(t)
    await pullSession(t, session.id) // the desk has now seen Ada's check-in on Plandocket
    await t.call('attendance.noShow', { sessionId: session.id, participationId: ada.participationId })
    await drained(t)
    expect(openCheckIns(fake)).toHaveLength(0)
    await pullSession(t, session.id)
    await t.desk.sync.requestPull({ kind: 'attendance', sessionId: session.id })
    await t.desk.sync.idle()
    const [after] = await roster(t, session.id, 'ada')
    expect(after!.attendance.status).toBe('NOT_ATTENDED')
    expect(await t.call('sync.status', {})).toMatchObject({ pending: 0, problems: 0 })
  })

  it('shows a 422 with field errors to the desk as a clear message, and the queue moves on', async () => {
    const { fake, t, session, row } = await setup()
    fake.faults.next(1, { type: 'status', status: 422, body: { error: 'Validation failed', errors: { participant_id: ['The selected participant id is invalid.'] } } }, 'POST /check-ins')
    await t.call('attendance.checkIn', { sessionId: session.id, participationId: row('Ada').participationId, attendees: 1 })
    await t.call('attendance.checkIn', { sessionId: session.id, participationId: row('Ben').participationId, attendees: 1 })
    await waitFor(async () => (await t.call('sync.status', {})).problems === 1, 10_000, 'the rejection')
    await drained(t)
    const [problem] = (await t.call('sync.problems', {})).problems
    expect(problem).toMatchObject({ state: 'rejected', personName: 'Ada Test', reason: 'provider_said', params: { text: 'Validation failed: The selected participant id is invalid.' } })
    expect(openCheckIns(fake)).toHaveLength(1)
  })

  it('backs off on 429 and sends once the limit lifts', async () => {
    const { fake, t, session, row } = await setup()
    fake.faults.next(3, { type: 'status', status: 429, body: { error: 'Rate limit exceeded' } }, 'POST /check-ins')
    await t.call('attendance.checkIn', { sessionId: session.id, participationId: row('Cleo').participationId, attendees: 1 })
    await drained(t)
    expect(fake.requests('POST /check-ins').map((r) => r.status)).toEqual([429, 429, 429, 201])
    expect(openCheckIns(fake)).toHaveLength(1)
  })

  it('never checks a person in twice when the answer was lost (timeout after Plandocket committed)', async () => {
    const { fake, t, session, row } = await setup({ repeatCheckIn: 'create' })
    fake.faults.next(1, { type: 'delay', ms: 1_500, when: 'after' }, 'POST /check-ins')
    await t.call('attendance.checkIn', { sessionId: session.id, participationId: row('Ben').participationId, attendees: 1 })
    await drained(t)
    expect(fake.checkIns()).toHaveLength(1)
  })

  it('a desk killed between sending a check-in and recording the answer does not check in twice', async () => {
    const fake = await fakePlandocket({ repeatCheckIn: 'create' })
    fake.addEvent(EVENT)
    fake.seedMany(1, EVENT.event_key, () => ({ contact: { first_name: 'Kim', last_name: 'Test' } }))
    const dataDir = tempDir()
    const first = await connectedDesk(fake, { dataDir })
    const session = await pullEvent(first)
    const [kim] = await roster(first, session.id)
    first.desk.close()

    fake.faults.always({ type: 'delay', ms: 60_000, when: 'after' }, 'POST /check-ins')
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'sync-desk-child.ts'), dataDir, String(session.id), String(kim!.participationId), '1'], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    await waitFor(() => fake.checkIns().length === 1, 20_000, `the child's check-in to reach Plandocket (${stderr})`)
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    fake.faults.clear()

    const t = await connectedDesk(fake, { dataDir })
    void t.call('sync.now', {})
    await drained(t)
    expect(fake.checkIns()).toHaveLength(1)
    expect(fake.requests('POST /check-ins')).toHaveLength(1)
  })

  it('tests the connection with a clear answer for each failure', async () => {
    const fake = await fakePlandocket()
    const t = testDesk()
    const pd = (apiKey = fake.apiKey) => ({ provider: 'plandocket' as const, plandocket: { baseUrl: fake.baseUrl, apiKey } })
    const test = async (apiKey?: string) => ConnectionReport.parse(await t.call('settings.testConnection', pd(apiKey)))
    expect(await test()).toEqual({ ok: true, reason: 'connected', params: { service: 'plandocket', where: fake.baseUrl } })
    expect(await test('nope')).toMatchObject({ ok: false, reason: 'key_refused', params: { status: 401 } })
    // A key with some scopes: every one it lacks is named, with what needs it.
    fake.setKey('narrow', { scopes: ['participants'] })
    expect(await test('narrow')).toMatchObject({
      ok: false,
      reason: 'key_lacks_permissions',
      params: {
        missing: [
          { name: 'events', kind: 'scope', use: 'sessions' },
          { name: 'contacts', kind: 'scope', use: 'walk_ins' },
          { name: 'checkins', kind: 'scope', use: 'check_ins' }
        ]
      }
    })
    fake.setKey('no-checkins', { scopes: ['events', 'participants', 'contacts'] })
    expect(await test('no-checkins')).toMatchObject({ reason: 'key_lacks_permissions', params: { missing: [{ name: 'checkins', use: 'check_ins' }] } })
    await fake.down()
    expect(await test()).toMatchObject({ reason: 'unreachable', params: { field: 'tenant_address' } })
    // What the desk is asked for before anything is sent.
    expect(await t.call('settings.testConnection', { provider: 'plandocket', plandocket: { baseUrl: fake.baseUrl } })).toMatchObject({ ok: false, reason: 'api_key_needed', params: { provider: 'plandocket' } })
  })
})
