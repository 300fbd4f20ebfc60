/**
 * One way to build what the sync tests share: a fake booking system (closed after each test), a
 * desk connected to it that retries fast, and the day's pull. Every sync test sets up the same
 * three things; only what a test is about should differ between them.
 */
import { DateTime } from 'luxon'
import { afterEach } from 'vitest'
import type { DeskOptions } from '../../src/main/core'
import type { ProviderSettingsInput, Session } from '../../src/shared/contract'
import { startFakePlandocket, type FakePlandocket } from '../fakes/plandocket'
import { startFakeWix, type FakeWix } from '../fakes/wix'
import { testDesk, waitFor, type TestDesk } from './helpers'

export const ZONE = 'Europe/Berlin'
export const DAY = '2026-07-06'
/** The Wix extended-fields namespace the desks write their marks in. */
export const NS = '@rollcall/checkin'

const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

/** A fake Wix for this test (closed after it). */
export async function fakeWix(options: Parameters<typeof startFakeWix>[0] = {}): Promise<FakeWix> {
  const fake = await startFakeWix({ seed: 7, timeZone: ZONE, ...options })
  closers.push(() => fake.close())
  return fake
}

/** A fake Plandocket for this test (closed after it). */
export async function fakePlandocket(options: Parameters<typeof startFakePlandocket>[0] = {}): Promise<FakePlandocket> {
  const fake = await startFakePlandocket({ seed: 3, ...options })
  closers.push(() => fake.close())
  return fake
}

export type Fake = FakeWix | FakePlandocket

/**
 * The set-up form's answer that points a desk at `fake` (through `baseUrl` when a proxy stands in
 * front of it). `extra` adds the provider's optional fields (Plandocket's history days, …).
 */
export function connectionTo(fake: Fake, options: { baseUrl?: string; apiKey?: string; extra?: Record<string, unknown> } = {}): ProviderSettingsInput {
  const baseUrl = options.baseUrl ?? fake.baseUrl
  const apiKey = options.apiKey ?? fake.apiKey
  return 'siteId' in fake
    ? { provider: 'wix', wix: { siteId: fake.siteId, apiKey, baseUrl, namespace: NS, ...options.extra } }
    : { provider: 'plandocket', plandocket: { baseUrl, apiKey, ...options.extra } }
}

/** Retries as a desk does, only faster, so a test waits out failures in milliseconds. */
export const FAST_SYNC: Partial<DeskOptions> = { syncTimerMs: 25, backoff: { baseMs: 5, capMs: 40, random: () => 0.5 }, providerTimeoutMs: 1_000 }

/** A desk (real SQLite, the app's dispatcher) connected to `fake`. */
export async function connectedDesk(fake: Fake, options: Partial<DeskOptions> & { connection?: Parameters<typeof connectionTo>[1] } = {}): Promise<TestDesk> {
  const { connection, ...deskOptions } = options
  const t = testDesk({ ...FAST_SYNC, ...deskOptions })
  await t.call('settings.save', connectionTo(fake, connection))
  return t
}

/** The engine's request for the whole calendar day `date` in `zone`. */
export function dayRequest(date = DAY, zone = ZONE) {
  const start = DateTime.fromISO(date, { zone })
  return { kind: 'day' as const, from: start.toMillis(), to: start.plus({ days: 1 }).toMillis(), timeZone: zone }
}

/** Pulls the day and answers its sessions as the window lists them. */
export async function pullDay(t: TestDesk, date = DAY, zone = ZONE): Promise<Session[]> {
  await t.desk.sync.requestPull(dayRequest(date, zone))
  await t.desk.sync.idle()
  return (await t.call('sessions.forDay', { date, timeZone: zone })).sessions
}

/** Pulls one session's roster and marks. */
export async function pullSession(t: TestDesk, sessionId: number): Promise<void> {
  await t.desk.sync.requestPull({ kind: 'session', sessionId })
  await t.desk.sync.idle()
}

/** Waits until nothing is left to send. */
export async function drained(t: TestDesk, what = 'the outbox to drain', ms = 20_000): Promise<void> {
  await waitFor(async () => (await t.call('sync.status', {})).pending === 0, ms, what)
}

export const rosterOf = async (t: TestDesk, sessionId: number, search = '') => (await t.call('roster.page', { sessionId, search, offset: 0, limit: 500 })).rows
