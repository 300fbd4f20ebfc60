/**
 * A hub desk on the LAN as a provider (issue 18): for a member, the hub is one more booking
 * system behind the provider interface. Sessions, rosters and marks come from the hub's routes
 * (lan/desk-routes.ts) in pages; the member's marks go to the hub in its outbox's order, each with
 * its operation id, which the hub uses as its own: a batch resent after a lost answer applies
 * nothing twice. The hub's refusals become what the engine knows: unreachable = offline (marks
 * wait), revoked or unpaired = sign-in needed (marks held, nothing sent), another desk's mark =
 * a conflict on this desk's Sync panel.
 */
import type { SyncReason } from '../../../shared/contract'
import { memberClient, memberLink } from '../../lan/client'
import { AttendancePage, BookingAnswer, MarkOutcomes, MAX_MARKS, RosterPageAnswer, SessionsPage, type HubParticipation, type MemberMark, type WalkInRequest } from '../../lan/marks-protocol'
import { LanRefusal } from '../../lan/protocol'
import type { LanStore } from '../../lan/store'
import { ProviderError } from '../http'
import type { AttendanceRecord, ParticipationRecord, Provider, PushOperation, PushOutcome, RosterPage, SessionRecord } from '../types'
import { hubTraits, type HubSessionRaw } from './traits'

type HubExt = { session: HubSessionRaw; participation: null }

/** A LAN refusal as the engine sorts failures: retry later, sign in, or never. */
export function providerErrorOf(err: unknown): unknown {
  if (!(err instanceof LanRefusal)) return err
  const message = `hub: ${err.code}`
  switch (err.code) {
    case 'lan_unreachable':
      return new ProviderError('network', message, null, null, null, { cause: 'no_connection' })
    case 'lan_unpaired':
    case 'lan_revoked':
    case 'lan_certificate_mismatch':
      return new ProviderError('auth', message, 401)
    case 'lan_rate_limited':
      return new ProviderError('rate_limited', message, 429, err.retryAfterMs ?? null)
    case 'lan_bad_answer':
      return ProviderError.badAnswer('unexpected', message)
    case 'lan_not_found':
      return new ProviderError('not_found', message, 404)
    case 'lan_stale_request':
    case 'lan_replayed':
    case 'lan_internal':
      return new ProviderError('server', message, 500)
    default:
      return new ProviderError('rejected', message, 400)
  }
}

const toRecord = (p: HubParticipation): ParticipationRecord<null> => ({
  providerId: p.key,
  externalId: p.externalId,
  sessionProviderId: p.session,
  scheduleId: p.scheduleId,
  name: p.name,
  email: p.email,
  phone: p.phone,
  contactId: p.contactId,
  customerNumber: p.customerNumber,
  bookingId: p.bookingId,
  badgeNumber: p.badgeNumber,
  partySize: p.partySize,
  status: p.status,
  revision: p.revision,
  raw: null,
  ...(p.formerKey !== undefined ? { formerProviderId: p.formerKey } : {})
})

/** What the hub takes as marks: check-ins, no-shows, undos and check-outs. */
const marks = (op: PushOperation<HubExt>): boolean => op.kind === 'attendance.set' || op.kind === 'attendance.checkout'

export function createHubProvider(options: { store: LanStore; now: () => number }): Provider<HubExt> {
  const client = () => {
    const c = memberClient(options.store, options.now)
    if (!c) throw new ProviderError('auth', 'hub: this desk has not joined a hub', 401)
    return c
  }
  const link = memberLink(options.store)
  /** A call to the hub, its outcome told to the link status (answered = connected). */
  async function talk<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const value = await fn()
      link.contact(true, options.now())
      return value
    } catch (err) {
      if (err instanceof LanRefusal) link.contact(err.code !== 'lan_unreachable' && err.code !== 'lan_certificate_mismatch', options.now())
      throw providerErrorOf(err)
    }
  }
  async function get<T>(path: string, query: Record<string, string | null | undefined>, answer: { parse: (v: unknown) => T } & import('zod').ZodType): Promise<T> {
    const q = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined) q.set(k, v)
    return talk(async () => (await client().call('GET', `${path}?${q.toString()}`, undefined, answer)) as T)
  }

  const toSession = (s: SessionsPageValue['sessions'][number]): SessionRecord<HubSessionRaw> => ({
    providerId: s.key,
    title: s.title,
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    timeZone: s.timeZone,
    allDay: s.allDay,
    capacity: s.capacity,
    scheduleId: s.scheduleId,
    scheduleName: s.scheduleName,
    kind: s.kind,
    status: s.status,
    revision: s.revision,
    raw: { rules: s.rules, walkInEmail: s.walkInEmail }
  })

  function toMark(op: PushOperation<HubExt>): MemberMark {
    const status = op.payload.status ?? 'ATTENDED'
    const base = op.lastSeen ?? { status: 'NOT_SET' as const, attendees: 0 }
    // The scan time on the hub's clock: this link's offset, learnt when the link began.
    const offset = memberClient(options.store, options.now)?.clockOffset() ?? 0
    const madeAt = Math.max(0, Math.round((op.payload.markedAt ?? options.now()) + offset))
    return {
      ...(op.payload.undo === true ? { undo: true } : {}),
      ...(op.kind === 'attendance.checkout' ? { checkOut: true } : {}),
      opId: op.opId,
      session: op.session.providerId,
      participation: op.participation.providerId,
      status,
      attendees: status === 'ATTENDED' ? Math.max(1, op.payload.attendees ?? 1) : 0,
      markedAt: madeAt,
      method: op.payload.method === 'scan' ? 'scan' : op.payload.method === 'manual' ? 'manual' : 'paper',
      previous: base,
      force: op.payload.force === true
    }
  }

  /** A walk-in or a confirmation, one request each (they are rare; each answers the person as the hub holds them). */
  async function pushBooking(op: PushOperation<HubExt>): Promise<PushOutcome<HubExt>> {
    let answer: BookingAnswer
    if (op.kind === 'participation.create') {
      const checkIn = op.payload.checkIn as { markedAt?: number } | undefined
      const offset = memberClient(options.store, options.now)?.clockOffset() ?? 0
      const body: WalkInRequest = {
        opId: op.opId,
        session: op.session.providerId,
        key: op.participation.providerId,
        name: op.participation.name,
        email: op.participation.email,
        phone: op.participation.phone,
        partySize: op.participation.partySize,
        checkIn: checkIn ? { markedAt: Math.max(0, Math.round((checkIn.markedAt ?? options.now()) + offset)) } : null
      }
      answer = await talk(() => client().call('POST', '/walk-in', body, BookingAnswer))
    } else {
      answer = await talk(() => client().call('POST', '/confirm', { opId: op.opId, session: op.session.providerId, participation: op.participation.providerId }, BookingAnswer))
    }
    if (answer.result === 'done') return { result: 'done', participation: toRecord(answer.participation) }
    if (answer.code === 'internal') throw new ProviderError('server', 'hub: it failed on a booking; sent again later')
    return { result: 'rejected', why: rejectedWhy(answer) }
  }

  const rejectedWhy = (answer: { code: string; reason?: string }): SyncReason =>
    answer.code === 'not_found'
      ? { reason: 'sync_gone', params: {} }
      : answer.code === 'refused'
        ? { reason: 'sync_internal', params: { detail: `hub: ${answer.reason ?? answer.code}` } }
        : { reason: 'sync_removed_upstream', params: { service: 'hub' } }

  /** Marks in one request each run; a walk-in or confirmation between them on its own, in the outbox's order. */
  async function pushBatch(ops: PushOperation<HubExt>[]): Promise<PushOutcome<HubExt>[]> {
    const out: PushOutcome<HubExt>[] = []
    let run: PushOperation<HubExt>[] = []
    for (const op of ops) {
      if (marks(op)) {
        run.push(op)
        continue
      }
      if (run.length > 0) out.push(...(await pushMarks(run)))
      run = []
      out.push(await pushBooking(op))
    }
    if (run.length > 0) out.push(...(await pushMarks(run)))
    return out
  }

  async function pushMarks(ops: PushOperation<HubExt>[]): Promise<PushOutcome<HubExt>[]> {
    const sendable = ops.filter(marks)
    let answers: MarkOutcomes['outcomes'] = []
    if (sendable.length > 0) {
      answers = await talk(async () => (await client().call('POST', '/marks', { ops: sendable.map(toMark) }, MarkOutcomes)).outcomes)
      if (answers.length !== sendable.length) throw ProviderError.badAnswer('unexpected', 'hub: one answer per mark expected')
      // The hub failed on a mark (its database busy or closing, a bug): that is the hub's passing
      // trouble, not a refusal. The batch goes again later, as after a lost answer; the hub knows
      // each operation it applied by its id, so nothing is applied twice.
      if (answers.some((a) => a.result === 'rejected' && a.code === 'internal')) throw new ProviderError('server', 'hub: it failed on a mark; sent again later')
    }
    let next = 0
    return ops.map((op): PushOutcome<HubExt> => {
      const answer = answers[next++]!
      const mark = toMark(op)
      if (answer.result === 'done') return { result: 'done', seen: { status: mark.status, attendees: mark.attendees } }
      if (answer.result === 'conflict') {
        const m = answer.mark
        const why: SyncReason = {
          reason: 'sync_marked_at_desk',
          params: { service: 'hub', station: m.deskName, at: new Date(m.markedAt).toISOString(), status: m.status, attendees: m.attendees }
        }
        return { result: 'conflict', why, server: { status: m.status, attendees: m.attendees } }
      }
      return { result: 'rejected', why: rejectedWhy(answer) }
    })
  }

  return {
    name: 'hub',
    needsNetwork: hubTraits.needsNetwork,
    grant: hubTraits.grant,
    async testConnection() {
      const m = options.store.read().membership
      try {
        const who = await client().whoami()
        return { ok: true, reason: 'connected', params: { service: 'hub', where: who.hubName } }
      } catch (err) {
        if (err instanceof LanRefusal && err.code === 'lan_unreachable') {
          return { ok: false, reason: 'unreachable', params: { service: 'hub', baseUrl: m ? `${m.host}:${m.port}` : '', field: 'base_url', cause: 'no_connection', seconds: null } }
        }
        return { ok: false, reason: 'key_refused', params: { service: 'hub', status: null } }
      }
    },
    async *pullSessions(range) {
      let after: string | null = null
      do {
        const page: SessionsPageValue = await get('/sessions', { from: String(range.from), to: String(range.to), after }, SessionsPage)
        yield page.sessions.map(toSession)
        after = page.next
      } while (after !== null)
    },
    async *pullRoster(session, resumeFrom) {
      let after: string | null = resumeFrom ?? null
      do {
        const page: RosterPageValue = await get('/roster', { session: session.providerId, after }, RosterPageAnswer)
        const rows: RosterPage<null> = page.participations.map(toRecord)
        if (page.next !== null) rows.resumeAfter = page.next
        yield rows
        after = page.next
      } while (after !== null)
    },
    async *pullAttendance(session) {
      let after: string | null = null
      do {
        const page: AttendancePageValue = await get('/attendance', { session: session.providerId, after }, AttendancePage)
        yield page.attendance.map(
          (a): AttendanceRecord => ({
            participationProviderId: a.participation,
            ...(a.formerKey !== undefined ? { formerParticipationProviderId: a.formerKey } : {}),
            sessionProviderId: session.providerId,
            status: a.status,
            attendees: a.attendees,
            providerId: null,
            markedAt: a.markedAt,
            deskId: a.deskId,
            checkedOutAt: a.checkedOutAt
          })
        )
        after = page.next
      } while (after !== null)
    },
    // The hub lists every mark it holds: one missing from a complete download was cleared there.
    attendanceComplete: () => true,
    push: async (op) => (await pushBatch([op]))[0]!,
    batchSize: () => MAX_MARKS,
    maxBatch: MAX_MARKS,
    pushBatch
  }
}

type SessionsPageValue = import('zod').infer<typeof SessionsPage>
type RosterPageValue = import('zod').infer<typeof RosterPageAnswer>
type AttendancePageValue = import('zod').infer<typeof AttendancePage>
