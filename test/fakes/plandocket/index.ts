/**
 * A fake Plandocket (REST, /api/v1) for Rollcall's tests, built from
 * /work/shared/contracts/plandocket.md. Tests talk to it over real HTTP through `baseUrl` and drive
 * it directly through this object: seed state, read it back, pick a form for each of the
 * contract's unknowns, arm faults (same API as the Wix fake), unplug it.
 *
 *   const pd = await startFakePlandocket({ seed: 1, listEnvelope: 'full', paging: 'links' })
 *   pd.addEvent({ event_key: 'conf-2026', date_from: '2026-07-06T09:00:00Z', date_to: '2026-07-08T17:00:00Z' })
 *   pd.seedMany(3000, 'conf-2026')
 *   pd.configure({ paging: 'page', listEnvelope: 'bare' })   // any time, checked
 *   pd.faults.next(1, { type: 'status', status: 503 }, 'POST /check-ins')
 *   ... point the provider at pd.baseUrl with pd.apiKey ...
 *   await pd.close()
 */
import type { Faults } from '../common'
import { plandocketFaults, requestMatches } from './faults'
import { checkInRoutes } from './handlers/checkins'
import { contactRoutes } from './handlers/contacts'
import { eventRoutes } from './handlers/events'
import { participantRoutes } from './handlers/participants'
import { Renderer, settingsProblem } from './render'
import { BASE_PATH, PlandocketServer } from './server'
import { clone, DEFAULT_FIRST_IDS, PlandocketStore } from './store'
import { laravelIso } from './time'
import {
  ALL_SCOPES,
  type CheckIn,
  type CheckInSeed,
  type Contact,
  type ContactSeed,
  type EventSeed,
  type FakePlandocketOptions,
  type FakePlandocketSettings,
  type KeySpec,
  type LoggedRequest,
  type Participant,
  type ParticipantSeed,
  type PlandocketEvent,
  type RouteMatcher,
  type Scope,
  type Violation
} from './types'

export * from './types'
export type { Faults } from '../common'
export { BASE_PATH } from './server'

export interface SeededParticipant {
  participant: Participant
  contact: Contact
}

export type SeedManyMaker = (index: number) => { contact?: ContactSeed; participant?: Omit<ParticipantSeed, 'event_id' | 'event_key' | 'contact_id' | 'customer_number' | 'contact'> }

export interface FakePlandocket {
  /** `http://127.0.0.1:<port>/api/v1`: what the provider uses instead of https://{tenant}.plandocket.com/api/v1. */
  readonly baseUrl: string
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string
  readonly port: number
  /** The default key (all scopes unless the `scopes` option said otherwise). */
  readonly apiKey: string
  /** Mutable at any time; `configure()` does the same with a check of the combination. */
  readonly settings: FakePlandocketSettings
  configure(patch: Partial<FakePlandocketSettings>): void
  readonly faults: Faults
  /** Headers of a well-behaved client: the key as `Authorization: Bearer` (default) or `X-API-Key`. */
  headers(via?: 'bearer' | 'x-api-key', key?: string): Record<string, string>
  /** Adds or replaces a key (default: all scopes, user `API`). */
  setKey(key: string, spec?: KeySpec): void
  removeKey(key: string): void

  addEvent(seed?: EventSeed): PlandocketEvent
  updateEvent(id: number, patch: EventSeed): PlandocketEvent
  /** Also removes the event's participants (their check-ins stay). */
  removeEvent(id: number): void
  addContact(seed?: ContactSeed): Contact
  updateContact(id: number, patch: ContactSeed): Contact
  /** Needs event_id or event_key; contact_id, customer_number or contact (new) — else a new contact. is_confirmed defaults to true. */
  addParticipant(seed: ParticipantSeed): Participant
  /** An edit made on Plandocket by someone else: bumps updated_at unless the patch sets it. */
  updateParticipant(id: number, patch: Partial<Pick<Participant, 'is_confirmed' | 'badge_number' | 'category' | 'created_at' | 'updated_at'>>): Participant
  removeParticipant(id: number): void
  addCheckIn(seed: CheckInSeed): CheckIn
  removeCheckIn(id: number): void
  /**
   * `n` new contacts, each a confirmed participant of `eventKey` (the event is created if missing),
   * created_at 1 s apart ending at now (never before an earlier seedMany's). Thousands in milliseconds.
   */
  seedMany(n: number, eventKey: string, make?: SeedManyMaker): SeededParticipant[]

  /** Copies of the exact state (stored ISO timestamps, badge_number included), in insertion order. */
  events(): PlandocketEvent[]
  contacts(): Contact[]
  participants(): Participant[]
  checkIns(): CheckIn[]
  event(idOrKey: number | string): PlandocketEvent | undefined
  contact(idOrCustomerNumber: number | string): Contact | undefined
  participant(id: number): Participant | undefined
  checkIn(id: number): CheckIn | undefined

  /** Forbidden things the fake let through (e.g. a second open check-in with repeatCheckIn 'create'). */
  violations(): Violation[]
  /** Authenticated requests in the last hour (on the injected clock): what a plan's limit counts. */
  requestsThisHour(): number
  /** Every request received (optionally only those matching), oldest first. */
  requests(match?: RouteMatcher): LoggedRequest[]
  clearRequests(): void

  /** Network unplugged: connections die, new ones are refused. */
  down(): Promise<void>
  /** Plugged back in, on the same port. */
  up(): Promise<void>
  close(): Promise<void>
}

export const DEFAULT_SETTINGS: Readonly<FakePlandocketSettings> = {
  listEnvelope: 'full',
  paging: 'page',
  defaultPerPage: 15,
  maxPerPage: 100,
  singleEnvelope: 'data',
  timestamps: 'iso',
  participantShape: 'full',
  duplicateParticipantStatus: 422,
  createdStatus: 201,
  putSemantics: 'patch',
  repeatCheckIn: 'create',
  rateLimitPerHour: undefined,
  rateLimitHeaders: false
}

/** Every servable list form, for `describe.each` / loops over the unknowns. */
export const LIST_FORMS: readonly Pick<FakePlandocketSettings, 'listEnvelope' | 'paging'>[] = [
  { listEnvelope: 'bare', paging: 'page' },
  { listEnvelope: 'bare', paging: 'none' },
  { listEnvelope: 'data', paging: 'page' },
  { listEnvelope: 'data', paging: 'none' },
  { listEnvelope: 'full', paging: 'page' },
  { listEnvelope: 'full', paging: 'links' },
  { listEnvelope: 'full', paging: 'none' }
]

const CHOICES: { [K in keyof FakePlandocketSettings]?: readonly unknown[] } = {
  listEnvelope: ['bare', 'data', 'full'],
  paging: ['page', 'links', 'none'],
  singleEnvelope: ['bare', 'data'],
  timestamps: ['iso', 'unix', 'mixed'],
  participantShape: ['full', 'participant_id', 'sample'],
  duplicateParticipantStatus: [409, 422],
  createdStatus: [200, 201],
  putSemantics: ['patch', 'replace'],
  repeatCheckIn: ['create', 'reject', 'conflict'],
  rateLimitHeaders: [true, false]
}

function checkSettings(settings: FakePlandocketSettings): void {
  for (const [key, allowed] of Object.entries(CHOICES)) {
    const value = settings[key as keyof FakePlandocketSettings]
    if (!allowed!.includes(value)) throw new Error(`fake Plandocket: ${key} must be one of ${allowed!.join(', ')}, not ${String(value)}`)
  }
  const problem = settingsProblem(settings)
  if (problem) throw new Error(`fake Plandocket: ${problem}`)
}

export async function startFakePlandocket(options: FakePlandocketOptions = {}): Promise<FakePlandocket> {
  const clock = () => {
    const now = options.now ? options.now() : Date.now()
    return typeof now === 'number' ? now : now.getTime()
  }
  const settings: FakePlandocketSettings = { ...DEFAULT_SETTINGS }
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof FakePlandocketSettings)[]) {
    if (key in options) Object.assign(settings, { [key]: options[key] })
  }
  checkSettings(settings)

  const apiKey = options.apiKey ?? 'pd_test_key'
  const keys = new Map<string, Required<KeySpec>>()
  const setKey = (key: string, spec: KeySpec = {}) => keys.set(key, { scopes: [...(spec.scopes ?? ALL_SCOPES)] as Scope[], user: spec.user ?? 'API' })
  setKey(apiKey, { scopes: options.scopes })
  for (const [key, spec] of Object.entries(options.keys ?? {})) setKey(key, spec)

  const store = new PlandocketStore(clock, { ...DEFAULT_FIRST_IDS, ...options.firstIds })
  const faults = plandocketFaults()
  let origin = ''
  const render = new Renderer(settings, () => `${origin}${BASE_PATH}`, options.seed)
  const server = new PlandocketServer({
    routes: [...eventRoutes, ...participantRoutes, ...contactRoutes, ...checkInRoutes],
    store,
    render,
    settings,
    faults,
    keys,
    clock
  })
  await server.listen(options.port ?? 0)
  origin = `http://127.0.0.1:${server.boundPort}`

  /** Seeded created_at never goes back in time across calls, so later seeds sort as newer. */
  let lastSeeded = Number.NEGATIVE_INFINITY
  function seedMany(n: number, eventKey: string, make?: SeedManyMaker): SeededParticipant[] {
    const event = store.eventByKey(eventKey) ?? store.addEvent({ event_key: eventKey })
    const base = Math.max(clock() - (n - 1) * 1000, lastSeeded + 1000)
    lastSeeded = base + (n - 1) * 1000
    return Array.from({ length: n }, (_, i) => {
      const made = make?.(i) ?? {}
      const contact = store.addContact(made.contact)
      const at = laravelIso(base + i * 1000)
      const participant = store.addParticipant({ created_at: at, updated_at: at, ...made.participant, event_id: event.id, contact_id: contact.id })
      return { participant: clone(participant), contact: clone(contact) }
    })
  }

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`fake Plandocket: no ${what}`)
    return value
  }
  const copy = <T>(value: T | undefined) => (value === undefined ? undefined : clone(value))

  return {
    baseUrl: `${origin}${BASE_PATH}`,
    origin,
    port: server.boundPort,
    apiKey,
    settings,
    configure(patch) {
      const next = { ...settings, ...patch }
      checkSettings(next)
      Object.assign(settings, next)
    },
    faults,
    headers: (via = 'bearer', key = apiKey) => ({
      ...(via === 'bearer' ? { authorization: `Bearer ${key}` } : { 'x-api-key': key }),
      accept: 'application/json',
      'content-type': 'application/json',
      'user-agent': 'rollcall-tests/1.0'
    }),
    setKey: (key, spec) => void setKey(key, spec),
    removeKey: (key) => void keys.delete(key),

    addEvent: (seed) => clone(store.addEvent(seed)),
    updateEvent: (id, patch) => clone(store.updateEvent(id, patch)),
    removeEvent: (id) => void need(store.removeEvent(id) || undefined, `event ${id}`),
    addContact: (seed) => clone(store.addContact(seed)),
    updateContact: (id, patch) => clone(store.updateContact(id, patch)),
    addParticipant: (seed) => clone(store.addParticipant(seed)),
    updateParticipant: (id, patch) => clone(store.updateParticipant(id, patch)),
    removeParticipant: (id) => void need(store.removeParticipant(id) || undefined, `participant ${id}`),
    addCheckIn: (seed) => clone(store.addCheckIn(seed)),
    removeCheckIn: (id) => void need(store.removeCheckIn(id) || undefined, `check-in ${id}`),
    seedMany,

    events: () => [...store.events.values()].map(clone),
    contacts: () => [...store.contacts.values()].map(clone),
    participants: () => [...store.participants.values()].map(clone),
    checkIns: () => [...store.checkIns.values()].map(clone),
    event: (idOrKey) => copy(typeof idOrKey === 'number' ? store.events.get(idOrKey) : store.eventByKey(idOrKey)),
    contact: (idOrNumber) => copy(typeof idOrNumber === 'number' ? store.contacts.get(idOrNumber) : store.contactByNumber(idOrNumber)),
    participant: (id) => copy(store.participants.get(id)),
    checkIn: (id) => copy(store.checkIns.get(id)),

    violations: () => store.violations.map(clone),
    requestsThisHour: () => server.requestsThisHour(),
    requests: (match) => server.requests().filter((r) => requestMatches(match, r.method, r.path, r.fullPath)),
    clearRequests: () => server.clearRequests(),
    down: () => server.down(),
    up: () => server.up(),
    close: () => server.close()
  }
}
