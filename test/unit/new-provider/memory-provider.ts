/**
 * A booking system that lives in memory, as a new provider's folder would hold it: its own records
 * (typed `raw`), its traits, its registration. Nothing here is known to the engine or the core;
 * the test adds its name to the contract's list and its registration line, nothing else.
 */
import { DateTime } from 'luxon'
import type { AttendanceStatus, ProviderName } from '../../../src/shared/contract'
import { ProviderError } from '../../../src/main/providers/http'
import { USUAL_RULES } from '../../../src/main/providers/rules'
import type { AttendanceRecord, ParticipationRecord, Provider, ProviderRegistration, ProviderTraits, PushOutcome, SessionRecord } from '../../../src/main/providers/types'

/** The name the test adds to the list (the compiled contract does not know it: hence the casts). */
export const MEMORY = 'memory' as ProviderName

interface MemorySession {
  key: string
  title: string
  start: string
  end: string
  zone: string
  /** Memory-only: the room, a fact only this provider keeps (in its raw record). */
  room: string
}
interface MemoryPerson {
  key: string
  sessionKey: string
  name: string
}
type Mark = { status: AttendanceStatus; attendees: number }

/** The service's own state, as another station would see it. */
export const memory = {
  sessions: [] as MemorySession[],
  people: [] as MemoryPerson[],
  marks: new Map<string, Mark>(),
  /** The next push's fate instead of an accepted write (a refusal, a missing scope…). */
  next: null as null | (() => PushOutcome<MemoryExt> | ProviderError),
  pushes: 0,
  reset() {
    this.sessions = []
    this.people = []
    this.marks = new Map()
    this.next = null
    this.pushes = 0
  }
}

export type MemoryExt = { session: MemorySession; participation: MemoryPerson }

export const memoryTraits: ProviderTraits<MemorySession> = {
  needsNetwork: true,
  // Its keys carry scopes: a refusal that names none is still said as a scope.
  grant: 'scope',
  sessionRules: () => USUAL_RULES,
  walkInNeedsEmail: false,
  walkInChecksInTogether: false,
  sendsCheckOut: false,
  namesStations: false
}

function createMemoryProvider(): Provider<MemoryExt> {
  const toSession = (s: MemorySession): SessionRecord<MemorySession> => ({
    providerId: s.key,
    title: s.title,
    startsAt: DateTime.fromISO(s.start, { zone: s.zone }).toMillis(),
    endsAt: DateTime.fromISO(s.end, { zone: s.zone }).toMillis(),
    timeZone: s.zone,
    allDay: false,
    capacity: null,
    scheduleId: null,
    scheduleName: null,
    kind: 'EVENT',
    status: 'CONFIRMED',
    revision: null,
    raw: s
  })
  const toPerson = (p: MemoryPerson): ParticipationRecord<MemoryPerson> => ({
    providerId: p.key,
    externalId: null,
    sessionProviderId: p.sessionKey,
    scheduleId: null,
    name: p.name,
    email: null,
    phone: null,
    contactId: null,
    customerNumber: null,
    bookingId: null,
    badgeNumber: null,
    partySize: 1,
    status: 'CONFIRMED',
    revision: null,
    raw: p
  })
  return {
    name: MEMORY,
    needsNetwork: memoryTraits.needsNetwork,
    grant: memoryTraits.grant,
    testConnection: async () => ({ ok: true, reason: 'local_needs_no_connection', params: {} }),
    async *pullSessions({ from, to }) {
      yield memory.sessions.map(toSession).filter((s) => s.startsAt < to && s.endsAt > from)
    },
    async *pullRoster(session) {
      yield memory.people.filter((p) => p.sessionKey === session.raw?.key).map(toPerson)
    },
    async *pullAttendance(session) {
      const marks: AttendanceRecord[] = []
      for (const p of memory.people.filter((x) => x.sessionKey === session.providerId)) {
        const mark = memory.marks.get(p.key)
        if (mark) marks.push({ participationProviderId: p.key, sessionProviderId: session.providerId, ...mark, providerId: null, markedAt: null, deskId: null })
      }
      yield marks
    },
    // Every mark the service holds comes with the download: a missing one was deleted there.
    attendanceComplete: () => true,
    async push(op) {
      memory.pushes++
      const next = memory.next
      memory.next = null
      const fate = next?.()
      if (fate instanceof ProviderError) throw fate
      if (fate) return fate
      if (op.kind !== 'attendance.set') return { result: 'rejected', why: { reason: 'provider_said', params: { text: `memory does not take ${op.kind}` } } }
      const mark = { status: op.payload.status!, attendees: op.payload.attendees ?? 0 }
      if (mark.status === 'NOT_SET') memory.marks.delete(op.participation.providerId)
      else memory.marks.set(op.participation.providerId, mark)
      return { result: 'done', seen: mark }
    }
  }
}

export const memoryRegistration: ProviderRegistration = {
  traits: memoryTraits,
  build: () => createMemoryProvider(),
  history: () => null,
  lacks: () => null
}
