/**
 * Plandocket: sessions from events, rosters from participants (with their contact), check-ins from
 * the check-ins API. Contract: shared/contracts/plandocket.md. Where the contract says "unknown"
 * (list envelope, paging, single envelope, timestamp form) every plausible form is accepted.
 * Plandocket has no party size (a participant is one person) and no idempotency keys: a check-in
 * that may already have been sent is looked up before it is posted again.
 */
import { DateTime } from 'luxon'
import type { ParticipationStatus } from '../../../shared/contract'
import { RequestBudget } from '../budget'
import { createHttpClient, explainConnectionError, ProviderError, type HttpClient, type Permission, type ServiceFacts } from '../http'
import type { AttendanceRecord, ConnectionReport, ParticipationRecord, Provider, PushOperation, PushOutcome, RosterPage, SessionRecord } from '../types'
import { plandocketTraits } from './traits'

const PER_PAGE = 100
/** A runaway server (a `links.next` that never ends) cannot keep the desk paging forever. */
const MAX_PAGES = 10_000

/** The scope each API needs (contract: events, participants, contacts, checkins); a 403 names it. */
export function plandocketScopeFor(method: string, path: string): Permission | null {
  const scope = (name: string, use: Permission['use']): Permission => ({ name, kind: 'scope', use })
  if (path.startsWith('/events')) return scope('events', 'sessions')
  if (path.startsWith('/participants')) return scope('participants', method === 'GET' ? 'roster' : 'check_ins')
  if (path.startsWith('/contacts')) return scope('contacts', 'walk_ins')
  if (path.startsWith('/check-ins')) return scope('checkins', 'check_ins')
  return null
}

export interface PlandocketConfig {
  baseUrl: string
  apiKey: string
  timeoutMs?: number
  /** Aborted when the desk closes (see HttpClientOptions.signal). */
  signal?: AbortSignal
  onServerDate?: (serverMs: number, localMs: number) => void
  fetch?: typeof fetch
  /** List events that are hidden in Plandocket (`is_visible` false) too. */
  showHidden?: boolean
  /** Shared by every provider built for this desk, so the hour's count survives a settings change. */
  budget?: RequestBudget
  now?: () => number
}

/**
 * How old the desk's copy of an event's check-ins may be when a check-in is sent: older, and the
 * desk asks Plandocket again before sending (one request serves every check-in of a busy minute).
 */
export const OPEN_CHECK_INS_FRESH_MS = 5_000

type Json = Record<string, unknown>

interface Contact {
  customer_number?: string | number | null
  first_name?: string | null
  last_name?: string | null
  company_name?: string | null
  email?: string | null
  phone?: string | null
  mobile?: string | null
}

interface Participant {
  id?: number | string
  participant_id?: number | string
  event_id?: number | string
  contact_id?: number | string
  is_confirmed?: boolean | number | string
  badge_number?: string | null
  created_at?: string | number | null
  updated_at?: string | number | null
  contact?: Contact | null
}

interface CheckIn {
  id?: number | string
  event_participant_id?: number | string
  participant_id?: number | string
  event_key?: string
  check_in_type?: string
  station?: string | null
  checked_in_at?: string | number | null
  checked_out_at?: string | number | null
  is_checked_in?: boolean | number
}

/** `{"error": "...", "errors": {"email": ["The email field is required."]}}` → one readable line. */
export function describePlandocketError(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null
  const b = body as { error?: unknown; message?: unknown; errors?: Record<string, unknown> }
  const fields = b.errors && typeof b.errors === 'object'
    ? Object.values(b.errors).flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v) => typeof v === 'string')
    : []
  const head = typeof b.error === 'string' ? b.error : typeof b.message === 'string' ? b.message : null
  if (fields.length) return `${head ?? 'Validation failed'}: ${fields.join(' ')}`
  return head
}

/** ISO 8601 text or unix seconds (number or numeric text) → epoch ms. */
export function parseTimestamp(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null
  if (typeof value === 'number') return Number.isFinite(value) ? (value < 1e11 ? value * 1000 : value) : null
  if (typeof value === 'string') {
    if (/^\d+(\.\d+)?$/.test(value.trim())) return parseTimestamp(Number(value))
    const ms = Date.parse(value)
    return Number.isFinite(ms) ? ms : null
  }
  return null
}

/** A bare array, `{data: [...]}` or `{data: [...], meta, links}`. */
function listOf(body: unknown): { items: Json[]; next: string | null } {
  if (Array.isArray(body)) return { items: body as Json[], next: null }
  if (body && typeof body === 'object') {
    const b = body as { data?: unknown; links?: { next?: unknown } }
    if (Array.isArray(b.data)) return { items: b.data as Json[], next: typeof b.links?.next === 'string' ? b.links.next : null }
  }
  throw ProviderError.badAnswer('unexpected', 'Plandocket answered with something that is not a list')
}

/** A bare object or `{data: {...}, meta}`. */
function singleOf<T>(body: unknown): T | null {
  if (!body || typeof body !== 'object') return null
  const b = body as { data?: unknown }
  if (b.data && typeof b.data === 'object' && !Array.isArray(b.data)) return b.data as T
  return body as T
}

const idOf = (x: { id?: unknown; participant_id?: unknown }) => {
  const id = x.id ?? x.participant_id
  return id === undefined || id === null ? null : String(id)
}
const truthy = (v: unknown) => v === true || v === 1 || v === '1' || v === 'true'
const text = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v))

export function toParticipationRecord(p: Participant, eventKey: string): ParticipationRecord | null {
  const id = idOf(p)
  if (!id) return null
  const c = p.contact ?? {}
  const name = [c.first_name, c.last_name].filter(Boolean).join(' ').trim() || text(c.company_name) || `Participant ${id}`
  const status: ParticipationStatus = p.is_confirmed === undefined || truthy(p.is_confirmed) ? 'CONFIRMED' : 'PENDING_CONFIRMATION'
  const updated = parseTimestamp(p.updated_at)
  return {
    providerId: id,
    externalId: text(c.customer_number),
    sessionProviderId: eventKey,
    scheduleId: null,
    name: name.slice(0, 200),
    email: text(c.email),
    phone: text(c.phone) ?? text(c.mobile),
    contactId: text(p.contact_id),
    customerNumber: text(c.customer_number),
    bookingId: null,
    badgeNumber: text(p.badge_number),
    partySize: 1,
    status,
    // Not every answer carries updated_at, and its form varies: fall back to a hash of the record.
    revision: null,
    raw: { ...p, updated_at: updated }
  }
}

export function createPlandocketProvider(config: PlandocketConfig): Provider {
  const base = config.baseUrl.replace(/\/+$/, '')
  const now = config.now ?? Date.now
  const budget = config.budget ?? new RequestBudget(now)
  /** Every request is counted; reading in the background gives way to sending marks (see budget.ts). */
  const client = (kind: 'send' | 'read'): HttpClient =>
    createHttpClient({
      baseUrl: base,
      headers: () => ({ Authorization: `Bearer ${config.apiKey}` }),
      timeoutMs: config.timeoutMs,
      signal: config.signal,
      onServerDate: config.onServerDate,
      describeError: describePlandocketError,
      // Paths are relative to the base (…/api/v1), as the contract names them.
      permissionFor: plandocketScopeFor,
      fetch: async (input, init) => {
        budget.check(kind)
        const response = await (config.fetch ?? fetch)(input, init)
        budget.answered(response.headers)
        return response
      }
    })
  const http = client('send')
  const readHttp = client('read')

  /** Turns a `links.next` URL into a path on our base; a link elsewhere is not followed. */
  /** The same request for the page after (a resumed list without links). */
  function nextPage(request: string): string {
    const q = request.indexOf('?')
    const params = new URLSearchParams(q < 0 ? '' : request.slice(q + 1))
    params.set('page', String(Number(params.get('page') ?? '1') + 1))
    return `${q < 0 ? request : request.slice(0, q)}?${params}`
  }

  function relative(link: string): string | null {
    if (link.startsWith('/')) {
      const basePath = new URL(base).pathname.replace(/\/+$/, '')
      return link.startsWith(basePath) ? link.slice(basePath.length) : null
    }
    return link.startsWith(`${base}/`) || link.startsWith(`${base}?`) ? link.slice(base.length) : null
  }

  /**
   * Every page of a list, whichever way the server pages: follows `links.next`, else asks for
   * page 2, 3, … until a short or empty page, or a page with nothing new (a server that ignores
   * `page` and always answers everything). Each page carries `resumeAfter`: the request that
   * reads the rest (empty after the last page); `from` starts at such a request instead.
   */
  async function* pages(path: string, params: Record<string, string>, via: HttpClient = readHttp, from: string | null = null): AsyncGenerator<Json[] & { resumeAfter: string }> {
    const seen = new Set<string>()
    const query = (page: number) => `${path}?${new URLSearchParams({ ...params, page: String(page), per_page: String(PER_PAGE) })}`
    let next: string | null = from ?? query(1)
    for (let page = 1; next && page <= MAX_PAGES; page++) {
      const { data } = await via.get<unknown>(next)
      const { items, next: link } = listOf(data)
      const fresh = items.filter((item) => {
        const key = idOf(item as Participant) ?? JSON.stringify(item)
        if (seen.has(key)) return false
        seen.add(key)
        return true
      })
      const current: string = next
      if (link) next = relative(link)
      else next = fresh.length === 0 || items.length < PER_PAGE ? null : from ? nextPage(current) : query(page + 1)
      if (fresh.length) yield Object.assign(fresh, { resumeAfter: next ?? '' })
    }
  }

  /** Per event: who holds an open check-in, as last read, and when it was read. */
  const openByEvent = new Map<string, { at: number; open: Map<string, CheckIn> }>()

  const isOpen = (c: CheckIn) => (c.is_checked_in === undefined ? !c.checked_out_at : truthy(c.is_checked_in))

  /** Reads the event's check-ins (all pages) and remembers who is in; the newest record per person tells. */
  async function readCheckIns(eventKey: string, via: HttpClient): Promise<{ latest: Map<string, CheckIn> }> {
    const latest = new Map<string, CheckIn>()
    for await (const items of pages('/check-ins', { event_key: eventKey }, via)) {
      for (const c of items as CheckIn[]) {
        const who = text(c.event_participant_id ?? c.participant_id)
        if (!who) continue
        const prior = latest.get(who)
        if (prior && (parseTimestamp(prior.checked_in_at) ?? 0) > (parseTimestamp(c.checked_in_at) ?? 0)) continue
        latest.set(who, c)
      }
    }
    const open = new Map([...latest].filter(([, c]) => isOpen(c)))
    openByEvent.set(eventKey, { at: now(), open })
    return { latest }
  }

  /** The participant's open check-in, from a copy at most OPEN_CHECK_INS_FRESH_MS old (else read again). */
  async function openCheckInOf(op: PushOperation, fresh = false): Promise<CheckIn | null> {
    const eventKey = op.session.providerId
    const copy = openByEvent.get(eventKey)
    if (fresh || !copy || now() - copy.at > OPEN_CHECK_INS_FRESH_MS) await readCheckIns(eventKey, http)
    return openByEvent.get(eventKey)?.open.get(op.participation.providerId) ?? null
  }

  function remember(eventKey: string, participantId: string, checkIn: CheckIn | null) {
    const copy = openByEvent.get(eventKey)
    if (!copy) return
    if (checkIn) copy.open.set(participantId, checkIn)
    else copy.open.delete(participantId)
  }

  /** The session-local calendar day of an instant. */
  const dayOf = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toISODate()

  /**
   * What Plandocket holds after one of the desk's writes, in the desk's terms (the last-seen mark).
   * It must be said: a download later compares with it, and a desk that still believed in a check-in
   * it had itself cleared (for a no-show, which Plandocket cannot hold) took the missing check-in for
   * a deletion made elsewhere and cleared the no-show.
   */
  const NO_CHECK_IN = { status: 'NOT_SET', attendees: 0 } as const
  const CAME = { status: 'ATTENDED', attendees: 1 } as const

  /** An open check-in as the desk's replica keeps it: who checked in, where and when. */
  const asMark = (op: PushOperation, c: CheckIn): AttendanceRecord => ({
    participationProviderId: op.participation.providerId,
    sessionProviderId: op.session.providerId,
    status: 'ATTENDED',
    attendees: 1,
    providerId: text(c.id),
    markedAt: parseTimestamp(c.checked_in_at),
    deskId: text(c.station)
  })

  async function postCheckIn(op: PushOperation, action: 'check_in' | 'check_out'): Promise<CheckIn | null> {
    const { data } = await http.post<unknown>('/check-ins', {
      event_key: op.session.providerId,
      participant_id: Number(op.participation.providerId) || op.participation.providerId,
      action,
      check_in_type: op.payload.method === 'scan' ? 'scan' : 'manual',
      station: op.deskName
    })
    return singleOf<CheckIn>(data)
  }

  /**
   * Never a second open check-in: Plandocket allows one per person. An open one from another
   * station (or from this desk, sent before an answer was lost) settles this mark; one from an
   * earlier day of a multi-day event is checked out first, so today's arrival is its own record.
   */
  async function checkIn(op: PushOperation): Promise<PushOutcome> {
    const settle = (c: CheckIn): PushOutcome => {
      const mine = text(c.station) === op.deskName
      const wanted = op.payload.attendees ?? 1
      if (!mine && wanted > 1) {
        const at = parseTimestamp(c.checked_in_at)
        return {
          result: 'conflict',
          why: { reason: 'sync_counts_one', params: { service: 'plandocket', station: text(c.station), at: at ? new Date(at).toISOString() : null, counted: wanted } },
          server: { status: 'ATTENDED', attendees: 1 }
        }
      }
      return { result: 'done', attendanceProviderId: text(c.id), attendance: asMark(op, c) }
    }
    // An earlier try may have got through without an answer: only Plandocket's current list can tell.
    let open = await openCheckInOf(op, op.maybeSent)
    const today = typeof op.payload.day === 'string' ? op.payload.day : null
    const openedAt = open ? parseTimestamp(open.checked_in_at) : null
    if (open && today && openedAt !== null && (dayOf(openedAt, op.session.timeZone) ?? today) < today) {
      // Yesterday's check-in, never closed: close it, then today's arrival opens a new one.
      try {
        await postCheckIn(op, 'check_out')
      } catch (err) {
        if (!(err instanceof ProviderError && err.kind === 'rejected')) throw err
      }
      remember(op.session.providerId, op.participation.providerId, null)
      open = null
    }
    if (open) return settle(open)
    try {
      const created = await postCheckIn(op, 'check_in')
      if (created) remember(op.session.providerId, op.participation.providerId, { ...created, station: created.station ?? op.deskName })
      return { result: 'done', attendanceProviderId: text(created?.id), seen: CAME }
    } catch (err) {
      // Someone checked in between our read and our post (409, or 422 "already checked in").
      if (err instanceof ProviderError && (err.kind === 'rejected' || err.kind === 'conflict')) {
        const existing = await openCheckInOf(op, true)
        if (existing) return settle(existing)
      }
      throw err
    }
  }

  /** Check-out (re-entry is a new check-in): closes the open check-in; none open is the same outcome. */
  async function checkOut(op: PushOperation): Promise<PushOutcome> {
    try {
      await postCheckIn(op, 'check_out')
    } catch (err) {
      // 422 "not checked in": closed already (by another station, or our earlier try got through).
      if (!(err instanceof ProviderError && err.kind === 'rejected')) throw err
    }
    remember(op.session.providerId, op.participation.providerId, null)
    return { result: 'done', attendanceProviderId: null, seen: CAME }
  }

  async function findOpenCheckIn(op: PushOperation): Promise<CheckIn | null> {
    return openCheckInOf(op, true)
  }

  async function clearCheckIn(op: PushOperation): Promise<PushOutcome & { result: 'done' }> {
    const id = op.attendanceProviderId ?? text((await findOpenCheckIn(op))?.id)
    if (id) {
      try {
        await http.delete(`/check-ins/${encodeURIComponent(id)}`)
      } catch (err) {
        // Deleted elsewhere already: that is what we wanted.
        if (!(err instanceof ProviderError && err.kind === 'not_found')) throw err
      }
    }
    remember(op.session.providerId, op.participation.providerId, null)
    return { result: 'done', attendanceProviderId: null, seen: NO_CHECK_IN }
  }

  async function pushAttendance(op: PushOperation): Promise<PushOutcome> {
    const status = op.payload.status ?? 'NOT_SET'
    if (status === 'ATTENDED') return checkIn(op)
    // Plandocket has no "no-show": clearing any check-in is all that can be recorded there (the
    // no-show itself stays on this desk).
    return clearCheckIn(op)
  }

  async function confirm(op: PushOperation): Promise<PushOutcome> {
    const { data } = await http.patch<unknown>(`/participants/${encodeURIComponent(op.participation.providerId)}`, { is_confirmed: true })
    const p = singleOf<Participant>(data)
    const record = p && idOf(p) ? toParticipationRecord({ contact: rawContact(op), ...p }, op.session.providerId) : null
    return { result: 'done', ...(record ? { participation: record } : {}) }
  }

  const rawContact = (op: PushOperation) => ((op.participation.raw as Participant | null)?.contact ?? null)

  /**
   * A walk-in is standing at the desk: a contact (Plandocket requires its email) linked to the
   * event, which makes it a participant; confirmed at once, and checked in when the desk did so
   * with the same operation, so a failure is one item for the desk to decide, not two.
   */
  async function createWalkIn(op: PushOperation): Promise<PushOutcome> {
    const eventKey = op.session.providerId
    const email = op.participation.email
    if (!email) return { result: 'rejected', why: { reason: 'sync_email_required', params: { service: 'plandocket' } } }
    const [first, ...rest] = op.participation.name.split(/\s+/)
    const byEmail = async (): Promise<Participant | null> => {
      for await (const items of pages('/participants', { event_key: eventKey, include: 'contact' }, http)) {
        for (const p of items as Participant[]) {
          if ((p.contact?.email ?? '').toLowerCase() === email.toLowerCase()) return p
        }
      }
      return null
    }
    let participant = op.maybeSent ? await byEmail() : null
    if (!participant) {
      const { data } = await http.post<unknown>('/contacts', {
        first_name: first ?? op.participation.name,
        last_name: rest.join(' ') || null,
        email,
        phone: op.participation.phone,
        event_keys: [eventKey]
      })
      const contact = singleOf<Contact & { id?: unknown }>(data)
      const number = text(contact?.customer_number)
      if (number) {
        const { data: list } = await http.get<unknown>(`/participants?${new URLSearchParams({ event_key: eventKey, customer_number: number, include: 'contact' })}`)
        participant = (listOf(list).items as Participant[])[0] ?? null
      }
      participant ??= await byEmail()
    }
    if (!participant || !idOf(participant)) throw ProviderError.badAnswer('walk_in_missing', 'the walk-in was created but cannot be found among the participants')
    const id = idOf(participant)!
    if (!truthy(participant.is_confirmed ?? true)) {
      // They are at the desk: Plandocket's contacts endpoint makes them unconfirmed.
      const { data } = await http.patch<unknown>(`/participants/${encodeURIComponent(id)}`, { is_confirmed: true })
      participant = { ...participant, ...singleOf<Participant>(data), contact: participant.contact, is_confirmed: true }
    }
    const record = toParticipationRecord({ ...participant, id }, eventKey)!
    const checkInWanted = op.payload.checkIn as { attendees?: number; method?: 'manual' | 'scan'; day?: string } | undefined
    if (!checkInWanted) return { result: 'done', participation: record }
    const outcome = await checkIn({
      ...op,
      participation: { ...op.participation, providerId: id },
      payload: { status: 'ATTENDED', attendees: checkInWanted.attendees ?? 1, method: checkInWanted.method ?? 'manual', day: checkInWanted.day }
    })
    if (outcome.result !== 'done') return outcome
    return { ...outcome, participation: record }
  }

  return {
    name: 'plandocket',
    grant: plandocketTraits.grant,

    async testConnection(): Promise<ConnectionReport> {
      const facts: ServiceFacts = {
        name: 'plandocket',
        baseUrl: base,
        field: 'tenant_address',
        // A 403 on sign-in: the key is Plandocket's but lacks a scope.
        auth: (status) => (status === 403 ? 'key_lacks_scope' : 'key_refused')
      }
      // A harmless read on every API the desk uses: each scope the key lacks is named up front.
      // `event_key` names no event, so the lists are empty (or a 404/422 from a strict server).
      const none = { event_key: 'rollcall-connection-test', per_page: '1' }
      const reads: [string, string][] = [
        ['/events', new URLSearchParams({ upcoming: '1', per_page: '1' }).toString()],
        ['/participants', new URLSearchParams(none).toString()],
        ['/contacts', new URLSearchParams({ search: 'rollcall-connection-test', per_page: '1' }).toString()],
        ['/check-ins', new URLSearchParams(none).toString()]
      ]
      const missing: Permission[] = []
      for (const [path, query] of reads) {
        try {
          const { data } = await http.get<unknown>(`${path}?${query}`)
          listOf(data)
        } catch (err) {
          if (err instanceof ProviderError && err.kind === 'forbidden') {
            missing.push(err.permission ?? plandocketScopeFor('GET', path)!)
            continue
          }
          // Only the first read proves it is Plandocket; the others may refuse an unknown event.
          if (path !== '/events' && err instanceof ProviderError && (err.kind === 'not_found' || err.kind === 'rejected')) continue
          return explainConnectionError(err, facts)
        }
      }
      if (missing.length) return { ok: false, reason: 'key_lacks_permissions', params: { service: 'plandocket', where: base, missing } }
      return { ok: true, reason: 'connected', params: { service: 'plandocket', where: base } }
    },

    async *pullSessions({ from, to, timeZone }) {
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)
      const visibleOnly: Record<string, string> = config.showHidden ? {} : { visible: '1' }
      for await (const items of pages('/events', { date_from: day(from), date_to: day(to), sort: 'date_from', order: 'ASC', ...visibleOnly })) {
        const records: SessionRecord[] = []
        for (const e of items) {
          // Hidden in Plandocket: not the desk's to list unless set-up asks (a server may ignore `visible`).
          if (!config.showHidden && e.is_visible !== undefined && !truthy(e.is_visible)) continue
          const startsAt = parseTimestamp(e.date_from)
          const endsAt = parseTimestamp(e.date_to) ?? startsAt
          // A server that ignores the date filter still only gives the desk the day's events.
          if (startsAt === null || endsAt === null || startsAt >= to || Math.max(endsAt, startsAt + 1) <= from) continue
          const key = text(e.event_key) ?? text(e.id)
          if (!key) continue
          records.push({
            providerId: key,
            title: (text(e.title) ?? key).slice(0, 200),
            startsAt,
            endsAt: Math.max(endsAt, startsAt),
            // Plandocket events carry no zone: show them in the desk's.
            timeZone,
            allDay: false,
            capacity: null,
            scheduleId: null,
            scheduleName: null,
            kind: 'EVENT',
            status: 'CONFIRMED',
            revision: null,
            raw: e
          })
        }
        if (records.length) yield records
      }
    },

    async *pullRoster(session, resumeFrom) {
      let unreadable = 0
      // The token is the request for the rest of the list; one for another list is refused.
      const from = resumeFrom === undefined || resumeFrom === null ? null : resumeFrom
      if (from !== null && from !== '' && !(from.startsWith('/participants?') && new URLSearchParams(from.slice(from.indexOf('?') + 1)).get('event_key') === session.providerId)) {
        throw new ProviderError('rejected', 'the saved roster cursor is not one this desk wrote')
      }
      if (from === '') return
      for await (const items of pages('/participants', { event_key: session.providerId, include: 'contact' }, readHttp, from)) {
        const records: RosterPage = (items as Participant[]).map((p) => toParticipationRecord(p, session.providerId)).filter((p): p is ParticipationRecord => p !== null)
        unreadable += items.length - records.length
        // Not past unreadable people (see Wix): the download that resumes reads them again.
        if (!unreadable) records.resumeAfter = items.resumeAfter
        yield records
      }
      // The readable rest is kept, but a roster with unreadable people is not complete: nobody is
      // taken off the desk's roster on its word, and the desk is told.
      if (unreadable) throw ProviderError.badAnswer('unreadable_rows', `${unreadable} participant(s) from Plandocket could not be read`, { count: unreadable })
    },

    // Check-ins are listed whole for the event: one missing was deleted in Plandocket.
    attendanceComplete: () => true,

    async *pullAttendance(session) {
      // Check-in history may hold several records per person: the latest one tells the state.
      const { latest } = await readCheckIns(session.providerId, readHttp)
      const marks: AttendanceRecord[] = []
      for (const [who, c] of latest) {
        const open = isOpen(c)
        marks.push({
          participationProviderId: who,
          sessionProviderId: session.providerId,
          // A closed check-in is someone who came and left (an undone one is deleted, not closed).
          status: 'ATTENDED',
          attendees: 1,
          providerId: text(c.id),
          markedAt: parseTimestamp(c.checked_in_at),
          deskId: text(c.station),
          checkedOutAt: open ? null : parseTimestamp(c.checked_out_at)
        })
      }
      yield marks
    },

    requestBudget: budget,

    push(op) {
      if (op.kind === 'participation.create') return createWalkIn(op)
      if (op.kind === 'participation.confirm') return confirm(op)
      if (op.kind === 'attendance.checkout') return checkOut(op)
      return pushAttendance(op)
    }
  }
}
