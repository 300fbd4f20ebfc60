/**
 * The sync engine against a scripted provider: order, backoff, sign-in holds, rejections that do not
 * block the queue, in-flight operations resumed after a restart, merged triggers.
 */
import { describe, expect, it } from 'vitest'
import { openDesk } from '../../src/main/core'
import { ProviderError } from '../../src/main/providers/http'
import type { Provider, PushOperation, PushOutcome } from '../../src/main/providers/types'
import { createLocalProvider } from '../../src/main/providers/local'
import { backoffDelay, createOutbox, createReplica, createSyncEngine } from '../../src/main/sync'
import { tempDir } from './helpers'

type Script = (op: PushOperation) => PushOutcome | Error

/** A provider whose answers the test scripts; it records every push in order. */
function scriptedProvider(script: Script) {
  const pushed: PushOperation[] = []
  const provider: Provider = {
    name: 'wix',
    testConnection: async () => ({ ok: true, reason: 'connected', params: { service: 'wix', where: 'test' } }),
    async *pullSessions() {},
    async *pullRoster() {},
    async *pullAttendance() {},
    async push(op) {
      pushed.push(op)
      const answer = script(op)
      if (answer instanceof Error) throw answer
      return answer
    }
  }
  return { provider, pushed }
}

/** A desk with one Wix session of `n` people and an engine driven by hand. */
function deskWithWixSession(n: number, dataDir = tempDir()) {
  const desk = openDesk({ dataDir, syncTimerMs: 0 })
  const sqlite = desk.db.$client
  const now = Date.now()
  sqlite
    .prepare(
      `INSERT OR IGNORE INTO sessions (id, provider, provider_id, title, starts_at, ends_at, time_zone, kind, app_id, created_at, updated_at)
       VALUES (1, 'wix', 'ev-1', 'Spin', ?, ?, 'UTC', 'CLASS', 'other-app', ?, ?)`
    )
    .run(now, now + 3600_000, now, now)
  const insert = sqlite.prepare(
    `INSERT OR IGNORE INTO participations (id, provider, provider_id, session_id, name, sort_name, party_size, revision, created_at, updated_at)
     VALUES (?, 'wix', ?, 1, ?, ?, 2, '1', ?, ?)`
  )
  for (let i = 1; i <= n; i++) insert.run(i, `p-${i}`, `Person ${i}`, `person ${i}`, now, now)
  return desk
}

function engineFor(desk: ReturnType<typeof deskWithWixSession>, provider: Provider, clock = { t: 1_000_000 }) {
  const now = () => clock.t
  return createSyncEngine({
    outbox: createOutbox(desk.db, now),
    replica: createReplica(desk.db, now),
    provider: () => provider,
    local: createLocalProvider(),
    atomically: (fn) => desk.db.$client.transaction(fn)(),
    desk: { deskId: desk.context.deskId, deskName: 'Desk A' },
    now,
    timerMs: 0,
    backoff: { baseMs: 1000, capMs: 60_000, random: () => 0.5 }
  })
}

const checkIn = (desk: ReturnType<typeof deskWithWixSession>, participationId: number, attendees = 1) =>
  desk.handlers['attendance.checkIn']({ sessionId: 1, participationId, attendees, allowOverParty: false, method: 'manual' })

const states = (desk: ReturnType<typeof deskWithWixSession>) =>
  desk.db.$client.prepare('SELECT participation_id AS p, state FROM outbox ORDER BY seq').all() as { p: number; state: string }[]

describe('backoff', () => {
  const policy = { baseMs: 1000, capMs: 60_000, random: () => 1 }
  it('doubles per attempt, stays under the cap, and honours Retry-After', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, policy))).toEqual([1000, 2000, 4000, 8000])
    expect(backoffDelay(30, policy)).toBe(60_000)
    expect(backoffDelay(0, { ...policy, random: () => 0 })).toBe(500) // jitter: at least half the step
    expect(backoffDelay(0, policy, 7000)).toBe(7250)
  })
})

describe('sync engine', () => {
  it('sends marks in the order they were made, exactly once each', async () => {
    const desk = deskWithWixSession(3)
    const { provider, pushed } = scriptedProvider(() => ({ result: 'done' }))
    const engine = engineFor(desk, provider)
    checkIn(desk, 2)
    checkIn(desk, 1)
    checkIn(desk, 3, 2)
    await engine.trigger('manual')
    expect(pushed.map((op) => [op.participation.id, op.payload.attendees])).toEqual([[2, 1], [1, 1], [3, 2]])
    expect(states(desk).every((s) => s.state === 'done')).toBe(true)
    await engine.trigger('manual')
    expect(pushed).toHaveLength(3)
    desk.close()
  })

  it('stops at a network failure, keeps order, and retries after the backoff', async () => {
    const desk = deskWithWixSession(2)
    let down = true
    const { provider, pushed } = scriptedProvider(() => (down ? new ProviderError('network', 'could not connect') : { result: 'done' }))
    const clock = { t: 1_000_000 }
    const engine = engineFor(desk, provider, clock)
    checkIn(desk, 1)
    checkIn(desk, 2)
    await engine.trigger('mark')
    expect(pushed).toHaveLength(1) // the second waits behind the first
    expect(engine.status()).toMatchObject({ state: 'offline', online: false, pending: 2 })
    const row = desk.db.$client.prepare('SELECT attempts, next_attempt_at AS next FROM outbox ORDER BY seq LIMIT 1').get() as { attempts: number; next: number }
    expect(row).toEqual({ attempts: 1, next: 1_000_000 + 750 })

    down = false
    await engine.trigger('timer') // too early: nothing is sent
    expect(pushed).toHaveLength(1)
    clock.t += 1000
    await engine.trigger('timer')
    expect(pushed.map((op) => op.participation.id)).toEqual([1, 1, 2])
    expect(engine.status()).toMatchObject({ pending: 0, online: true, state: 'idle' })
    desk.close()
  })

  it('sends waiting marks at once when the network is back or the desk asks, without sitting out the backoff', async () => {
    const desk = deskWithWixSession(1)
    let down = true
    const { provider, pushed } = scriptedProvider(() => (down ? new ProviderError('network', 'could not connect') : { result: 'done' }))
    const engine = engineFor(desk, provider)
    checkIn(desk, 1)
    await engine.trigger('mark')
    await engine.trigger('mark')
    expect(pushed).toHaveLength(1) // backing off
    down = false
    await engine.trigger('resume')
    expect(pushed).toHaveLength(2)
    expect(engine.status()).toMatchObject({ pending: 0, online: true, errors: [] })
    desk.close()
  })

  it('honours Retry-After on 429', async () => {
    const desk = deskWithWixSession(1)
    const { provider } = scriptedProvider(() => new ProviderError('rate_limited', 'slow down', 429, 30_000))
    const engine = engineFor(desk, provider)
    checkIn(desk, 1)
    await engine.trigger('mark')
    const next = desk.db.$client.prepare('SELECT next_attempt_at FROM outbox').pluck().get() as number
    expect(next - 1_000_000).toBeGreaterThanOrEqual(30_000)
    desk.close()
  })

  it('holds the queue when sign-in is needed, without counting attempts, until settings change', async () => {
    const desk = deskWithWixSession(2)
    let authorised = false
    const { provider, pushed } = scriptedProvider(() => (authorised ? { result: 'done' } : new ProviderError('auth', 'sign-in needed: bad key', 401)))
    const engine = engineFor(desk, provider)
    checkIn(desk, 1)
    checkIn(desk, 2)
    await engine.trigger('mark')
    await engine.trigger('timer')
    expect(pushed).toHaveLength(1)
    expect(engine.status()).toMatchObject({ state: 'sign_in_needed', pending: 2, errors: [{ stage: 'sign_in', reason: 'sync_auth', params: { service: 'wix' } }] })
    expect(desk.db.$client.prepare('SELECT max(attempts) FROM outbox').pluck().get()).toBe(0)
    authorised = true
    await engine.trigger('settings')
    expect(states(desk).map((s) => s.state)).toEqual(['done', 'done'])
    desk.close()
  })

  it('sets a rejected mark aside where the desk sees it, and the queue moves on', async () => {
    const desk = deskWithWixSession(3)
    const { provider, pushed } = scriptedProvider((op) =>
      op.participation.id === 2 ? new ProviderError('rejected', 'partySize: must be at most 1000', 400) : { result: 'done' }
    )
    const engine = engineFor(desk, provider)
    checkIn(desk, 1)
    checkIn(desk, 2)
    checkIn(desk, 3)
    await engine.trigger('mark')
    expect(pushed.map((op) => op.participation.id)).toEqual([1, 2, 3])
    expect(states(desk).map((s) => s.state)).toEqual(['done', 'rejected', 'done'])
    expect(engine.status()).toMatchObject({ pending: 0, problems: 1 })
    expect(engine.problems()).toEqual([
      expect.objectContaining({ state: 'rejected', reason: 'provider_said', params: { text: 'partySize: must be at most 1000' }, intent: { kind: 'check_in', attendees: 1 }, personName: 'Person 2', sessionTitle: 'Spin' })
    ])
    desk.close()
  })

  it('resends an operation found in flight after a crash', async () => {
    const dataDir = tempDir()
    const first = deskWithWixSession(1, dataDir)
    checkIn(first, 1)
    // The process died after marking the operation in flight, before recording the answer.
    first.db.$client.exec(`UPDATE outbox SET state = 'in_flight'`)
    first.close()

    const desk = deskWithWixSession(1, dataDir)
    const { provider, pushed } = scriptedProvider(() => ({ result: 'done' }))
    const engine = engineFor(desk, provider)
    await engine.trigger('start')
    expect(pushed).toHaveLength(1)
    expect(states(desk)).toEqual([{ p: 1, state: 'done' }])
    desk.close()
  })

  it('merges triggers that arrive during a run into one more run, never two at once', async () => {
    const desk = deskWithWixSession(3)
    let inFlight = 0
    let maxInFlight = 0
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => (release = r))
    const pushed: number[] = []
    const provider: Provider = {
      ...scriptedProvider(() => ({ result: 'done' })).provider,
      async push(op) {
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        if (pushed.length === 0) await gate
        pushed.push(op.participation.id)
        inFlight--
        return { result: 'done' }
      }
    }
    const engine = engineFor(desk, provider)
    checkIn(desk, 1)
    const run = engine.trigger('mark')
    checkIn(desk, 2)
    void engine.trigger('mark')
    checkIn(desk, 3)
    void engine.trigger('resume')
    release()
    await run
    await engine.idle()
    expect(pushed).toEqual([1, 2, 3])
    expect(maxInFlight).toBe(1)
    desk.close()
  })
})

describe('download progress', () => {
  it('says which stage a pull is in and how far it got, then clears', async () => {
    const desk = deskWithWixSession(0)
    const seen: unknown[] = []
    const { provider } = scriptedProvider(() => ({ result: 'done' }))
    let engine: ReturnType<typeof engineFor> | null = null
    const person = (i: number) => ({
      providerId: `q-${i}`, sessionProviderId: 'ev-1', scheduleId: null, externalId: null, name: `Q ${i}`, email: null, phone: null,
      contactId: null, customerNumber: null, bookingId: null, badgeNumber: null, partySize: 1, status: 'CONFIRMED' as const, revision: '1', raw: null
    })
    provider.pullRoster = async function* () {
      yield [person(1), person(2)]
      seen.push(engine!.status().pull)
      yield [person(3)]
      seen.push(engine!.status().pull)
    }
    engine = engineFor(desk, provider)
    await engine.requestPull({ kind: 'session', sessionId: 1 })
    await engine.idle()
    // Pages are read ahead, so the count may lag by a batch; the stage is what the window words.
    expect(seen.length).toBe(2)
    for (const p of seen) expect(p).toMatchObject({ stage: 'roster', total: null })
    expect(engine.status().pull).toBeNull()
    expect((desk.handlers['roster.page']({ sessionId: 1, search: '', offset: 0, limit: 10 }) as { total: number }).total).toBe(3)
    desk.close()
  })
})
