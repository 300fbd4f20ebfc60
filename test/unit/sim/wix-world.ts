/**
 * Shared set-up for the simulation suites: a fake Wix seeded with a day of sessions (extended-field
 * marks on calendar events, Bookings attendance on Bookings events), desks opened on it, and the
 * two views a suite compares — a person's mark on Wix and in a desk's replica.
 */
import { DateTime } from 'luxon'
import type Database from 'better-sqlite3'
import { openDesk, type Desk, type DeskOptions } from '../../../src/main/core'
import type { Dispatch } from '../../../src/main/ipc/dispatcher'
import type { AttendanceStatus, CallInput, CallName, CallOutput } from '../../../src/shared/contract'
import { drive } from '../helpers'
import { connectionTo, DAY, NS, ZONE } from '../sync-helpers'
import { BOOKINGS_APP_ID, OTHER_APP_ID, type FakeWix } from '../../fakes/wix'

export { DAY, NS, ZONE }

export interface Mark {
  status: AttendanceStatus
  attendees: number
}
export const NOT_SET: Mark = { status: 'NOT_SET', attendees: 0 }
export const sameMark = (a: Mark, b: Mark) => a.status === b.status && a.attendees === b.attendees
export const showMark = (m: Mark) => (m.status === 'ATTENDED' ? `ATTENDED×${m.attendees}` : m.status)

export interface WorldSession {
  eventId: string
  title: string
  bookings: boolean
}
export interface WorldPerson {
  /** Wix participation id. */
  wixId: string
  /** Bookings: the booking id (the participation's externalId). */
  bookingId: string | null
  name: string
  partySize: number
  session: WorldSession
}

/** Seeds `sessions` events with `perSession` people each; Bookings sessions get booking ids. */
export function seedWorld(fake: FakeWix, spec: { title: string; bookings: boolean; people: number; hour: number }[]): { sessions: WorldSession[]; people: WorldPerson[] } {
  const sessions: WorldSession[] = []
  const people: WorldPerson[] = []
  let n = 0
  for (const s of spec) {
    const hh = String(s.hour).padStart(2, '0')
    const event = fake.addEvent({
      title: s.title,
      type: 'CLASS',
      appId: s.bookings ? BOOKINGS_APP_ID : OTHER_APP_ID,
      start: `${DAY}T${hh}:00:00`,
      end: `${DAY}T${hh}:45:00`,
      timeZone: ZONE,
      totalCapacity: 10_000
    })
    const session = { eventId: event.id, title: s.title, bookings: s.bookings }
    sessions.push(session)
    for (let i = 0; i < s.people; i++) {
      n++
      const partySize = 1 + (n % 4)
      const bookingId = s.bookings ? `${String(n).padStart(8, '0')}-aaaa-4bbb-8ccc-dddddddddddd` : null
      const p = fake.addParticipation({
        eventId: event.id,
        ...(s.bookings ? { appId: BOOKINGS_APP_ID, externalId: bookingId! } : {}),
        participant: { name: `${s.title} guest ${String(i).padStart(2, '0')}` },
        partySize
      })
      people.push({ wixId: p.id, bookingId, name: p.participant.name, partySize, session })
    }
  }
  return { sessions, people }
}

/** A person's attendance as Wix holds it now. */
export function wixMark(fake: FakeWix, person: WorldPerson): Mark {
  if (person.session.bookings) {
    const found = fake.attendances().filter((a) => a.bookingId === person.bookingId && a.eventId === person.session.eventId)
    if (found.length > 1) throw new Error(`${found.length} attendance records for booking ${person.bookingId}`)
    const a = found[0]
    if (!a || a.status === 'NOT_SET') return NOT_SET
    return { status: a.status, attendees: a.status === 'ATTENDED' ? a.numberOfAttendees : 0 }
  }
  const p = fake.participations().find((x) => x.id === person.wixId)
  const ns = p?.extendedFields?.namespaces?.[NS] as { sessions?: Record<string, Mark> } | undefined
  const m = ns?.sessions?.[person.session.eventId]
  if (!m || m.status === 'NOT_SET') return NOT_SET
  return { status: m.status, attendees: m.status === 'ATTENDED' ? m.attendees : 0 }
}

/** A person's attendance in a desk database (by the desk's local ids). */
export function localMark(sqlite: Database.Database, participationId: number, sessionId: number): Mark {
  const row = sqlite
    .prepare<[number, number], Mark>('SELECT status, attendees FROM attendance WHERE participation_id = ? AND session_id = ?')
    .get(participationId, sessionId)
  return row ? { status: row.status, attendees: row.attendees } : NOT_SET
}

export interface SimDesk {
  desk: Desk
  dispatch: Dispatch
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>>
  close(): void
}

/** Opens a desk (plain Node, real SQLite) with fast timers for the simulations. */
export function openSimDesk(dataDir: string, options: Partial<DeskOptions> = {}): SimDesk {
  const desk = openDesk({
    dataDir,
    env: {},
    syncTimerMs: 20,
    backoff: { baseMs: 5, capMs: 60, random: Math.random },
    providerTimeoutMs: 400,
    log: () => {},
    ...options
  })
  const { dispatch, call } = drive(desk, { named: true })
  let closed = false
  return {
    desk,
    dispatch,
    call,
    close() {
      if (closed) return
      closed = true
      desk.close()
    }
  }
}

export async function connectWix(d: SimDesk, fake: FakeWix, baseUrl: string = fake.baseUrl): Promise<void> {
  await d.call('settings.save', connectionTo(fake, { baseUrl }))
}

/** Pulls the day and every roster; returns local ids by Wix id. */
export async function pullEverything(d: SimDesk): Promise<{ sessionIds: Map<string, number>; participationIds: Map<string, number> }> {
  const start = DateTime.fromISO(DAY, { zone: ZONE })
  // A download that times out (a loaded machine, short client timeouts) is tried again by the
  // engine; asked again here until one went through whole.
  const pulled = async (request: Parameters<SimDesk['desk']['sync']['requestPull']>[0]) => {
    const deadline = Date.now() + 30_000
    for (;;) {
      await d.desk.sync.requestPull(request)
      await d.desk.sync.idle()
      const status = d.desk.sync.status()
      if (!status.errors.some((e) => e.stage === 'download')) return
      if (Date.now() > deadline) throw new Error(`pull kept failing: ${JSON.stringify(status.errors)}`)
      await sleep(50)
    }
  }
  await pulled({ kind: 'day', from: start.toMillis(), to: start.plus({ days: 1 }).toMillis(), timeZone: ZONE })
  const sqlite = d.desk.db.$client
  const sessions = sqlite.prepare<[], { id: number; providerId: string }>("SELECT id, provider_id AS providerId FROM sessions WHERE provider = 'wix'").all()
  for (const s of sessions) await pulled({ kind: 'session', sessionId: s.id })
  const participations = sqlite.prepare<[], { id: number; providerId: string }>("SELECT id, provider_id AS providerId FROM participations WHERE provider = 'wix'").all()
  return {
    sessionIds: new Map(sessions.map((s) => [s.providerId, s.id])),
    participationIds: new Map(participations.map((p) => [p.providerId, p.id]))
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export async function until(done: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(10)
  }
}
