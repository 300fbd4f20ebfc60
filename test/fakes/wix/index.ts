/**
 * A fake Wix (Calendar Events v3, Participations v3, Bookings Attendance v2) for Rollcall's tests,
 * built from /work/shared/contracts/wix.md. Tests talk to it over real HTTP through `baseUrl` and
 * drive it directly through this object: seed state, read it back, arm faults, unplug it.
 *
 *   const wix = await startFakeWix({ seed: 1 })
 *   const event = wix.addEvent({ start: '2026-07-06T09:00:00', timeZone: 'Europe/London' })
 *   wix.seedMany(250, (i) => ({ eventId: event.id, participant: { name: `P${i}` } }))
 *   wix.faults.next(1, { type: 'status', status: 503 })
 *   ... point the provider at wix.baseUrl with wix.apiKey / wix.siteId ...
 *   await wix.close()
 */
import { FaultController, routeMatches, type Faults } from '../common'
import { IdSource } from './ids'
import { attendanceRoutes } from './handlers/attendance'
import { eventRoutes } from './handlers/events'
import { participationRoutes } from './handlers/participations'
import { Pager } from './paging'
import { WixServer } from './server'
import { clone, WixStore } from './store'
import type {
  Attendance,
  AttendanceSeed,
  EventSeed,
  FakeWixOptions,
  FakeWixSettings,
  LoggedRequest,
  Participation,
  ParticipationSeed,
  RouteMatcher,
  SeedMaker,
  Violation,
  WixEvent,
  WixPermission
} from './types'
import { ALL_WIX_PERMISSIONS } from './types'

export * from './types'
export type { Faults } from '../common'

export interface FakeWix {
  /** `http://127.0.0.1:<port>`: what the provider uses instead of https://www.wixapis.com. */
  readonly baseUrl: string
  readonly port: number
  readonly apiKey: string
  readonly siteId: string
  /** Mutable at any time. */
  readonly settings: FakeWixSettings
  readonly faults: Faults
  /** Headers of a well-behaved client (auth, site, an explicit User-Agent, JSON). */
  headers(): Record<string, string>

  addEvent(seed?: EventSeed): WixEvent
  /** An edit made on Wix by someone else: bumps the event's revision. */
  updateEvent(id: string, patch: Partial<Omit<WixEvent, 'id'>>): WixEvent
  removeEvent(id: string): void
  /** Needs exactly one of eventId / scheduleId; everything else has defaults. No capacity check. */
  addParticipation(seed: ParticipationSeed): Participation
  /** An edit made on Wix by someone else: bumps revision and updatedDate (makes a client's copy stale). */
  updateParticipation(id: string, patch: ParticipationSeed): Participation
  /** A booking cancelled or a guest removed in Wix: gone from every query (its attendance stays, as in Wix). */
  removeParticipation(id: string): void
  /** Upserts per bookingId + eventId like the API (eventId required; bookingId defaults to a new GUID). */
  addAttendance(seed: AttendanceSeed): Attendance
  /** An attendance deleted elsewhere (another station, the Wix dashboard). */
  removeAttendance(id: string): void
  /** Adds or replaces an API key with these permissions (default: all). */
  setKey(key: string, permissions?: readonly WixPermission[]): void
  /** The default key's permissions from now on. */
  setPermissions(permissions: readonly WixPermission[]): void
  /**
   * Many rows at once. Participations get createdDate 1 ms apart, oldest first, ending just before
   * now (or right after the previous seed's, whichever is later), unless the seed sets them.
   */
  seedMany(n: number, make: SeedMaker<ParticipationSeed>, kind?: 'participations'): Participation[]
  seedMany(n: number, make: SeedMaker<EventSeed>, kind: 'events'): WixEvent[]
  seedMany(n: number, make: SeedMaker<AttendanceSeed>, kind: 'attendances'): Attendance[]

  /** Copies of the exact state, in insertion order. */
  events(): WixEvent[]
  participations(): Participation[]
  attendances(): Attendance[]

  /** Every request received (optionally only those matching), oldest first. */
  requests(match?: RouteMatcher): LoggedRequest[]
  clearRequests(): void
  /** Told of each request as it arrives, before Wix acts on it; returns the way to stop listening. */
  onArrival(listener: (request: Readonly<LoggedRequest>) => void): () => void
  /** Inputs the contract says a client must never send; the requests themselves succeeded. */
  violations(): Violation[]

  /** Network unplugged: connections die, new ones are refused. */
  down(): Promise<void>
  /** Plugged back in, on the same port. */
  up(): Promise<void>
  close(): Promise<void>
}

const DEFAULT_SETTINGS: FakeWixSettings = {
  pagingCount: 'present',
  lastPageCursors: 'empty',
  strictFilters: true,
  revisionConflictCode: 'REVISION_MISMATCH',
  rateLimitPerMinute: undefined,
  eventRange: 'overlap'
}

const make = <T>(maker: SeedMaker<T>, index: number): T => (typeof maker === 'function' ? (maker as (i: number) => T)(index) : maker)

export async function startFakeWix(options: FakeWixOptions = {}): Promise<FakeWix> {
  const ids = new IdSource(options.seed)
  const clock = () => {
    const now = options.now ? options.now() : Date.now()
    return typeof now === 'number' ? now : now.getTime()
  }
  const zone = options.timeZone ?? 'UTC'
  const settings: FakeWixSettings = { ...DEFAULT_SETTINGS }
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof FakeWixSettings)[]) {
    if (key in options) Object.assign(settings, { [key]: options[key] })
  }
  const store = new WixStore(ids, clock, zone)
  const faults = new FaultController()
  const apiKey = options.apiKey ?? 'fake-wix-api-key'
  const keys = new Map<string, readonly WixPermission[]>([[apiKey, [...(options.permissions ?? ALL_WIX_PERMISSIONS)]]])
  const siteId = options.siteId ?? ids.guid()
  const server = new WixServer({
    routes: [...eventRoutes, ...participationRoutes, ...attendanceRoutes],
    store,
    pager: new Pager(ids, settings),
    ids,
    settings,
    faults,
    keys,
    siteId,
    zone,
    clock
  })
  await server.listen(options.port ?? 0)

  const addParticipation = (seed: ParticipationSeed, seeding = true) =>
    clone(store.insertParticipation(store.buildParticipation(seed), { seeding }))

  /** Seeded createdDates never go back in time across calls, so later seeds sort as newer. */
  let lastSeeded = Number.NEGATIVE_INFINITY
  function seedParticipations(n: number, maker: SeedMaker<ParticipationSeed>): Participation[] {
    const base = Math.max(clock() - n, lastSeeded + 1)
    lastSeeded = base + n - 1
    return Array.from({ length: n }, (_, i) => {
      const at = new Date(base + i).toISOString()
      return addParticipation({ createdDate: at, updatedDate: at, ...make(maker, i) })
    })
  }

  function seedMany(n: number, maker: SeedMaker<unknown>, kind: 'participations' | 'events' | 'attendances' = 'participations'): unknown[] {
    if (kind === 'events') return Array.from({ length: n }, (_, i) => store.addEvent(make(maker as SeedMaker<EventSeed>, i)))
    if (kind === 'attendances') return Array.from({ length: n }, (_, i) => store.addAttendance(make(maker as SeedMaker<AttendanceSeed>, i)))
    return seedParticipations(n, maker as SeedMaker<ParticipationSeed>)
  }

  function updateParticipation(id: string, patch: ParticipationSeed): Participation {
    const current = store.getParticipation(id)
    if (!current) throw new Error(`no participation ${id}`)
    const next: Participation = {
      ...current,
      ...patch,
      participant: { ...current.participant, ...patch.participant },
      // What was booked never changes (the capacity bookkeeping relies on it).
      id,
      eventId: current.eventId,
      scheduleId: current.scheduleId,
      revision: String(BigInt(current.revision) + 1n),
      updatedDate: store.nowIso()
    }
    return clone(store.replaceParticipation(id, next))
  }

  const rows = <T>(map: Map<string, { value: T }>) => [...map.values()].map((row) => clone(row.value))

  return {
    baseUrl: `http://127.0.0.1:${server.boundPort}`,
    port: server.boundPort,
    apiKey,
    siteId,
    settings,
    faults,
    headers: () => ({ authorization: apiKey, 'wix-site-id': siteId, 'user-agent': 'rollcall-tests/1.0', 'content-type': 'application/json' }),
    addEvent: (seed) => store.addEvent(seed),
    updateEvent: (id, patch) => store.updateEvent(id, patch),
    removeEvent: (id) => store.removeEvent(id),
    addParticipation: (seed) => addParticipation(seed),
    updateParticipation,
    removeParticipation: (id) => {
      if (!store.deleteParticipation(id)) throw new Error(`no participation ${id}`)
    },
    addAttendance: (seed) => store.addAttendance(seed),
    removeAttendance: (id) => {
      if (!store.deleteAttendance(id)) throw new Error(`no attendance ${id}`)
    },
    setKey: (key, permissions = ALL_WIX_PERMISSIONS) => void keys.set(key, [...permissions]),
    setPermissions: (permissions) => void keys.set(apiKey, [...permissions]),
    seedMany: seedMany as FakeWix['seedMany'],
    events: () => rows(store.events),
    participations: () => rows(store.participations),
    attendances: () => rows(store.attendances),
    requests: (match) => server.requests().filter((r) => routeMatches(match, r.method, r.path)),
    clearRequests: () => server.clearRequests(),
    onArrival: (listener) => server.onArrival(listener),
    violations: () => server.violations(),
    down: () => server.down(),
    up: () => server.up(),
    close: () => server.close()
  }
}
