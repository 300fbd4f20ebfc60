/**
 * Wix: sessions from Calendar Events v3, rosters from Calendar Participations v3, attendance from
 * Bookings Attendance v2 (Bookings events) or from the participation's extended fields (other
 * events). Contract: shared/contracts/wix.md.
 */
import { DateTime } from 'luxon'
import type { AttendanceStatus, ParticipationStatus, SyncReason } from '../../../shared/contract'
import { createHttpClient, explainConnectionError, notTheService, ProviderError, type HttpClient, type Permission, type ServiceFacts } from '../http'
import type {
  AttendanceRecord,
  ConnectionReport,
  ParticipationRecord,
  Provider,
  PushOperation,
  PushOutcome,
  HistoryPage,
  RosterPage,
  SessionRecord,
  SessionRef
} from '../types'

/** Wix's own records, kept with the desk's rows (see types.ts). */
export interface WixExt {
  session: WixEvent
  participation: WixParticipation
}
type WixSession = SessionRef<WixEvent>

import { BOOKINGS_APP_ID, isBookingsEvent, wixTraits } from './traits'
export { BOOKINGS_APP_ID }
const PAGE = 100
const ATTENDANCE_PAGE = 1000
const BULK_MAX = 8
const ATTENDANCE_PREFIX = '/bookings/v2/attendance'
/** Past sessions asked about in one query (an `$in` of event ids) when pulling history. */
const HISTORY_EVENTS = 50
/** A participation id no Wix site has (not a GUID): what Test connection writes to, harmlessly. */
const NO_SUCH_PARTICIPATION = 'rollcall-connection-test'
/** How often a revision conflict is re-read and re-applied before it is handed to the desk. */
const MAX_REAPPLY = 3

export interface WixConfig {
  baseUrl: string
  siteId: string
  apiKey: string
  namespace: string
  timeoutMs?: number
  /** Aborted when the desk closes (see HttpClientOptions.signal). */
  signal?: AbortSignal
  onServerDate?: (serverMs: number, localMs: number) => void
  fetch?: typeof fetch
}

interface WixDate {
  localDate?: string
  timeZone?: string
  utcDate?: string
}

export interface WixEvent {
  id: string
  scheduleId?: string
  scheduleName?: string
  appId?: string
  type?: string
  status?: string
  title?: string
  start?: WixDate
  end?: WixDate
  adjustedStart?: WixDate
  adjustedEnd?: WixDate
  allDay?: boolean
  timeZone?: string
  totalCapacity?: number
  revision?: string | number
  updatedDate?: string
}

export interface WixParticipation {
  id: string
  externalId?: string
  eventId?: string
  scheduleId?: string
  participant?: { name?: string; phone?: string; email?: string; contactId?: string }
  partySize?: number
  status?: string
  appId?: string
  revision?: string
  updatedDate?: string
  extendedFields?: { namespaces?: Record<string, Record<string, unknown>> }
}

interface WixAttendance {
  id?: string
  bookingId?: string
  eventId?: string
  sessionId?: string
  status?: AttendanceStatus
  numberOfAttendees?: number
  updatedDate?: string
}

interface Paged {
  pagingMetadata?: { cursors?: { next?: string | null }; hasNext?: boolean }
}

/** What Rollcall keeps in a participation's extended fields, per session (course participations attend many). */
interface StoredMark {
  status: AttendanceStatus
  attendees: number
  markedAt: string | null
  deskId: string | null
  deskName?: string | null
}
type NamespaceData = { sessions?: Record<string, StoredMark> } & Record<string, unknown>

function describeWixError(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null
  const b = body as { message?: string; details?: { applicationError?: { description?: string; code?: string }; validationError?: { fieldViolations?: { field?: string; description?: string }[] } } }
  const violations = b.details?.validationError?.fieldViolations
  if (violations?.length) return violations.map((v) => `${v.field ?? 'field'}: ${v.description ?? 'invalid'}`).join('; ')
  return b.details?.applicationError?.description || b.message || b.details?.applicationError?.code || null
}

/**
 * The permission each API needs, by the names a Wix API key's permission list shows (inferred:
 * the contract names none). A 403 from an API names the one it lacks.
 */
export const WIX_PERMISSIONS = {
  events: { name: 'Read Calendar', kind: 'permission', use: 'sessions' },
  readParticipations: { name: 'Read Calendar', kind: 'permission', use: 'roster' },
  writeParticipations: { name: 'Manage Calendar', kind: 'permission', use: 'check_ins' },
  attendance: { name: 'Manage Bookings', kind: 'permission', use: 'check_ins' }
} as const satisfies Record<string, Permission>

export function wixPermissionFor(method: string, path: string): Permission | null {
  if (path.startsWith('/calendar/v3/events')) return WIX_PERMISSIONS.events
  if (path.startsWith('/calendar/v3/participations')) {
    if (method === 'GET' || path.endsWith('/query')) return WIX_PERMISSIONS.readParticipations
    return method === 'POST' ? { ...WIX_PERMISSIONS.writeParticipations, use: 'walk_ins' } : WIX_PERMISSIONS.writeParticipations
  }
  if (/attendance/.test(path)) return WIX_PERMISSIONS.attendance
  return null
}

/** A 403 that refuses the key or site as such (no access to this site; Wix's empty 403), not one API. */
function refusesWixCredentials(body: unknown): boolean {
  if (!body || typeof body !== 'object') return true
  const b = body as { message?: string; details?: { applicationError?: { description?: string } } }
  return /\bsite\b/i.test(`${b.message ?? ''} ${b.details?.applicationError?.description ?? ''}`)
}

function instant(date: WixDate | undefined, fallbackZone: string): number | null {
  if (!date) return null
  if (date.utcDate) {
    const ms = Date.parse(date.utcDate)
    if (Number.isFinite(ms)) return ms
  }
  if (date.localDate) {
    const dt = DateTime.fromISO(date.localDate, { zone: date.timeZone || fallbackZone })
    if (dt.isValid) return dt.toMillis()
  }
  return null
}

export function toSessionRecord(e: WixEvent, fallbackZone: string): SessionRecord<WixEvent> | null {
  const timeZone = e.timeZone || e.start?.timeZone || fallbackZone
  const startsAt = instant(e.adjustedStart ?? e.start, timeZone)
  const endsAt = instant(e.adjustedEnd ?? e.end, timeZone)
  if (!e.id || startsAt === null) return null
  return {
    providerId: e.id,
    title: (e.title || e.scheduleName || 'Untitled session').slice(0, 200),
    startsAt,
    endsAt: endsAt ?? startsAt,
    timeZone,
    allDay: Boolean(e.allDay),
    capacity: typeof e.totalCapacity === 'number' ? e.totalCapacity : null,
    // Only a course links its sessions: course participations (by scheduleId) attend every one.
    // A class's schedule is just how Wix groups its recurring events; its bookings are per event.
    scheduleId: e.type === 'COURSE' ? (e.scheduleId ?? null) : null,
    scheduleName: e.scheduleName ?? null,
    kind: e.type ?? 'DEFAULT',
    status: e.status === 'CANCELLED' ? 'CANCELLED' : 'CONFIRMED',
    revision: e.revision !== undefined ? String(e.revision) : (e.updatedDate ?? null),
    raw: e
  }
}

const textOf = (v: unknown): string | null => (v === null || v === undefined || v === '' || typeof v === 'object' ? null : String(v))

function participationStatus(status: string | undefined): ParticipationStatus {
  return status === 'PENDING_CONFIRMATION' ? 'PENDING_CONFIRMATION' : 'CONFIRMED'
}

/** Whether a roster item has the shape the contract promises; anything else is not guessed at. */
function isParticipation(p: unknown): p is WixParticipation {
  if (!p || typeof p !== 'object' || Array.isArray(p)) return false
  const x = p as Record<string, unknown>
  const participant = x.participant as Record<string, unknown> | undefined
  return (
    typeof x.id === 'string' &&
    x.id.length > 0 &&
    (typeof x.eventId === 'string' || typeof x.scheduleId === 'string') &&
    (x.partySize === undefined || (typeof x.partySize === 'number' && Number.isInteger(x.partySize))) &&
    (participant === undefined || (typeof participant === 'object' && participant !== null && (participant.name === undefined || typeof participant.name === 'string')))
  )
}

export function toParticipationRecord(p: WixParticipation, namespace: string): ParticipationRecord<WixParticipation> | null {
  if (!isParticipation(p)) return null
  const isBookings = p.appId === BOOKINGS_APP_ID
  const marks = (p.extendedFields?.namespaces?.[namespace] as NamespaceData | undefined)?.sessions ?? {}
  return {
    providerId: p.id,
    externalId: p.externalId ?? null,
    sessionProviderId: p.eventId ?? null,
    scheduleId: p.eventId ? null : (p.scheduleId ?? null),
    // One odd record must not fail the whole roster: everything is read as text.
    name: (textOf(p.participant?.name) ?? 'Unnamed guest').slice(0, 200),
    email: textOf(p.participant?.email),
    phone: textOf(p.participant?.phone),
    contactId: p.participant?.contactId ?? null,
    customerNumber: null,
    // Bookings participations carry the booking as their external id (inferred from the contract).
    bookingId: isBookings ? (p.externalId ?? null) : null,
    badgeNumber: null,
    partySize: Number(p.partySize) || 1,
    status: participationStatus(p.status),
    revision: p.revision ?? p.updatedDate ?? null,
    raw: p,
    attendance: isBookings
      ? undefined
      : Object.entries(marks).map(([sessionProviderId, m]) => ({
          participationProviderId: p.id,
          sessionProviderId,
          status: m.status,
          attendees: m.status === 'ATTENDED' ? m.attendees : 0,
          providerId: null,
          markedAt: m.markedAt ? Date.parse(m.markedAt) : null,
          deskId: m.deskId
        }))
  }
}

export function createWixProvider(config: WixConfig): Provider<WixExt> {
  const http: HttpClient = createHttpClient({
    baseUrl: config.baseUrl,
    headers: () => ({ Authorization: config.apiKey, 'wix-site-id': config.siteId }),
    timeoutMs: config.timeoutMs,
    signal: config.signal,
    onServerDate: config.onServerDate,
    describeError: describeWixError,
    fetch: config.fetch,
    permissionFor: wixPermissionFor,
    refusesCredentials: refusesWixCredentials
  })

  /** Cursor paging exactly as Wix wants it: the query once, then only the cursor. */
  /**
   * Cursor paging exactly as Wix wants it: the query once, then only the cursor. Each page comes
   * with the cursor of the page after it (null on the last), and `from` starts at such a cursor.
   */
  async function* pages<T>(path: string, first: Record<string, unknown>, key: string, limit: number, from: string | null = null): AsyncGenerator<{ items: T[]; next: string | null }> {
    let at = from
    const seen = new Set<string>()
    const ask = (body: Record<string, unknown>) => {
      const answer = http.post<Paged & Record<string, unknown>>(path, body)
      // A failure surfaces where the answer is awaited (a consumer that stopped early never does).
      answer.catch(() => undefined)
      return answer
    }
    let answer = ask(from ? { query: { cursorPaging: { cursor: from, limit } } } : first)
    for (let guard = 0; guard < 100_000; guard++) {
      const { data } = await answer
      if (!data || typeof data !== 'object' || Array.isArray(data)) throw ProviderError.badAnswer('unexpected', `${path}: not the answer Wix gives`)
      const items = data[key]
      if (items !== undefined && !Array.isArray(items)) throw ProviderError.badAnswer('unexpected', `${path}: "${key}" is not a list`)
      const next: unknown = data.pagingMetadata?.cursors?.next
      const last = next === undefined || next === null || next === ''
      const moves = !last && typeof next === 'string' && !seen.has(next)
      if (moves) {
        seen.add(next)
        // The next page is asked for now, before this one is handed on: with a real service's
        // ~100 ms per answer, its round trip runs while the desk maps and writes this page, and a
        // pull costs the answers' time, not answers plus processing (bench: pull_latency_ratio).
        answer = ask({ query: { cursorPaging: { cursor: next, limit } } })
      }
      // A cursor Wix should not have sent (below) leaves the position where it was.
      yield { items: (items ?? []) as T[], next: last ? null : moves ? next : at }
      if (last) return
      // A cursor that is not text, or one we were already given, would page forever.
      if (typeof next !== 'string') throw ProviderError.badAnswer('unexpected', `${path}: the next-page cursor is not text`)
      if (!moves) throw ProviderError.badAnswer('cursor_repeats', `${path}: the next-page cursor repeats; stopping`)
      at = next
    }
  }

  const isBookingsSession = (session: WixSession) => isBookingsEvent(session.raw)
  /** The booking a Bookings participation stands for (kept in its raw record, as pulled). */
  const bookingIdOf = (op: PushOperation<WixExt>) => {
    const p = op.participation.raw
    return p && p.appId === BOOKINGS_APP_ID ? (p.externalId ?? null) : null
  }

  /** A roster resume token (pullRoster): which query, and the cursor into it (null: its start). */
  function parseResume(token: string | null | undefined, queries: number): { filter: number; cursor: string | null } {
    if (!token) return { filter: 0, cursor: null }
    let parsed: unknown
    try {
      parsed = JSON.parse(token)
    } catch {
      parsed = null
    }
    const p = parsed as { f?: unknown; c?: unknown } | null
    if (!p || typeof p.f !== 'number' || !Number.isInteger(p.f) || p.f < 0 || p.f > queries || (p.c !== null && typeof p.c !== 'string')) {
      throw new ProviderError('rejected', 'the saved roster cursor is not one this desk wrote')
    }
    return { filter: p.f, cursor: p.c as string | null }
  }

  type Mark = { status: AttendanceStatus; attendees: number }
  const NO_MARK: Mark = { status: 'NOT_SET', attendees: 0 }

  /** What the desk wants Wix to hold. Wix does not check consistency: ATTENDED always with ≥ 1 person, otherwise 0. */
  function intentOf(op: PushOperation<WixExt>): Mark {
    const status = op.payload.status ?? 'NOT_SET'
    return { status, attendees: status === 'ATTENDED' ? Math.max(1, op.payload.attendees ?? 1) : 0 }
  }

  function attendanceBody(op: PushOperation<WixExt>) {
    const intent = intentOf(op)
    return { bookingId: bookingIdOf(op), eventId: op.session.providerId, status: intent.status, numberOfAttendees: intent.attendees }
  }

  const markOfAttendance = (a: WixAttendance | undefined): Mark =>
    !a?.status || a.status === 'NOT_SET' ? NO_MARK : { status: a.status, attendees: a.status === 'ATTENDED' ? (a.numberOfAttendees ?? 1) : 0 }

  const attendanceKey = (bookingId: string, eventId: string) => `${bookingId} ${eventId}`

  /**
   * The attendance Wix holds now for each operation's booking and session: ONE query (bookingId
   * $in, at most 8 bookings) per batch. Only the first filter is processed, so the session is
   * picked out here (a course booking has one attendance per session).
   */
  async function currentAttendance(ops: PushOperation<WixExt>[]): Promise<Map<string, WixAttendance>> {
    const bookingIds = [...new Set(ops.map((op) => bookingIdOf(op)!))]
    const wanted = new Set(ops.map((op) => attendanceKey(bookingIdOf(op)!, op.session.providerId)))
    const found = new Map<string, WixAttendance>()
    for await (const { items } of pages<WixAttendance>(
      `${ATTENDANCE_PREFIX}/query`,
      { query: { filter: { bookingId: { $in: bookingIds } }, cursorPaging: { limit: ATTENDANCE_PAGE } } },
      'attendances',
      ATTENDANCE_PAGE
    )) {
      for (const a of items) {
        const key = a.bookingId ? attendanceKey(a.bookingId, a.eventId ?? a.sessionId ?? '') : ''
        if (wanted.has(key)) found.set(key, a)
      }
    }
    return found
  }

  /**
   * Bookings attendance has no revision, and set is an upsert: sent blindly it would replace
   * another desk's mark unseen. So, per batch: read what Wix holds now, compare it with what this
   * desk last saw, and write only where nobody else changed it since (or where a person chose to
   * overrule). The same mark already there is done without a write. What remains is the moment
   * between the read and the write (see docs/wix-bookings.md).
   */
  async function checkAndSetAttendance(ops: PushOperation<WixExt>[]): Promise<PushOutcome<WixExt>[]> {
    const outcomes: (PushOutcome<WixExt> | undefined)[] = ops.map((op) =>
      bookingIdOf(op) ? undefined : { result: 'rejected', why: { reason: 'sync_no_booking_id', params: {} } }
    )
    const live = ops.filter((_, i) => !outcomes[i])
    if (live.length === 0) return outcomes as PushOutcome<WixExt>[]
    const current = await currentAttendance(live)
    const sets: number[] = []
    const deletes: { index: number; id: string }[] = []
    ops.forEach((op, i) => {
      if (outcomes[i]) return
      const found = current.get(attendanceKey(bookingIdOf(op)!, op.session.providerId))
      const server = markOfAttendance(found)
      const intent = intentOf(op)
      // Another desk made the same mark (or our own earlier try landed): nothing to write.
      if (same(server, intent)) {
        outcomes[i] = { result: 'done', attendanceProviderId: found?.id ?? null, seen: server }
        return
      }
      if (!same(server, op.lastSeen ?? NO_MARK) && op.payload.force !== true) {
        outcomes[i] = { result: 'conflict', why: otherDesk(server), server }
        return
      }
      if (intent.status !== 'NOT_SET') sets.push(i)
      else if (found?.id) deletes.push({ index: i, id: found.id })
    })
    for (const { index, id } of deletes) {
      try {
        await http.delete(`${ATTENDANCE_PREFIX}/${encodeURIComponent(id)}`)
      } catch (err) {
        // Gone already counts as done.
        if (!(err instanceof ProviderError && err.kind === 'not_found')) throw err
      }
      outcomes[index] = { result: 'done', attendanceProviderId: null, seen: NO_MARK }
    }
    if (sets.length === 1) {
      const op = ops[sets[0]!]!
      const { data } = await http.post<{ attendance?: WixAttendance }>(`${ATTENDANCE_PREFIX}/set`, {
        attendance: attendanceBody(op),
        participantNotification: { notifyParticipants: false }
      })
      outcomes[sets[0]!] = { result: 'done', attendanceProviderId: data?.attendance?.id ?? null, seen: intentOf(op) }
    } else if (sets.length > 1) {
      const written = await bulkSet(sets.map((i) => ops[i]!))
      sets.forEach((i, k) => (outcomes[i] = written[k]))
    }
    return outcomes.map((o) => o ?? { result: 'rejected', why: { reason: 'sync_no_answer', params: {} } })
  }

  async function bulkSet(ops: PushOperation<WixExt>[]): Promise<PushOutcome<WixExt>[]> {
    const { data } = await http.post<{
      results?: { item?: WixAttendance; itemMetadata?: { originalIndex?: number; success?: boolean; error?: { code?: string; description?: string } } }[]
    }>('/bookings/v2/bulk/attendance/set', {
      attendanceDetails: ops.map((op) => ({ attendance: attendanceBody(op) })),
      returnFullEntity: true
    })
    const results = data?.results
    if (!Array.isArray(results)) throw ProviderError.badAnswer('unexpected', 'bulk attendance: no results in the answer')
    return ops.map((op, i): PushOutcome<WixExt> => {
      const r = results.find((x) => x.itemMetadata?.originalIndex === i) ?? results[i]
      if (!r) return { result: 'rejected', why: { reason: 'sync_no_answer', params: {} } }
      if (r.itemMetadata?.success === false) {
        const text = r.itemMetadata.error?.description || r.itemMetadata.error?.code
        // Wix's own words when it gave some.
        return { result: 'rejected', why: text ? { reason: 'provider_said', params: { text } } : { reason: 'sync_no_answer', params: {} } }
      }
      return { result: 'done', attendanceProviderId: r.item?.id ?? null, seen: intentOf(op) }
    })
  }

  /** Another desk's mark, found where this desk's was to go (what this desk wanted is the operation's). */
  const otherDesk = (server: Mark): SyncReason => ({ reason: 'sync_other_desk', params: { service: 'wix', status: server.status, attendees: server.attendees } })

  function markOf(p: WixParticipation, sessionProviderId: string): { status: AttendanceStatus; attendees: number } {
    const m = (p.extendedFields?.namespaces?.[config.namespace] as NamespaceData | undefined)?.sessions?.[sessionProviderId]
    return m ? { status: m.status, attendees: m.status === 'ATTENDED' ? m.attendees : 0 } : { status: 'NOT_SET', attendees: 0 }
  }

  const same = (a: { status: AttendanceStatus; attendees: number }, b: { status: AttendanceStatus; attendees: number }) =>
    a.status === b.status && (a.status !== 'ATTENDED' || a.attendees === b.attendees)

  async function getParticipation(id: string): Promise<WixParticipation | null> {
    try {
      const { data } = await http.get<{ participation?: WixParticipation }>(`/calendar/v3/participations/${encodeURIComponent(id)}`)
      return data?.participation ?? null
    } catch (err) {
      if (err instanceof ProviderError && err.kind === 'not_found') return null
      throw err
    }
  }

  const participationOutcome = (p: WixParticipation | undefined): PushOutcome<WixExt> => ({
    result: 'done',
    participation: (p && toParticipationRecord(p, config.namespace)) || undefined
  })

  /**
   * PATCH with the revision we know; on 409 read the participation again and decide whether our
   * intent still applies to what is there now.
   */
  async function patchWithRevision(
    op: PushOperation<WixExt>,
    build: (current: WixParticipation) => Record<string, unknown>,
    decide: (current: WixParticipation) => 'apply' | 'done' | { conflict: SyncReason }
  ): Promise<PushOutcome<WixExt>> {
    let current = op.participation.raw as WixParticipation | null
    if (!current?.revision) current = await getParticipation(op.participation.providerId)
    for (let attempt = 0; attempt <= MAX_REAPPLY; attempt++) {
      if (!current) return { result: 'conflict', why: { reason: 'sync_removed_upstream', params: { service: 'wix' } } }
      const verdict = attempt === 0 ? 'apply' : decide(current)
      if (verdict === 'done') return participationOutcome(current)
      if (verdict !== 'apply') return { result: 'conflict', why: verdict.conflict }
      try {
        const { data } = await http.patch<{ participation?: WixParticipation }>(
          `/calendar/v3/participations/${encodeURIComponent(current.id)}`,
          { participation: { ...build(current), revision: current.revision } }
        )
        return participationOutcome(data?.participation)
      } catch (err) {
        if (!(err instanceof ProviderError && err.kind === 'conflict')) throw err
        current = await getParticipation(op.participation.providerId)
      }
    }
    return { result: 'conflict', why: { reason: 'sync_keeps_changing', params: { service: 'wix' } } }
  }

  async function pushExtendedFieldMark(op: PushOperation<WixExt>): Promise<PushOutcome<WixExt>> {
    const intent = { status: op.payload.status ?? 'NOT_SET', attendees: op.payload.attendees ?? 0 }
    const previous = op.payload.previous ?? { status: 'NOT_SET' as const, attendees: 0 }
    const eventId = op.session.providerId
    return patchWithRevision(
      op,
      (current) => {
        const data: NamespaceData = { ...((current.extendedFields?.namespaces?.[config.namespace] as NamespaceData | undefined) ?? {}) }
        const sessions = { ...(data.sessions ?? {}) }
        if (intent.status === 'NOT_SET') delete sessions[eventId]
        else {
          sessions[eventId] = {
            status: intent.status,
            attendees: intent.status === 'ATTENDED' ? intent.attendees : 0,
            markedAt: op.payload.markedAt ? new Date(op.payload.markedAt).toISOString() : null,
            deskId: op.deskId,
            deskName: op.deskName
          }
        }
        return { extendedFields: { namespaces: { [config.namespace]: { ...data, sessions } } } }
      },
      (current) => {
        const server = markOf(current, eventId)
        if (same(server, intent)) return 'done'
        // Nobody else touched this session's mark (only other fields changed): apply ours.
        if (same(server, previous) || op.payload.force === true) return 'apply'
        return { conflict: otherDesk(server) }
      }
    )
  }

  async function pushConfirm(op: PushOperation<WixExt>): Promise<PushOutcome<WixExt>> {
    // Bookings manages its participations: the desk never confirms there (the window does not
    // offer it; an operation queued by an older version is set aside, never sent).
    if (isBookingsSession(op.session)) {
      return { result: 'rejected', why: { reason: 'sync_confirm_in_wix', params: {} } }
    }
    return patchWithRevision(
      op,
      () => ({ status: 'CONFIRMED' }),
      (current) => (current.status === 'CONFIRMED' ? 'done' : 'apply')
    )
  }

  async function pushCreate(op: PushOperation<WixExt>): Promise<PushOutcome<WixExt>> {
    if (isBookingsSession(op.session)) {
      return { result: 'rejected', why: { reason: 'sync_walk_in_in_wix', params: {} } }
    }
    const { data } = await http.post<{ participation?: WixParticipation }>('/calendar/v3/participations', {
      participation: {
        ...(op.session.kind === 'COURSE' && op.session.scheduleId ? { scheduleId: op.session.scheduleId } : { eventId: op.session.providerId }),
        participant: {
          name: op.participation.name,
          ...(op.participation.email ? { email: op.participation.email } : {}),
          ...(op.participation.phone ? { phone: op.participation.phone } : {})
        },
        partySize: op.participation.partySize,
        status: 'CONFIRMED'
      },
      // The outbox operation id: a retry after a lost answer can never create the walk-in twice.
      idempotencyKey: op.opId
    })
    return participationOutcome(data?.participation)
  }

async function* pullSessions({ from, to, timeZone }: { from: number; to: number; timeZone: string }): AsyncGenerator<SessionRecord<WixEvent>[]> {
    const local = (ms: number) => DateTime.fromMillis(ms, { zone: timeZone }).toFormat("yyyy-MM-dd'T'HH:mm:ss")
    // Wix does not say whether a range returns the events that overlap it, only those inside it,
    // or those that start in it. Asking a day further finds a session that starts on the day
    // and ends after midnight (an overnight class) under each reading; only sessions that
    // overlap the day are kept.
    const until = DateTime.fromMillis(to, { zone: timeZone }).plus({ days: 1 }).toMillis()
    for await (const { items: events } of pages<WixEvent>(
      '/calendar/v3/events/query',
      {
        fromLocalDate: local(from),
        toLocalDate: local(until - 1000),
        timeZone,
        recurrenceType: ['NONE', 'INSTANCE', 'EXCEPTION'],
        query: { filter: { type: { $in: ['CLASS', 'COURSE', 'APPOINTMENT', 'DEFAULT'] } }, cursorPaging: { limit: PAGE } }
      },
      'events',
      PAGE
    )) {
      yield events.map((e) => toSessionRecord(e, timeZone)).filter((s): s is SessionRecord<WixEvent> => s !== null && s.startsAt < to && s.endsAt > from)
    }
  }

  function toAttendanceRecord(a: WixAttendance, sessionProviderId: string): AttendanceRecord {
    return {
      participationProviderId: null,
      bookingId: a.bookingId!,
      sessionProviderId,
      status: a.status ?? 'NOT_SET',
      attendees: a.status === 'ATTENDED' ? (a.numberOfAttendees ?? 1) : 0,
      providerId: a.id ?? null,
      markedAt: a.updatedDate ? Date.parse(a.updatedDate) : null,
      deskId: null
    }
  }

  /**
   * Attendance history: the range's sessions, then per 50 of them one participations query (an
   * `$in` of their event ids; courses by schedule) and, for Bookings sessions, one Attendance
   * query — the use Wix documents for it ("to see if a particular session has frequent no-shows").
   * Marks of other events travel in the participations' extended fields.
   */
  async function* pullHistory(range: { from: number; to: number; timeZone: string }): AsyncGenerator<HistoryPage<WixExt>> {
    const queryAll = async <T>(path: string, filter: Record<string, unknown>, key: string, limit: number) => {
      const all: T[] = []
      for await (const { items } of pages<T>(path, { query: { filter, cursorPaging: { limit } } }, key, limit)) all.push(...items)
      return all
    }
    for await (const page of pullSessions(range)) {
      const live = page.filter((s) => s.status === 'CONFIRMED')
      for (let at = 0; at < live.length; at += HISTORY_EVENTS) {
        const sessions = live.slice(at, at + HISTORY_EVENTS)
        const eventIds = sessions.map((s) => s.providerId)
        const courses = [...new Set(sessions.filter((s) => s.kind === 'COURSE' && s.scheduleId).map((s) => s.scheduleId!))]
        const bookings = sessions.filter((s) => isBookingsEvent(s.raw)).map((s) => s.providerId)
        const raw = await queryAll<WixParticipation>('/calendar/v3/participations/query', { eventId: { $in: eventIds } }, 'participations', PAGE)
        if (courses.length) raw.push(...(await queryAll<WixParticipation>('/calendar/v3/participations/query', { scheduleId: { $in: courses } }, 'participations', PAGE)))
        const participations = raw.map((p) => toParticipationRecord(p, config.namespace)).filter((p): p is ParticipationRecord<WixParticipation> => p !== null)
        const attendance = bookings.length
          ? (await queryAll<WixAttendance>(`${ATTENDANCE_PREFIX}/query`, { eventId: { $in: bookings } }, 'attendances', ATTENDANCE_PAGE))
              .filter((a) => a.bookingId && (a.eventId ?? a.sessionId))
              .map((a) => toAttendanceRecord(a, (a.eventId ?? a.sessionId)!))
          : []
        yield { sessions, participations, attendance }
      }
    }
  }

  return {
    name: 'wix',
    grant: wixTraits.grant,

    async testConnection(options: { readsOnly?: boolean } = {}): Promise<ConnectionReport> {
      const facts: ServiceFacts = { name: 'wix', baseUrl: config.baseUrl, field: 'base_url', auth: () => 'key_refused' }
      // A harmless read on every API the desk uses, and a write to a participation that cannot
      // exist (a key allowed to write gets 404, one that is not gets 403): each missing permission
      // is named before the desk is used.
      const today = DateTime.now().toFormat('yyyy-MM-dd')
      const nobody = { eventId: { $eq: 'rollcall-connection-test-0000-0000-000000000000' } }
      const checks: [Permission, () => Promise<unknown>][] = [
        [
          WIX_PERMISSIONS.events,
          async () => {
            const { data } = await http.post<{ events?: unknown[] }>('/calendar/v3/events/query', {
              fromLocalDate: `${today}T00:00:00`,
              toLocalDate: `${today}T23:59:59`,
              timeZone: 'UTC',
              query: { cursorPaging: { limit: 1 } }
            })
            if (!data || !Array.isArray(data.events)) throw ProviderError.badAnswer('unexpected', 'not the answer Wix gives')
          }
        ],
        [WIX_PERMISSIONS.readParticipations, () => http.post('/calendar/v3/participations/query', { query: { filter: nobody, cursorPaging: { limit: 1 } } })],
        [
          WIX_PERMISSIONS.writeParticipations,
          () =>
            http.patch(`/calendar/v3/participations/${NO_SUCH_PARTICIPATION}`, { participation: { revision: '1' } }).catch((err: unknown) => {
              if (!(err instanceof ProviderError && (err.kind === 'not_found' || err.kind === 'conflict' || err.kind === 'rejected'))) throw err
            })
        ],
        [WIX_PERMISSIONS.attendance, () => http.post(`${ATTENDANCE_PREFIX}/query`, { query: { filter: nobody, cursorPaging: { limit: 1 } } })]
      ]
      const missing: Permission[] = []
      for (const [permission, check] of checks) {
        if (options.readsOnly && permission === WIX_PERMISSIONS.writeParticipations) continue
        try {
          await check()
        } catch (err) {
          if (err instanceof ProviderError && err.kind === 'forbidden') {
            if (!missing.some((m) => m.name === permission.name)) missing.push(permission)
            continue
          }
          if (err instanceof ProviderError && err.kind === 'bad_response') return notTheService(facts)
          return explainConnectionError(err, facts)
        }
      }
      if (missing.length) return { ok: false, reason: 'key_lacks_permissions', params: { service: 'wix', where: config.siteId, missing } }
      return { ok: true, reason: 'connected', params: { service: 'wix', where: config.siteId } }
    },

    pullSessions,
    pullHistory,

    async *pullRoster(session, resumeFrom) {
      const filters: Record<string, unknown>[] = [{ eventId: { $eq: session.providerId } }]
      if (session.kind === 'COURSE' && session.scheduleId) filters.push({ scheduleId: { $eq: session.scheduleId } })
      // The resume token: which of the queries (the event's, then the course's) and its cursor.
      const resume = parseResume(resumeFrom, filters.length)
      let unreadable = 0
      for (let f = resume.filter; f < filters.length; f++) {
        const filter = filters[f]!
        for await (const { items, next } of pages<WixParticipation>(
          '/calendar/v3/participations/query',
          { query: { filter, sort: [{ fieldName: 'createdDate', order: 'ASC' }], cursorPaging: { limit: PAGE } } },
          'participations',
          PAGE,
          f === resume.filter ? resume.cursor : null
        )) {
          const records: RosterPage<WixParticipation> = items.map((p) => toParticipationRecord(p, config.namespace)).filter((p): p is ParticipationRecord<WixParticipation> => p !== null)
          unreadable += items.length - records.length
          // After the last page of a query, the next query from its start. Not past a page with
          // unreadable people: a download that resumed after it would hide them and end "complete".
          if (!unreadable) records.resumeAfter = JSON.stringify(next === null ? { f: f + 1, c: null } : { f, c: next })
          // An empty page still moves the cursor on.
          yield records
        }
      }
      // The readable rest of the roster is kept; the desk is told some of it could not be read.
      if (unreadable) throw ProviderError.badAnswer('unreadable_rows', `${unreadable} participation(s) from Wix could not be read`, { count: unreadable })
    },

    attendanceComplete: (session) => isBookingsSession(session),

    async *pullAttendance(session) {
      // Other events carry their marks in the participations, applied with the roster.
      if (!isBookingsSession(session)) return
      for await (const { items } of pages<WixAttendance>(
        `${ATTENDANCE_PREFIX}/query`,
        { query: { filter: { eventId: { $eq: session.providerId } }, cursorPaging: { limit: ATTENDANCE_PAGE } } },
        'attendances',
        ATTENDANCE_PAGE
      )) {
        yield items
          .filter((a) => a.bookingId)
          .map(
            (a): AttendanceRecord => ({
              participationProviderId: null,
              bookingId: a.bookingId!,
              sessionProviderId: session.providerId,
              status: a.status ?? 'NOT_SET',
              attendees: a.status === 'ATTENDED' ? (a.numberOfAttendees ?? 1) : 0,
              providerId: a.id ?? null,
              markedAt: a.updatedDate ? Date.parse(a.updatedDate) : null,
              deskId: null
            })
          )
      }
    },

    push(op) {
      if (op.kind === 'participation.create') return pushCreate(op)
      if (op.kind === 'participation.confirm') return pushConfirm(op)
      if (isBookingsSession(op.session)) return checkAndSetAttendance([op]).then((outcomes) => outcomes[0]!)
      return pushExtendedFieldMark(op)
    },

    maxBatch: BULK_MAX,

    batchSize(op) {
      return op.kind === 'attendance.set' && isBookingsSession(op.session) && bookingIdOf(op) ? BULK_MAX : 1
    },

    pushBatch: checkAndSetAttendance
  }
}
