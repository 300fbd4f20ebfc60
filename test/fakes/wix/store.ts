/**
 * The fake's state: events, participations, attendances, and the bookkeeping that ties them
 * together (an event's participants.total / remainingCapacity follow its participations).
 *
 * The store trusts its input: validation of client requests lives in the handlers, so tests can
 * seed states a client could not create (overbooked sessions, odd revisions).
 */
import type { IdSource } from './ids'
import { eventTime, localToMillis, toMillis } from './time'
import {
  BOOKINGS_APP_ID,
  type Attendance,
  type AttendanceSeed,
  type EventSeed,
  type EventTime,
  type Participation,
  type ParticipationSeed,
  type WixEvent
} from './types'

export interface Row<T> {
  seq: number
  value: T
}

const HOUR = 3_600_000
const clone = <T>(value: T): T => structuredClone(value)

export class WixStore {
  private seq = 0
  readonly events = new Map<string, Row<WixEvent>>()
  readonly participations = new Map<string, Row<Participation>>()
  readonly attendances = new Map<string, Row<Attendance>>()
  /** `${bookingId} ${eventId}` → attendance id: set is an upsert on that pair. */
  private readonly attendanceKeys = new Map<string, string>()
  /** Σ partySize of the participations booked on one event / on a whole schedule (a course). */
  private readonly bookedByEvent = new Map<string, number>()
  private readonly bookedBySchedule = new Map<string, number>()
  private readonly eventsBySchedule = new Map<string, Set<string>>()
  /** Participation creates by idempotencyKey: what was asked (canonical JSON) and what it made. */
  readonly idempotency = new Map<string, { request: string; created: Participation }>()

  constructor(
    private readonly ids: IdSource,
    private readonly clock: () => number,
    private readonly zone: string
  ) {}

  nowIso(): string {
    return new Date(this.clock()).toISOString()
  }

  private row<T>(value: T): Row<T> {
    return { seq: this.seq++, value }
  }

  // -------------------------------------------------------------------------------------------
  // Events

  addEvent(seed: EventSeed = {}): WixEvent {
    const zone = seed.timeZone ?? (typeof seed.start === 'object' ? seed.start.timeZone : undefined) ?? this.zone
    const startMs = resolveTime(seed.start, zone, () => Math.ceil(this.clock() / HOUR) * HOUR)
    const endMs = resolveTime(seed.end, zone, () => startMs + HOUR)
    const type = seed.type ?? 'CLASS'
    const now = this.nowIso()
    const { start: _start, end: _end, ...rest } = seed as EventSeed & Partial<Pick<WixEvent, 'adjustedStart' | 'adjustedEnd'>>
    delete rest.adjustedStart // computed per response
    delete rest.adjustedEnd
    const event: WixEvent = {
      id: this.ids.eventId(),
      scheduleId: this.ids.guid(),
      appId: BOOKINGS_APP_ID,
      type,
      status: 'CONFIRMED',
      title: `Session ${this.events.size + 1}`,
      allDay: false,
      recurrenceType: 'NONE',
      resources: [],
      revision: '1',
      createdDate: now,
      updatedDate: now,
      ...defined(rest),
      timeZone: zone,
      start: eventTime(startMs, zone),
      end: eventTime(endMs, zone),
      // An explicit `totalCapacity: undefined` in the seed means unlimited.
      totalCapacity: 'totalCapacity' in seed ? seed.totalCapacity : type === 'APPOINTMENT' ? 1 : 20,
      participants: { total: 0 }
    }
    if (this.events.has(event.id)) throw new Error(`event ${event.id} already exists`)
    this.events.set(event.id, this.row(event))
    this.indexSchedule(event)
    this.refreshCounts(event, { bump: false })
    return clone(event)
  }

  /** A change made "by someone else" on Wix: bumps revision and updatedDate. */
  updateEvent(id: string, patch: Partial<Omit<WixEvent, 'id'>>): WixEvent {
    const event = this.mustGetEvent(id)
    const previousSchedule = event.scheduleId
    Object.assign(event, patch)
    if (event.scheduleId !== previousSchedule) {
      this.eventsBySchedule.get(previousSchedule)?.delete(id)
      this.indexSchedule(event)
    }
    this.refreshCounts(event, { bump: true })
    return clone(event)
  }

  removeEvent(id: string): void {
    const event = this.mustGetEvent(id)
    this.events.delete(id)
    this.eventsBySchedule.get(event.scheduleId)?.delete(id)
  }

  getEvent(id: string): WixEvent | undefined {
    return this.events.get(id)?.value
  }

  private mustGetEvent(id: string): WixEvent {
    const event = this.getEvent(id)
    if (!event) throw new Error(`no event ${id}`)
    return event
  }

  /** The events a participation books: its event, or every event of its schedule. */
  eventsOf(target: { eventId?: string; scheduleId?: string }): WixEvent[] {
    if (target.eventId !== undefined) return this.events.has(target.eventId) ? [this.events.get(target.eventId)!.value] : []
    const ids = this.eventsBySchedule.get(target.scheduleId ?? '') ?? new Set()
    return [...ids].map((id) => this.events.get(id)!.value)
  }

  private indexSchedule(event: WixEvent): void {
    const ids = this.eventsBySchedule.get(event.scheduleId) ?? new Set<string>()
    ids.add(event.id)
    this.eventsBySchedule.set(event.scheduleId, ids)
  }

  // -------------------------------------------------------------------------------------------
  // Capacity bookkeeping

  /** People booked on an event: its own participations plus its schedule's (course) ones. */
  booked(event: WixEvent): number {
    return (this.bookedByEvent.get(event.id) ?? 0) + (this.bookedBySchedule.get(event.scheduleId) ?? 0)
  }

  /** The first event that `extra` more people would overbook, if any (unlimited events never are). */
  overbooked(target: { eventId?: string; scheduleId?: string }, extra: number): WixEvent | undefined {
    if (extra <= 0) return undefined
    return this.eventsOf(target).find((e) => e.totalCapacity !== undefined && this.booked(e) + extra > e.totalCapacity)
  }

  /** `bump`: whether the events' revision moves (yes for client writes, no while seeding). */
  private addBooked(target: { eventId?: string; scheduleId?: string }, delta: number, bump = true): void {
    if (delta === 0) return
    const [map, key] = target.eventId !== undefined ? [this.bookedByEvent, target.eventId] : [this.bookedBySchedule, target.scheduleId!]
    map.set(key, (map.get(key) ?? 0) + delta)
    for (const event of this.eventsOf(target)) this.refreshCounts(event, { bump })
  }

  /**
   * participants.total = people booked; remaining = total capacity − people booked, floored at 0
   * because a seeded overbooking must not show a negative capacity. A changed event gets a new
   * revision, as Wix updates the event when its participations change.
   */
  private refreshCounts(event: WixEvent, { bump }: { bump: boolean }): void {
    const booked = this.booked(event)
    event.participants = { total: booked }
    if (event.totalCapacity === undefined) delete event.remainingCapacity
    else event.remainingCapacity = Math.max(0, event.totalCapacity - booked)
    if (bump) {
      event.revision = String(BigInt(event.revision) + 1n)
      event.updatedDate = this.nowIso()
    }
  }

  // -------------------------------------------------------------------------------------------
  // Participations

  /** A participation with defaults filled in: a GUID id, revision "1", dates = now. */
  buildParticipation(seed: ParticipationSeed): Participation {
    if ((seed.eventId === undefined) === (seed.scheduleId === undefined)) {
      throw new Error('a participation needs exactly one of eventId or scheduleId')
    }
    const now = this.nowIso()
    const appId = seed.appId ?? this.eventsOf(seed)[0]?.appId ?? BOOKINGS_APP_ID
    const { participant, ...rest } = seed
    return {
      id: this.ids.guid(),
      externalId: this.ids.guid(),
      participant: { name: `Guest ${this.participations.size + 1}`, ...defined(participant ?? {}) },
      partySize: 1,
      status: 'CONFIRMED',
      appId,
      revision: '1',
      createdDate: now,
      updatedDate: now,
      ...defined(rest)
    }
  }

  insertParticipation(participation: Participation, { seeding = false } = {}): Participation {
    if (this.participations.has(participation.id)) throw new Error(`participation ${participation.id} already exists`)
    this.participations.set(participation.id, this.row(participation))
    this.addBooked(participation, participation.partySize, !seeding)
    return participation
  }

  getParticipation(id: string): Participation | undefined {
    return this.participations.get(id)?.value
  }

  /** Replaces a participation's fields in place (same id, same booking target). */
  replaceParticipation(id: string, next: Participation): Participation {
    const row = this.participations.get(id)
    if (!row) throw new Error(`no participation ${id}`)
    const delta = next.partySize - row.value.partySize
    row.value = next
    this.addBooked(next, delta)
    return next
  }

  deleteParticipation(id: string): Participation | undefined {
    const row = this.participations.get(id)
    if (!row) return undefined
    this.participations.delete(id)
    this.addBooked(row.value, -row.value.partySize)
    return row.value
  }

  // -------------------------------------------------------------------------------------------
  // Attendances

  findAttendance(bookingId: string, eventId: string): Attendance | undefined {
    const id = this.attendanceKeys.get(`${bookingId} ${eventId}`)
    return id === undefined ? undefined : this.attendances.get(id)?.value
  }

  /** Set = upsert per booking + event: an existing record keeps its id and is overwritten. */
  upsertAttendance(input: Omit<Attendance, 'id'> & { id?: string }): Attendance {
    const existing = this.findAttendance(input.bookingId, input.eventId)
    if (existing) {
      Object.assign(existing, { status: input.status, numberOfAttendees: input.numberOfAttendees })
      return existing
    }
    const attendance: Attendance = {
      id: input.id ?? this.ids.guid(),
      bookingId: input.bookingId,
      eventId: input.eventId,
      status: input.status,
      numberOfAttendees: input.numberOfAttendees
    }
    this.attendances.set(attendance.id, this.row(attendance))
    this.attendanceKeys.set(`${attendance.bookingId} ${attendance.eventId}`, attendance.id)
    return attendance
  }

  addAttendance(seed: AttendanceSeed): Attendance {
    if (seed.eventId === undefined) throw new Error('an attendance needs an eventId')
    return clone(
      this.upsertAttendance({
        id: seed.id,
        bookingId: seed.bookingId ?? this.ids.guid(),
        eventId: seed.eventId,
        status: seed.status ?? 'ATTENDED',
        numberOfAttendees: seed.numberOfAttendees ?? 1
      })
    )
  }

  getAttendance(id: string): Attendance | undefined {
    return this.attendances.get(id)?.value
  }

  deleteAttendance(id: string): boolean {
    const attendance = this.getAttendance(id)
    if (!attendance) return false
    this.attendances.delete(id)
    this.attendanceKeys.delete(`${attendance.bookingId} ${attendance.eventId}`)
    return true
  }
}

/** An instant from a seed's start/end: a local date string, an EventTime-like object, or the fallback. */
function resolveTime(seed: string | Partial<EventTime> | undefined, zone: string, fallback: () => number): number {
  if (seed === undefined) return fallback()
  if (typeof seed === 'object' && seed.utcDate !== undefined) return toMillis(seed.utcDate)
  const local = typeof seed === 'string' ? seed : seed.localDate
  const millis = localToMillis(local, typeof seed === 'object' ? (seed.timeZone ?? zone) : zone)
  if (millis === undefined) throw new Error(`bad event time ${JSON.stringify(seed)}: use YYYY-MM-DDThh:mm:ss`)
  return millis
}

/** Drops keys set to undefined, so `{title: undefined}` in a seed keeps the default. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

export { clone }
