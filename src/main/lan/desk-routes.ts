/**
 * What a hub offers its members (issue 18): the day's sessions, a session's roster in pages, its
 * marks, and the upload of the members' marks. For a member these are one more provider
 * (providers/hub); for the hub, a member's mark is applied through its own attendance service as
 * if made at its desk, so its own outbox forwards it to Wix or Plandocket, or keeps it in
 * local-only mode. Nothing else of the hub's desk (settings, keys, kiosk, export) has a route.
 *
 *   GET  /sessions    ?from&to[&after]       → { sessions, next }
 *   GET  /roster      ?session[&after]       → { participations, next }
 *   GET  /attendance  ?session[&after]       → { attendance, next }
 *   POST /marks       { ops: [...] }         → { outcomes: [...] } (one per op, in order)
 *
 * Keys: a session or participation is named by `<provider>:<provider id>` of the hub's row, stable
 * across the hub's downloads and restarts (its row ids are not promised to be). One exception: a
 * walk-in is `<provider>:walk-in:<uuid>` until the hub's booking system gives it its own id. Members
 * may hold that first key (the walk-in route answered with it), so it still finds the person
 * (sync/former-keys.ts), and the roster, marks and stream carry it as `formerKey` beside the new
 * key: a member renames its row instead of adding the person twice.
 */
import { z } from 'zod'
import type { Desk } from '../core'
import { DeskError } from '../core/errors'
import { sessionRules, walkInEmailRequiredBy } from '../providers/registry'
import { formerKeys } from '../sync/former-keys'
import { createLanHub, lanRoute, type LanHubOptions, type LanRoute } from './hub'
import {
  MarkBatch,
  MarkOutcome,
  PAGE_ATTENDANCE,
  PAGE_ROSTER,
  PAGE_SESSIONS,
  STREAM_HOLD_MS,
  STREAM_MARKS,
  StreamCursor,
  type StreamAnswer,
  type StreamMark,
  BookingAnswer,
  ConfirmRequest,
  WalkInRequest,
  type HubAttendance,
  type HubParticipation,
  type HubSession,
  type MarkOutcomes
} from './marks-protocol'
import { createChangeFeed, type ChangeFeed, type FeedEntry } from './feed'
import { LanRefusal } from './protocol'

const Cursor = z.string().regex(/^\d{1,15}$/).transform(Number)
const Key = z.string().min(3).max(600)
const PageCursor = z.string().regex(/^[A-Za-z0-9_-]{1,1400}$/)
const Millis = z.coerce.number().int().min(0).max(8.64e15)

/** `<provider>:<provider id>`, split on the first colon (provider names have none). */
export const hubKey = (provider: string, providerId: string) => `${provider}:${providerId}`
function splitKey(key: string): [string, string] {
  const at = key.indexOf(':')
  return at <= 0 ? ['', key] : [key.slice(0, at), key.slice(at + 1)]
}

interface SessionRow {
  id: number
  provider: string
  providerId: string
  title: string
  startsAt: number
  endsAt: number
  timeZone: string
  allDay: number
  capacity: number | null
  scheduleId: string | null
  scheduleName: string | null
  kind: string
  status: 'CONFIRMED' | 'CANCELLED'
  updatedAt: number
  raw: string | null
}

/** The routes a hub desk serves its members. `deskName`: the name a desk id goes by (the hub's own, or a member's). */
export interface StreamSide {
  feed: ChangeFeed
  /** Every desk that marks here, by name (this desk and its members). */
  desks: () => { deskId: string; deskName: string }[]
  /** A member's own count of marks it has not sent yet (shown in the hub's member list). */
  waiting: Map<string, number>
}

export function memberRoutes(
  desk: Desk,
  deskName: (deskId: string | null) => string,
  log: (message: string, err?: unknown) => void = () => {},
  stream: StreamSide = { feed: createChangeFeed(), desks: () => [], waiting: new Map() }
): LanRoute<never, unknown>[] {
  const sqlite = desk.db.$client
  const markNow = sqlite.prepare<{ sessionId: number; participationId: number }, Record<string, unknown>>(
    `SELECT s.provider AS sp, s.provider_id AS sid, p.id AS pRow, p.provider AS pp, p.provider_id AS pid, p.is_walk_in AS isWalkIn,
       coalesce(a.status, 'NOT_SET') AS status, coalesce(a.attendees, 0) AS attendees, a.marked_at AS markedAt, a.desk_id AS deskId, a.checked_out_at AS checkedOutAt
     FROM sessions s JOIN participations p ON p.id = @participationId
     LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = s.id
     WHERE s.id = @sessionId`
  )
  const saveStation = sqlite.prepare(`INSERT INTO desk_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE value <> excluded.value`)
  const stationsKnown = new Map<string, string>()
  const sessionKeyOf = sqlite.prepare<[number], { provider: string; providerId: string }>(`SELECT provider, provider_id AS providerId FROM sessions WHERE id = ?`)

  /** What a stream request answers for the changes after its cursor. */
  function streamAnswer(after: { reset: boolean; entries: FeedEntry[] }, cursor: string): StreamAnswer {
    const base = { cursor, reset: after.reset, marks: [] as StreamMark[], sessions: [] as string[], desks: stream.desks() }
    if (after.reset) return base
    const rows = new Map<string, [number, number]>()
    const whole = new Set<number>()
    for (const e of after.entries) {
      if (e.participationId === null) whole.add(e.sessionId)
      else rows.set(`${e.sessionId}:${e.participationId}`, [e.sessionId, e.participationId])
    }
    // Too many at once (a bulk change): their sessions are named and downloaded instead.
    if (rows.size > STREAM_MARKS) {
      for (const [sessionId] of rows.values()) whole.add(sessionId)
      rows.clear()
    }
    if (whole.size > STREAM_MARKS) return { ...base, reset: true }
    for (const [sessionId, participationId] of rows.values()) {
      if (whole.has(sessionId)) continue
      const m = markNow.get({ sessionId, participationId })
      if (!m) continue
      base.marks.push({
        session: hubKey(m.sp as string, m.sid as string),
        participation: hubKey(m.pp as string, m.pid as string),
        ...formerKeyOf({ id: m.pRow, provider: m.pp, isWalkIn: m.isWalkIn }),
        status: m.status as StreamMark['status'],
        attendees: m.attendees as number,
        markedAt: m.markedAt as number | null,
        deskId: m.deskId as string | null,
        checkedOutAt: m.checkedOutAt as number | null
      })
    }
    for (const id of whole) {
      const s = sessionKeyOf.get(id)
      if (s) base.sessions.push(hubKey(s.provider, s.providerId))
    }
    return base
  }
  const SESSION_COLUMNS = `id, provider, provider_id AS providerId, title, starts_at AS startsAt, ends_at AS endsAt, time_zone AS timeZone,
    all_day AS allDay, capacity, schedule_id AS scheduleId, schedule_name AS scheduleName, kind, status, updated_at AS updatedAt, raw`
  const sessionsIn = sqlite.prepare<{ from: number; to: number; after: number; limit: number }, SessionRow>(
    `SELECT ${SESSION_COLUMNS} FROM sessions WHERE starts_at < @to AND ends_at > @from AND id > @after ORDER BY id LIMIT @limit`
  )
  const sessionByKey = sqlite.prepare<[string, string], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE provider = ? AND provider_id = ?`)
  const participationByKey = sqlite.prepare<[string, string], { id: number }>(`SELECT id FROM participations WHERE provider = ? AND provider_id = ?`)
  const former = formerKeys(sqlite)
  /** The hub's row a member's key names: its key now, or the walk-in key it was known by before. */
  function personByKey(key: string): number | undefined {
    const [provider, providerId] = splitKey(key)
    return participationByKey.get(provider, providerId)?.id ?? former.find(provider, providerId)
  }
  /** The key a renamed walk-in had before, for members that still hold it (only walk-ins are ever renamed). */
  const formerKeyOf = (row: { id: unknown; provider: unknown; isWalkIn: unknown }): { formerKey?: string } => {
    if (row.isWalkIn !== 1) return {}
    const was = former.of(row.id as number)
    return was === undefined ? {} : { formerKey: hubKey(row.provider as string, was) }
  }
  // A roster is walked in the order of the indexes the window's roster uses (name, then id): each
  // page is a range read of one index, never a sort of the whole roster (100,000 people = 200 pages).
  // First the session's own participations, then its course's.
  const PARTICIPATION_COLUMNS = `id, sort_name AS sortName, provider, provider_id AS providerId, external_id AS externalId, session_id AS sessionId,
    schedule_id AS scheduleId, name, email, phone, contact_id AS contactId, customer_number AS customerNumber, booking_id AS bookingId,
    badge_number AS badgeNumber, party_size AS partySize, status, updated_at AS updatedAt, is_walk_in AS isWalkIn`
  type RosterQuery = { target: number | string; name: string; id: number; limit: number }
  const ownRoster = sqlite.prepare<RosterQuery, Record<string, unknown>>(
    `SELECT ${PARTICIPATION_COLUMNS} FROM participations
     WHERE session_id = @target AND removed_at IS NULL AND (sort_name, id) > (@name, @id) ORDER BY sort_name, id LIMIT @limit`
  )
  const courseRoster = sqlite.prepare<RosterQuery, Record<string, unknown>>(
    `SELECT ${PARTICIPATION_COLUMNS} FROM participations
     WHERE schedule_id = @target AND removed_at IS NULL AND (sort_name, id) > (@name, @id) ORDER BY sort_name, id LIMIT @limit`
  )
  const marks = sqlite.prepare<{ sessionId: number; status: string; id: number; limit: number }, Record<string, unknown>>(
    `SELECT a.id, a.participation_id AS participationId, p.provider, p.provider_id AS providerId, p.is_walk_in AS isWalkIn, a.status, a.attendees, a.marked_at AS markedAt, a.desk_id AS deskId, a.checked_out_at AS checkedOutAt
     FROM attendance a JOIN participations p ON p.id = a.participation_id
     WHERE a.session_id = @sessionId AND (a.status, a.id) > (@status, @id) ORDER BY a.status, a.id LIMIT @limit`
  )

  const toParticipation = (p: Record<string, unknown>, sessionKey: string): HubParticipation => ({
    key: hubKey(p.provider as string, p.providerId as string),
    // A course participation names its course, not the session.
    session: p.sessionId === null ? null : sessionKey,
    scheduleId: p.scheduleId as string | null,
    externalId: p.externalId as string | null,
    name: p.name as string,
    email: p.email as string | null,
    phone: p.phone as string | null,
    contactId: p.contactId as string | null,
    customerNumber: p.customerNumber as string | null,
    bookingId: p.bookingId as string | null,
    badgeNumber: p.badgeNumber as string | null,
    partySize: p.partySize as number,
    status: p.status as HubParticipation['status'],
    revision: String(p.updatedAt),
    ...formerKeyOf({ id: p.id, provider: p.provider, isWalkIn: p.isWalkIn })
  })
  const participationById = sqlite.prepare<[number], Record<string, unknown>>(`SELECT ${PARTICIPATION_COLUMNS} FROM participations WHERE id = ?`)

  /** A walk-in or confirmation applied at the hub, answered with the person as the hub holds them now. */
  function booking(sessionKey: string, apply: (s: SessionRow) => number | null): BookingAnswer {
    const [sp, sid] = splitKey(sessionKey)
    const s = sessionByKey.get(sp, sid)
    if (!s) return { result: 'rejected', code: 'not_found' }
    try {
      const participationId = apply(s)
      const p = participationId === null ? undefined : participationById.get(participationId)
      if (!p) return { result: 'rejected', code: 'not_found' }
      desk.events.row(s.id, participationId!)
      void desk.sync.trigger('mark')
      return { result: 'done', participation: toParticipation(p, sessionKey) }
    } catch (err) {
      return outcomeOf(err) as BookingAnswer
    }
  }

  /** Where a page goes on from: opaque to the member (it hands it back as it got it). */
  const RosterCursor = z.tuple([z.enum(['own', 'course']), z.string().max(1000), z.number().int().nonnegative()])
  const MarksCursor = z.tuple([z.string().max(20), z.number().int().nonnegative()])
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
  function decode<T>(schema: z.ZodType<T>, cursor: string | undefined, start: T): T {
    if (cursor === undefined) return start
    try {
      return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')))
    } catch {
      throw new LanRefusal('lan_invalid_request')
    }
  }

  function rosterPage(s: SessionRow, cursor: string | undefined): { rows: Record<string, unknown>[]; next: string | null } {
    let [phase, name, id] = decode(RosterCursor, cursor, ['own', '', 0] as ['own' | 'course', string, number])
    const rows: Record<string, unknown>[] = []
    for (;;) {
      const query = phase === 'own' ? ownRoster : courseRoster
      const page = query.all({ target: phase === 'own' ? s.id : s.scheduleId!, name, id, limit: PAGE_ROSTER - rows.length })
      rows.push(...page)
      const last = page.at(-1)
      if (rows.length === PAGE_ROSTER) return { rows, next: encode([phase, last!.sortName, last!.id]) }
      if (phase === 'course' || s.scheduleId === null) return { rows, next: null }
      ;[phase, name, id] = ['course', '', 0]
    }
  }

  function session(key: string): SessionRow {
    const [provider, providerId] = splitKey(key)
    const row = sessionByKey.get(provider, providerId)
    if (!row) throw new LanRefusal('lan_not_found')
    return row
  }

  const toSession = (s: SessionRow): HubSession => ({
    key: hubKey(s.provider, s.providerId),
    title: s.title,
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    timeZone: s.timeZone,
    allDay: s.allDay === 1,
    capacity: s.capacity,
    scheduleId: s.scheduleId,
    scheduleName: s.scheduleName,
    kind: s.kind,
    status: s.status,
    revision: String(s.updatedAt),
    // The hub's provider decides what its sessions allow (a Wix Bookings walk-in stays on the desk): members follow.
    rules: sessionRules({ provider: s.provider as never, raw: s.raw }),
    walkInEmail: walkInEmailRequiredBy({ provider: s.provider as never, raw: s.raw })
  })

  const outcomeOf = (err: unknown): MarkOutcome => {
    if (err instanceof DeskError) {
      const reason = err.detail.reason
      if (reason === 'booking_cancelled') return { result: 'rejected', code: 'booking_cancelled' }
      if (reason === 'session_cancelled') return { result: 'rejected', code: 'session_cancelled' }
      if (err.code === 'not_found') return { result: 'rejected', code: 'not_found' }
      return { result: 'rejected', code: 'refused', ...(typeof reason === 'string' ? { reason: reason.slice(0, 64) } : {}) }
    }
    // One mark the hub failed on: its transaction rolled back alone, the batch's others stand.
    log('LAN hub: a member mark failed', err)
    return { result: 'rejected', code: 'internal' }
  }

  return [
    lanRoute({
      method: 'GET',
      path: '/stream',
      auth: 'member',
      input: z.object({ since: StreamCursor.optional(), waiting: z.coerce.number().int().min(0).max(1e9).optional() }).strict(),
      handle: async ({ input, member }): Promise<StreamAnswer> => {
        if (input.waiting !== undefined) stream.waiting.set(member!.id, input.waiting)
        let cursor = stream.feed.cursor()
        let after = stream.feed.after(input.since)
        // Nothing new: held until something changes (a long poll), so a mark reaches members at once.
        if (!after.reset && after.entries.length === 0) {
          await stream.feed.wait(STREAM_HOLD_MS)
          cursor = stream.feed.cursor()
          after = stream.feed.after(input.since)
        }
        return streamAnswer(after, cursor)
      }
    }),
    lanRoute({
      method: 'POST',
      path: '/walk-in',
      auth: 'member',
      input: WalkInRequest,
      handle: ({ input, member }): BookingAnswer =>
        booking(input.session, (s) => {
          const row = desk.attendance.walkIn(
            { sessionId: s.id, name: input.name, email: input.email, phone: input.phone, partySize: input.partySize, checkIn: input.checkIn !== null },
            { deskId: member!.deskId, opId: input.opId, providerId: input.key, markedAt: Math.min(input.checkIn?.markedAt ?? desk.context.now(), desk.context.now()) }
          )
          return row.participationId
        })
    }),
    lanRoute({
      method: 'POST',
      path: '/confirm',
      auth: 'member',
      input: ConfirmRequest,
      handle: ({ input, member }): BookingAnswer =>
        booking(input.session, (s) => {
          const participationId = personByKey(input.participation)
          if (participationId === undefined) return null
          return desk.attendance.confirm({ sessionId: s.id, participationId }, { deskId: member!.deskId, opId: input.opId }).participationId
        })
    }),
    lanRoute({
      method: 'GET',
      path: '/sessions',
      auth: 'member',
      input: z.object({ from: Millis, to: Millis, after: Cursor.optional() }).strict(),
      handle: ({ input }) => {
        const rows = sessionsIn.all({ from: input.from, to: input.to, after: input.after ?? 0, limit: PAGE_SESSIONS })
        return { sessions: rows.map(toSession), next: rows.length === PAGE_SESSIONS ? String(rows.at(-1)!.id) : null }
      }
    }),
    lanRoute({
      method: 'GET',
      path: '/roster',
      auth: 'member',
      input: z.object({ session: Key, after: PageCursor.optional() }).strict(),
      handle: ({ input }) => {
        const s = session(input.session)
        const { rows, next } = rosterPage(s, input.after)
        const participations = rows.map((p) => toParticipation(p, input.session))
        return { participations, next }
      }
    }),
    lanRoute({
      method: 'GET',
      path: '/attendance',
      auth: 'member',
      input: z.object({ session: Key, after: PageCursor.optional() }).strict(),
      handle: ({ input }) => {
        const s = session(input.session)
        const [status, id] = decode(MarksCursor, input.after, ['', 0] as [string, number])
        const rows = marks.all({ sessionId: s.id, status, id, limit: PAGE_ATTENDANCE })
        const attendance = rows.map(
          (a): HubAttendance => ({
            participation: hubKey(a.provider as string, a.providerId as string),
            ...formerKeyOf({ id: a.participationId, provider: a.provider, isWalkIn: a.isWalkIn }),
            status: a.status as HubAttendance['status'],
            attendees: a.attendees as number,
            markedAt: a.markedAt as number | null,
            deskId: a.deskId as string | null,
            checkedOutAt: a.checkedOutAt as number | null
          })
        )
        const last = rows.at(-1)
        return { attendance, next: rows.length === PAGE_ATTENDANCE ? encode([last!.status, last!.id]) : null }
      }
    }),
    lanRoute({
      method: 'POST',
      path: '/marks',
      auth: 'member',
      input: MarkBatch,
      maxBodyBytes: 512 * 1024,
      handle: ({ input, member }): MarkOutcomes => {
        // The hub's roster, audit and export name the member desk by its name, not its id.
        if (stationsKnown.get(member!.deskId) !== member!.deskName) {
          saveStation.run(`station:${member!.deskId}`, member!.deskName)
          stationsKnown.set(member!.deskId, member!.deskName)
        }
        const outcomes: MarkOutcome[] = []
        const touched: [number, number][] = []
        // In the member's order: a check-in and its undo arrive as they were made. One transaction
        // for the batch (one disk sync, not one per mark: five members at once queued seconds behind
        // the hub's fsyncs); each mark in its own savepoint, so one that fails is undone alone.
        sqlite.transaction(() => {
          for (const op of input.ops) {
            const [sp, sid] = splitKey(op.session)
            const s = sessionByKey.get(sp, sid)
            const participationId = personByKey(op.participation)
            if (!s || participationId === undefined) {
              outcomes.push({ result: 'rejected', code: 'not_found' })
              continue
            }
            try {
              const applied = desk.attendance.fromMember({
                opId: op.opId,
                // The authenticated desk, never one the payload names: a member cannot mark as another desk.
                deskId: member!.deskId,
                sessionId: s.id,
                participationId,
                status: op.status,
                attendees: op.attendees,
                // The member's clock is corrected by its link's offset before it sends; a time still
                // in the future here is a wrong clock, and the scan cannot have happened later than now.
                markedAt: Math.min(op.markedAt, desk.context.now()),
                method: op.method,
                previous: op.previous,
                force: op.force,
                ...(op.undo ? { undo: true } : {}),
                ...(op.checkOut ? { checkOut: true } : {})
              })
              if (applied.result === 'conflict') {
                const m = applied.mark
                outcomes.push({ result: 'conflict', mark: { status: m.status, attendees: m.attendees, markedAt: m.markedAt, deskId: m.deskId, deskName: deskName(m.deskId) } })
              } else {
                outcomes.push({ result: 'done', duplicate: applied.result === 'duplicate' })
                if (applied.result === 'done') touched.push([s.id, participationId])
              }
            } catch (err) {
              outcomes.push(outcomeOf(err))
            }
          }
        }).immediate()
        if (touched.length > 0) {
          for (const [sessionId, participationId] of touched) desk.events.row(sessionId, participationId)
          void desk.sync.trigger('mark')
        }
        return { outcomes }
      }
    })
  ] as LanRoute<never, unknown>[]
}

/**
 * A desk's LAN hub with the member routes: marks it applies name the member desk as it paired
 * (or this desk, for its own).
 */
export function createDeskHub(desk: Desk, options: Omit<LanHubOptions, 'routes' | 'store' | 'hubName'> & { hubName?: string }) {
  // The routes are made before the hub whose member list names the desks: read it through this.
  let names: (deskId: string | null) => string = () => ''
  const feed = createChangeFeed()
  const waiting = new Map<string, number>()
  const desks = () => [
    { deskId: desk.context.deskId, deskName: desk.context.deskName },
    ...hub.members.list().map((m) => ({ deskId: m.deskId, deskName: m.deskName }))
  ]
  const hub = createLanHub({
    ...options,
    store: desk.lan,
    hubName: options.hubName ?? desk.context.deskName,
    deskId: desk.context.deskId,
    routes: memberRoutes(desk, (id) => names(id), options.log, { feed, desks, waiting })
  })
  names = (deskId) => {
    if (deskId === null) return desk.context.deskName
    if (deskId === desk.context.deskId) return desk.context.deskName
    return hub.members.list().find((m) => m.deskId === deskId)?.deskName ?? deskId
  }
  // While sharing, every change the window would hear of goes to the members' stream too.
  let unsubscribe: (() => void) | null = null
  const start = hub.start.bind(hub)
  const stop = hub.stop.bind(hub)
  const revoke = hub.revoke.bind(hub)
  return Object.assign(hub, {
    feed,
    /** Marks each member said it has not sent yet (by member id). */
    waiting: (memberId: string): number => waiting.get(memberId) ?? 0,
    async start(listen: { host: string; port: number }) {
      const address = await start(listen)
      unsubscribe ??= desk.events.subscribe((event) => {
        if (event.kind === 'rows') for (const r of event.rows) feed.note(r.sessionId, r.participationId)
        else if (event.kind === 'sessions') for (const id of event.sessionIds ?? []) feed.note(id, null)
      })
      return address
    },
    /** Revokes a member and ends its waiting stream request: its next one is refused at once. */
    revoke(memberId: string): boolean {
      const done = revoke(memberId)
      feed.close()
      return done
    },
    async stop() {
      unsubscribe?.()
      unsubscribe = null
      feed.close()
      await stop()
    }
  })
}
