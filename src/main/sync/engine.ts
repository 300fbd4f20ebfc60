/**
 * The sync engine: drains the outbox to the provider in order, then refreshes the replica from it.
 *
 * - One runner at a time. Triggers (a new mark, back online, resume, start, timer, the desk's
 *   "Sync now") only raise a flag; a trigger during a run makes the runner go round once more, so
 *   none is lost and none runs twice in parallel.
 * - Order: operations go out oldest first. A transient failure (no network, 5xx, 429, garbled
 *   answer) stops the queue and schedules a retry (exponential backoff with jitter from 1 s, capped
 *   at 30 s, or the server's Retry-After). Sign-in problems hold the queue until the credentials
 *   change. A rejected or conflicting operation is set aside, visible, and the queue moves on.
 * - Recovering on its own: after any failed send or download the engine probes the service again
 *   on the same backoff — by retrying what failed (the download stays queued), or, with nothing
 *   queued at all, by the provider's harmless connection test — until it answers; then whatever
 *   waits goes out at once. Offline is a state the desk leaves by itself; "Sync now" only skips
 *   the wait.
 * - A complete roster or attendance download is the service's truth: see replica.reconcile*.
 * - A key that lacks a permission (403) for one API stops only what needs it: a send waits (and
 *   is probed slowly, in case the permission is granted), downloads go on, and the status names
 *   the missing permission.
 * - An operation is marked in flight before it is sent; one found in flight at start-up is simply
 *   sent again, which every provider operation tolerates (upserts, revision checks, idempotency keys).
 */
import type { SyncProblem, SyncReason, SyncStatus } from '../../shared/contract'
import type { AttendanceRecord, Provider, PushOperation, PushOutcome, SessionRef } from '../providers/types'
import { ProviderError } from '../providers/http'
import { pullHistoryInto, type HistoryRange } from './history-pull'
import { englishSync } from '../log/english'
import { storedReason, type Outbox, type OutboxRow } from './outbox'
import type { Replica } from './replica'
import { createInlineWriter, type PullWriter } from './writer'
import { DAY_MS, DEFAULT_RETENTION_DAYS } from './retention'

const requestsOf = ({ used, budget, serviceRemaining }: { used: number; budget: number; serviceRemaining: number | null }) => ({ used, budget, serviceRemaining })

export type Trigger = 'mark' | 'resume' | 'start' | 'timer' | 'manual' | 'settings'

export interface BackoffPolicy {
  baseMs: number
  capMs: number
  random: () => number
}

/** First retry after 0.5–1 s; never more than 30 s between tries (the desk is back within a minute). */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 30_000, random: Math.random }

/** Exponential backoff with "equal jitter": never sooner than half the step, never past the cap. */
export function backoffDelay(attempts: number, policy: BackoffPolicy, retryAfterMs: number | null = null): number {
  if (retryAfterMs !== null) return Math.min(policy.capMs, retryAfterMs) + Math.floor(policy.random() * 250)
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempts, 20))
  return Math.floor(step / 2 + policy.random() * (step / 2))
}

/** Two 403s for the same missing permission (a send and a download): said once. */
const sameRefusal = (a: SyncReason, b: SyncReason) =>
  a.reason === 'sync_forbidden' && b.reason === 'sync_forbidden' && a.params.permission.name === b.params.permission.name

/** A provider failure as codes and words for the desk; the technical detail goes to the log. */
export function explainSyncError(provider: Provider, err: ProviderError, stage: 'send' | 'download' = 'send'): SyncReason {
  const service = provider.name
  switch (err.kind) {
    case 'network':
      return { reason: err.network?.cause === 'timeout' ? 'sync_timeout' : 'sync_no_connection', params: { service } }
    case 'server':
      return { reason: 'sync_server_error', params: { service, status: String(err.status ?? 'error') } }
    case 'bad_response':
      // What was wrong with it (too large, not JSON, a cursor that repeats…), as a code.
      return { reason: 'sync_bad_response', params: { service, problem: err.answer?.problem ?? 'unexpected', count: err.answer?.count ?? null } }
    case 'rate_limited':
      // No status: the desk's own request budget held the read back, not the service.
      return { reason: err.status === null ? 'sync_budget_held' : 'sync_rate_limited', params: { service } }
    case 'auth':
      return { reason: 'sync_auth', params: { service } }
    case 'forbidden':
      return {
        reason: 'sync_forbidden',
        params: { service, blocked: stage, permission: err.permission ?? { name: 'unknown', kind: provider.grant ?? 'permission', use: stage === 'send' ? 'check_ins' : 'roster' } }
      }
    default:
      return { reason: 'provider_said', params: { text: err.message } }
  }
}

/** Any failure as codes: a provider's as above, anything else as an internal error with its detail. */
function explainAny(provider: Provider, err: unknown, stage: 'send' | 'download' = 'send'): SyncReason {
  if (err instanceof ProviderError) return explainSyncError(provider, err, stage)
  return { reason: 'sync_internal', params: { detail: err instanceof Error ? err.message : String(err) } }
}

/** What an outbox operation wanted, as a code. */
export function intentOf(kind: string, payload: { status?: string; attendees?: number }): SyncProblem['intent'] {
  if (kind === 'participation.create') return { kind: 'walk_in', attendees: 0 }
  if (kind === 'participation.confirm') return { kind: 'confirm', attendees: 0 }
  if (kind === 'attendance.checkout') return { kind: 'check_out', attendees: 0 }
  if (payload.status === 'ATTENDED') return { kind: 'check_in', attendees: payload.attendees ?? 1 }
  if (payload.status === 'NOT_ATTENDED') return { kind: 'no_show', attendees: 0 }
  return { kind: 'clear', attendees: 0 }
}

/**
 * How long one pull transaction may hold the desk, roughly. Writes are synchronous, so a check-in
 * that arrives during one waits for its end. Bigger transactions pull faster — a first pull of
 * 100,000 people spends most of its time committing: each commit writes every index page its rows
 * touched (the name and id indexes are in random order) and a new search-index segment — so the
 * size is set from the time the last batch took per row, between one page and PULL_MAX_ROWS.
 * test/bench (pull) measures both sides: the pull's time and the check-ins made during it.
 */
export const PULL_SLICE_MS = 25
/**
 * The same for a writer on its own thread. A check-in does not wait for the worker's transaction
 * to end: the write lane (db/write-lane.ts) tells the worker, which commits its rows so far at the
 * next YIELD_ROWS boundary (writer.ts). What it waits for is that commit and the fsync of what it
 * wrote (its own durable commit syncs the WAL those rows are in), both as long as the transaction
 * so far. Measured during a 100,000 pull with a check-in every 25 ms, quiet machine: batches of
 * up to 1,000 rows cut only by the desk, check-ins p95 24 ms / max 51 ms, pull 18 s; ~8 ms ones,
 * p95 11 ms / max 25 ms, pull 28 s; the same without the lane (SQLite's busy sleeps), p95 23 ms /
 * max 53 ms. The door comes first.
 */
export const WORKER_SLICE_MS = 8
export const WORKER_MAX_ROWS = 300
/** A resume cursor older than this is not used (services let cursors expire; Wix does not say when). */
export const RESUME_WITHIN_MS = 30 * 60_000
/** How often retention looks for sessions to prune, and how many steps one round takes at most. */
export const PRUNE_EVERY_MS = 60 * 60_000
const PRUNE_FIRST_AFTER_MS = 10 * 60_000
const PRUNE_MAX_STEPS = 10_000
export const PULL_MAX_ROWS = 1000

/**
 * A pull's pages, read ahead and handed over in batches of up to `maxRows()`: the next requests go
 * out (and the service prepares them) while the desk writes, and each batch is applied in one
 * transaction. Order is kept; a page that failed surfaces after every page before it was handed
 * over. Between batches, and while pages are awaited, the event loop runs, so a check-in waits for
 * at most one batch's write.
 */
export async function* readAhead<T>(pages: AsyncIterable<T[]>, maxRows: () => number = () => PULL_MAX_ROWS, depth = 10): AsyncGenerator<T[] & { resumeAfter?: string }> {
  const iterator = pages[Symbol.asyncIterator]()
  interface Slot {
    result: Promise<IteratorResult<T[]>>
    state: 'waiting' | 'ok' | 'failed'
  }
  // The state is set by the first handler on the promise, before any awaiting code looks at it.
  const slots: Slot[] = []
  let ended = false
  const fill = () => {
    while (!ended && slots.length < depth) {
      const slot: Slot = { result: iterator.next(), state: 'waiting' }
      slot.result.then(
        (r) => {
          slot.state = 'ok'
          if (r.done) ended = true
        },
        () => (slot.state = 'failed')
      )
      slots.push(slot)
    }
  }
  try {
    for (;;) {
      fill()
      // None left: the end was read into the batch before (fill adds none after it).
      const head = slots.shift()
      if (!head) return
      const first = await head.result
      if (first.done) return
      const batch: T[] & { resumeAfter?: string } = first.value.slice()
      // Where a download goes on from after this batch: the last page's resume token.
      const resumeOf = (page: T[]) => (page as { resumeAfter?: string }).resumeAfter
      batch.resumeAfter = resumeOf(first.value)
      // The following pages join this batch up to maxRows. Waiting for them leaves the event loop
      // free (check-ins run at once); a page that failed stays queued and surfaces next time round.
      const limit = maxRows()
      while (batch.length < limit) {
        fill()
        const slot = slots[0]
        if (!slot) break
        await slot.result.then(
          () => undefined,
          () => undefined
        )
        if (slot.state === 'failed') break
        const next = await slots.shift()!.result
        if (next.done) break
        for (const item of next.value) batch.push(item)
        batch.resumeAfter = resumeOf(next.value)
      }
      fill()
      // Let the requests leave (and any check-in waiting in the queue run) before the synchronous write.
      await new Promise<void>((resolve) => setImmediate(resolve))
      yield batch
    }
  } finally {
    // Stopped early (an error applying a batch, or the desk closing): end the provider's pages too.
    ended = true
    void Promise.allSettled(slots.map((s) => s.result)).then(() => iterator.return?.()).catch(() => undefined)
  }
}

export interface PullRequest {
  /** attendance: only a session's marks (the cheap poll for other stations' check-ins). */
  kind: 'day' | 'session' | 'attendance'
  /** day: also each session's roster (default); false = the sessions only. */
  rosters?: boolean
  /** day: local midnight to midnight in `timeZone`. */
  from?: number
  to?: number
  timeZone?: string
  sessionId?: number
  /**
   * day: also the attendance history of the past days this answers (see history-pull.ts); asked
   * when the pull runs, so a repeated request brings only what is still missing.
   */
  history?: () => HistoryRange | undefined
}

export interface EngineOptions {
  outbox: Outbox
  replica: Replica
  /** The booking system the desk syncs with, or null in local-only mode. */
  provider: () => Provider | null
  /**
   * Settles operations on the desk's own sessions (local-only mode, CSV rosters), whatever the
   * provider above is: drained first, and it declares that it needs no network.
   */
  local: Provider
  desk: { deskId: string; deskName: string }
  /**
   * The name of another desk whose marks this desk sends (a LAN hub forwarding a member's), or
   * null: the service is told the desk that made a mark, not the one that forwarded it.
   */
  deskNameOf?: (deskId: string) => string | null
  now: () => number
  /** Runs `fn` in one database transaction: an answer is stored and its operation closed together. */
  atomically: <T>(fn: () => T) => T
  backoff?: BackoffPolicy
  /**
   * Where the pull's writes run (writer.ts): a worker thread with its own connection for a desk,
   * the calling thread by default (the engine tested alone).
   */
  writer?: PullWriter
  /** Days a session is kept after it ended (retention.ts); read before each pruning round. */
  retentionDays?: () => number
  /** Background timer period; 0 disables (tests drive the engine by hand). */
  timerMs?: number
  log?: (message: string, err?: unknown) => void
  /** Told what changed as it happens (core/events.ts pushes it to the window). */
  notify?: EngineNotify
  /** A day's history range was pulled whole (the desk remembers it and asks only for what is new). */
  onHistoryPulled?: (provider: Provider['name'], range: HistoryRange) => void
}

export interface EngineNotify {
  status(): void
  row(sessionId: number | null, participationId: number | null): void
  sessions(ids: number[] | null): void
}

const SILENT: EngineNotify = { status() {}, row() {}, sessions() {} }

export function createSyncEngine(options: EngineOptions) {
  const { outbox, replica, now } = options
  const backoff = options.backoff ?? DEFAULT_BACKOFF
  const log = options.log ?? (() => {})
  const notify = options.notify ?? SILENT
  /** A mark set aside for the desk's decision, and the log line that says why (in the log's English). */
  const setAside = {
    reject(opId: string, why: SyncReason) {
      outbox.reject(opId, why)
      log(`mark ${opId} refused: ${englishSync(why)}`)
    },
    conflict(opId: string, why: SyncReason) {
      outbox.conflict(opId, why)
      log(`mark ${opId} in conflict: ${englishSync(why)}`)
    }
  }
  const writer = options.writer ?? createInlineWriter(replica.db, now, replica)

  let running: Promise<void> | null = null
  let again = false
  let timer: ReturnType<typeof setTimeout> | null = null
  let stopped = false
  /** Why sign-in is needed, why sending last failed, why downloading last failed: kept apart. */
  let signIn: SyncReason | null = null
  let sendFailure: SyncReason | null = null
  let pullFailure: SyncReason | null = null
  /** A send the key may not make (403): held until a probe finds the permission granted. */
  let sendForbidden: SyncReason | null = null
  /**
   * After a transient failure: how many in a row, when the service is tried again, and whether
   * everything waits till then (no answer at all, or "slow down") or only what failed (a send
   * refused by a 5xx does not keep downloads back, and the other way round).
   */
  let probe: { failures: number; at: number; all: boolean; stage: 'send' | 'download' } | null = null
  /** The last download asked for: what a probe repeats when nothing else waits. */
  let lastPull: PullRequest | null = null
  /** The earliest moment the current run wants to run again (a probe, an operation's retry). */
  let wakeAt: number | null = null
  let lastSuccessAt: number | null = null
  let lastAttemptAt: number | null = null
  let online: boolean | null = null
  let clockOffsetMs: number | null = null
  let pull: SyncStatus['pull'] = null
  const pulls: PullRequest[] = []

  /** A download changed these sessions (null: the day's list too). */
  const bump = (sessionId: number | null) => notify.sessions(sessionId === null ? null : [sessionId])
  /** An operation was closed (sent, refused, set aside): its row shows where it is. */
  const closed = (row: OutboxRow) => notify.row(row.sessionId, row.participationId)

  const wakeBy = (at: number) => {
    wakeAt = wakeAt === null ? at : Math.min(wakeAt, at)
  }

  /** A transient failure: the service is tried again after the backoff (or its Retry-After). */
  function failed(err: ProviderError | null, stage: 'send' | 'download') {
    const failures = (probe?.failures ?? 0) + 1
    const all = !err || err.kind === 'network' || err.kind === 'rate_limited'
    probe = { failures, at: now() + backoffDelay(failures - 1, backoff, err?.retryAfterMs ?? null), all, stage }
    wakeBy(probe.at)
  }
  /** Whether `stage` must wait for the probe now. */
  const waiting = (stage: 'send' | 'download') => probe !== null && probe.at > now() && (probe.all || probe.stage === stage)

  /** The service answered: whatever waited out the failure may go now. */
  function answered() {
    online = true
    if (probe) {
      probe = null
      outbox.makeDue()
    }
  }

  function schedule(at: number | null) {
    if (timer) clearTimeout(timer)
    timer = null
    if (stopped) return
    const period = options.timerMs ?? 30_000
    const due = at === null ? (period > 0 ? now() + period : null) : Math.min(at, period > 0 ? now() + period : at)
    if (due === null) return
    timer = setTimeout(() => void trigger('timer'), Math.max(0, due - now()))
    timer.unref?.()
  }

  function toOperation(row: OutboxRow): PushOperation | null {
    const session = row.sessionId === null ? undefined : replica.sessionRef(row.sessionId)
    const participation = row.participationId === null ? undefined : replica.participationRef(row.participationId)
    if (!session || !participation) return null
    return {
      opId: row.opId,
      kind: row.kind,
      payload: JSON.parse(row.payload),
      session,
      participation,
      deskId: row.deskId,
      deskName: row.deskId === options.desk.deskId ? options.desk.deskName : (options.deskNameOf?.(row.deskId) ?? row.deskId),
      attendanceProviderId: replica.attendanceProviderId(participation.id, session.id),
      lastSeen: replica.lastSeen(participation.id, session.id),
      maybeSent: row.attempts > 0 || row.state === 'in_flight'
    }
  }

  function settle(provider: Provider, row: OutboxRow, op: PushOperation, outcome: PushOutcome) {
    if (outcome.result === 'done') {
      // Together or not at all: a new revision stored without the operation closed would let the
      // resend after a crash pass the provider's revision check and write the mark twice.
      options.atomically(() => {
        outbox.markDone(row.opId)
        replica.recordPushResult(op.participation.id, op.session, provider.name, outcome.participation, outcome.attendanceProviderId, outcome.seen, outcome.attendance)
      })
      if (provider.needsNetwork !== false) lastSuccessAt = now()
    } else {
      if (outcome.result === 'conflict') setAside.conflict(row.opId, outcome.why)
      else setAside.reject(row.opId, outcome.why)
    }
    closed(row)
  }

  /** What to do with an operation after an error; returns false when the queue must stop. */
  function fail(provider: Provider, rows: OutboxRow[], err: unknown): boolean {
    const detail = explainAny(provider, err)
    if (err instanceof ProviderError && err.retryable) log(`push to ${provider.name} failed: ${err.message}`)
    if (err instanceof ProviderError) {
      if (err.kind === 'auth') {
        signIn = detail
        for (const row of rows) outbox.hold(row.opId, detail)
        return false
      }
      if (err.kind === 'forbidden') {
        // The service answered, and other calls (downloads) may work: only the queue waits, and is
        // tried again now and then in case the permission was granted meanwhile.
        online = true
        sendForbidden = detail
        for (const row of rows) {
          const at = now() + backoff.capMs
          outbox.retryLater(row.opId, at, detail)
          wakeBy(at)
        }
        return false
      }
      if (err.retryable) {
        online = err.kind === 'network' ? false : online
        sendFailure = detail
        failed(err, 'send')
        for (const row of rows) outbox.retryLater(row.opId, probe!.at, detail)
        return false
      }
      const verdict = err.kind === 'conflict' ? setAside.conflict : setAside.reject
      // 404 on a change for a person: they were removed in the service (the next complete
      // download takes them off the roster once the desk has dropped this change).
      const why: SyncReason = err.kind === 'not_found' ? { reason: 'sync_removed_upstream', params: { service: provider.name } } : detail
      for (const row of rows) {
        verdict(row.opId, why)
        closed(row)
      }
      return true
    }
    // A bug must not wedge the queue forever: set the operation aside where the desk sees it.
    log('push failed unexpectedly', err)
    for (const row of rows) {
      setAside.reject(row.opId, { reason: 'sync_internal', params: { detail: err instanceof Error ? err.message : String(err) } })
      closed(row)
    }
    return true
  }

  async function drain(provider: Provider): Promise<void> {
    for (;;) {
      if (stopped || signIn) return
      // Enough rows for the largest batch the provider takes, and no more (this runs per request).
      const rows = outbox.head(provider.name, provider.maxBatch ?? 1)
      const first = rows[0]
      if (!first) return
      if (first.nextAttemptAt !== null && first.nextAttemptAt > now()) {
        wakeBy(first.nextAttemptAt)
        return
      }
      const firstOp = toOperation(first)
      if (!firstOp) {
        setAside.reject(first.opId, { reason: 'sync_gone', params: {} })
        closed(first)
        continue
      }
      // Consecutive operations the provider can send in one request (e.g. Wix bulk attendance).
      const size = provider.batchSize?.(firstOp) ?? 1
      const batch: { row: OutboxRow; op: PushOperation }[] = [{ row: first, op: firstOp }]
      for (const row of rows.slice(1)) {
        if (batch.length >= size || (row.nextAttemptAt !== null && row.nextAttemptAt > now())) break
        const op = toOperation(row)
        if (!op || (provider.batchSize?.(op) ?? 1) < 2 || op.kind !== firstOp.kind) break
        // Two marks for the same person in one request would race each other: keep them apart.
        if (batch.some((b) => b.op.participation.id === op.participation.id && b.op.session.id === op.session.id)) break
        batch.push({ row, op })
      }
      for (const b of batch) outbox.markInFlight(b.row.opId)
      lastAttemptAt = now()
      try {
        const outcomes =
          batch.length > 1 && provider.pushBatch
            ? await provider.pushBatch(batch.map((b) => b.op))
            : [await provider.push(firstOp)]
        // Closed meanwhile: the replica is gone; the rows stay in flight and are settled on the
        // next start, exactly as after a crash.
        if (stopped) return
        batch.forEach((b, i) => {
          const outcome = outcomes[i]
          if (outcome) settle(provider, b.row, b.op, outcome)
          else {
            setAside.reject(b.row.opId, { reason: 'sync_no_answer', params: {} })
            closed(b.row)
          }
        })
        // Settled by the desk itself, it says nothing about whether a service answers.
        if (provider.needsNetwork !== false) {
          answered()
          sendFailure = null
          sendForbidden = null
        }
      } catch (err) {
        if (stopped) return
        if (!fail(provider, batch.map((b) => b.row), err)) return
      }
    }
  }

  /** Runs a download; answers what it could not fetch for lack of a permission (the rest came). */
  async function runPull(provider: Provider, request: PullRequest): Promise<SyncReason | null> {
    // This connection's automatic checkpoint is off meanwhile too: with the pull writing from the
    // worker, the commit that crossed the threshold would be a check-in's, copying the pull's pages.
    const bulk = replica.bulkPull()
    const checkpoint = async () => {
      if (writer.offThread) await writer.checkpoint()
      else bulk.checkpoint()
    }
    try {
      return await pullInto(provider, request, bulk, checkpoint)
    } finally {
      if (writer.offThread) await writer.checkpoint().catch(() => undefined)
      bulk.end(!writer.offThread)
    }
  }

  async function pullInto(provider: Provider, request: PullRequest, bulk: ReturnType<Replica['bulkPull']>, checkpoint: () => Promise<void>): Promise<SyncReason | null> {
    const sessions: SessionRef[] = []
    let refused: SyncReason | null = null
    if (request.kind === 'day') {
      pull = { stage: 'sessions', done: 0, total: null }
      for await (const page of readAhead(provider.pullSessions({ from: request.from!, to: request.to!, timeZone: request.timeZone! }), () => 1)) {
        const stats = await writer.applySessions(provider.name, page)
        if (stats.inserted || stats.updated) bump(null)
        notify.status()
        for (const id of stats.ids) {
          const ref = replica.sessionRef(id)
          if (ref) sessions.push(ref)
        }
      }
    } else {
      const ref = replica.sessionRef(request.sessionId!)
      if (ref) sessions.push(ref)
    }
    for (const session of request.rosters === false ? [] : sessions) {
      pull = { stage: 'roster', done: 0, total: null }
      if (request.kind !== 'attendance') await pullRoster(provider, session, bulk, checkpoint)
      const marked = new Set<number>()
      try {
        for await (const page of readAhead(provider.pullAttendance(session), () => 1)) {
          const stats = await writer.applyAttendance(provider.name, session.id, page)
          for (const id of stats.ids) marked.add(id)
          if (bulk.wrote(page.length)) await checkpoint()
          if (stats.inserted || stats.updated) bump(session.id)
        }
      } catch (err) {
        // A key that may not read check-ins still gets its rosters; the desk is told what is missing.
        if (!(err instanceof ProviderError && err.kind === 'forbidden')) throw err
        refused = explainSyncError(provider, err, 'download')
        continue
      }
      if (provider.attendanceComplete?.(session)) {
        const conflict: SyncReason = { reason: 'sync_deleted_elsewhere', params: { service: provider.name } }
        const { cleared, conflicts } = await writer.reconcileAttendance(provider.name, session.id, [...marked], {
          message: englishSync(conflict),
          reason: JSON.stringify(conflict)
        })
        if (cleared || conflicts) bump(session.id)
      }
    }
    const range = request.kind === 'day' ? request.history?.() : undefined
    if (range) {
      // After today's sessions: the desk's own day never waits for its past.
      try {
        await pullHistoryInto(provider, replica, writer, { ...range, timeZone: request.timeZone! }, async (rows, changed) => {
          if (changed) bump(null)
          if (bulk.wrote(rows)) await checkpoint()
          await new Promise<void>((resolve) => setImmediate(resolve))
        })
        options.onHistoryPulled?.(provider.name, range)
      } catch (err) {
        // History a key may not read is left out (said like any refused read); the day stands.
        if (!(err instanceof ProviderError && err.kind === 'forbidden')) throw err
        refused = explainSyncError(provider, err, 'download')
      }
    }
    pull = null
    return refused
  }

  /**
   * One roster download into the replica. Pages are read ahead (readAhead) while the writer stores
   * the ones before, in transactions sized to about PULL_SLICE_MS. A provider that can resume
   * leaves a cursor with each committed batch: a download cut off part way (network, crash,
   * restart) goes on from there next time instead of fetching every page again. Only a download
   * read from its first page to its last is the whole roster and may take people off the desk;
   * a resumed one removes nobody, and its completion clears the cursor, so the next download
   * starts from the top and settles removals.
   */
  async function pullRoster(provider: Provider, session: SessionRef, bulk: ReturnType<Replica['bulkPull']>, checkpoint: () => Promise<void>) {
    const saved = replica.pullCursor(provider.name, session.id)
    // A cursor the service may have forgotten is not worth the error: start again.
    const fresh = saved !== null && now() - saved.updatedAt < RESUME_WITHIN_MS
    let resumeFrom = fresh ? saved.token : null
    let startedAt = resumeFrom ? saved!.startedAt : now()
    let done = resumeFrom ? saved!.rows : 0
    let applied = false
    for (;;) {
      let msPerRow = 0
      const [sliceMs, maxRows] = writer.offThread ? [WORKER_SLICE_MS, WORKER_MAX_ROWS] : [PULL_SLICE_MS, PULL_MAX_ROWS]
      const batchRows = () => (msPerRow > 0 ? Math.max(1, Math.min(maxRows, Math.floor(sliceMs / msPerRow))) : 1)
      // Who the service has: a download that ends without an error is the whole roster, and whoever
      // it lacks has been removed there. One that fails part way proves nothing and removes no one.
      const onRoster = new Set<string>()
      try {
        pull = { stage: 'roster', done, total: null }
        for await (const page of readAhead(provider.pullRoster(session, resumeFrom), batchRows)) {
          for (const r of page) onRoster.add(r.providerId)
          const started = performance.now()
          const resume = page.resumeAfter === undefined ? undefined : { token: page.resumeAfter, startedAt }
          const stats = await writer.applyParticipations(provider.name, { id: session.id, providerId: session.providerId }, page, resume)
          applied = true
          if (page.length) msPerRow = (performance.now() - started) / page.length
          if (bulk.wrote(page.length)) await checkpoint()
          if (stats.inserted || stats.updated || stats.marks.inserted || stats.marks.updated) bump(session.id)
          done += page.length
          pull = { stage: 'roster', done, total: null }
          notify.status()
        }
      } catch (err) {
        // The service no longer knows the cursor (or refuses it): the whole download again, once.
        if (resumeFrom !== null && !applied && err instanceof ProviderError && !err.retryable && err.kind !== 'auth' && err.kind !== 'forbidden') {
          log(`resuming the roster download failed (${err.message}); starting it again`)
          await writer.clearPullCursor(provider.name, session.id)
          resumeFrom = null
          startedAt = now()
          done = 0
          continue
        }
        throw err
      }
      if (resumeFrom === null) {
        if ((await writer.reconcileRoster(provider.name, { id: session.id, scheduleId: session.scheduleId }, [...onRoster])) > 0) bump(session.id)
      }
      await writer.clearPullCursor(provider.name, session.id)
      return
    }
  }

  // The first round a while after start: a desk opened for a moment (a test, a quick look) does not prune.
  let lastPruneAt: number | null = now() - PRUNE_EVERY_MS + PRUNE_FIRST_AFTER_MS
  /**
   * Retention (retention.ts), at most every PRUNE_EVERY_MS, after the sync work of a run: sessions
   * past the desk's retention period leave the replica on the writer, one small transaction at a
   * time, each followed by a turn of the event loop. It stops as soon as anything else asks for
   * the engine (a mark, a download) and goes on after it; and when the desk stops.
   */
  async function prune(): Promise<void> {
    if (lastPruneAt !== null && now() - lastPruneAt < PRUNE_EVERY_MS) return
    const days = options.retentionDays?.() ?? DEFAULT_RETENTION_DAYS
    const cutoff = now() - days * DAY_MS
    // Asked on this thread first (one read): the writer thread only starts for real work.
    if (!replica.endedBefore(cutoff)) {
      lastPruneAt = now()
      return
    }
    let deleted = 0
    try {
      for (let steps = 0; steps < PRUNE_MAX_STEPS; steps++) {
        // A mark to send or a download asked for goes first; the round goes on in the next run.
        if (stopped || again) break
        const step = await writer.pruneStep(cutoff)
        if (step.sessionId === null) {
          lastPruneAt = now()
          break
        }
        deleted += step.deleted
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
      if (deleted > 0) {
        await writer.checkpoint()
        bump(null)
      }
    } catch (err) {
      // Tried again at the next round, not at every run.
      lastPruneAt = now()
      log('pruning old sessions failed', err)
    }
  }

  async function cycle(): Promise<void> {
    await drain(options.local)
    const provider = options.provider()
    if (!provider) return
    // Waiting out a failure: nothing goes to the service before the probe is due.
    if (waiting('send') && probe!.all) return wakeBy(probe!.at)
    await drain(provider)
    if (probe && probe.at <= now() && pulls.length === 0 && !signIn) {
      // The service did not answer last time and nothing else asks it now: ask it ourselves, with
      // the last download (the desk wants it anyway) or else the connection test's reads.
      if (lastPull) pulls.push(lastPull)
      else {
        const report = await provider.testConnection({ readsOnly: true }).catch(() => null)
        if (report?.ok) answered()
        else {
          if (report?.reason === 'unreachable') online = false
          failed(null, 'download')
        }
      }
    }
    // Pull after our own marks are out, unless sending just failed (then the probe comes first).
    while (pulls.length > 0 && !signIn) {
      if (waiting('download')) return wakeBy(probe!.at)
      const request = pulls[0]!
      lastPull = request
      try {
        const refused = await runPull(provider, request)
        pulls.shift()
        answered()
        pullFailure = refused
        lastSuccessAt = now()
      } catch (err) {
        pull = null
        if (err instanceof ProviderError && err.kind === 'auth') {
          // Kept: it runs once the credentials are fixed.
          signIn = explainSyncError(provider, err)
          return
        }
        pullFailure = explainAny(provider, err, 'download')
        log('pull failed', err)
        if (err instanceof ProviderError && err.retryable) {
          // Kept at the head of the queue: it is the probe, and runs when the service answers.
          if (err.kind === 'network') online = false
          failed(err, 'download')
          return
        }
        // Refused as asked (a missing permission, a bad request): asking again changes nothing;
        // the screen asks again when it next needs the data.
        if (err instanceof ProviderError && err.kind === 'forbidden') online = true
        pulls.shift()
      }
    }
  }

  function trigger(reason: Trigger): Promise<void> {
    if (stopped) return Promise.resolve()
    if (reason === 'settings' || reason === 'manual') signIn = null
    if (reason === 'settings') {
      sendForbidden = null
      pullFailure = null
    }
    if (reason === 'resume' || reason === 'manual' || reason === 'settings') {
      online = null
      // Try now, not when the backoff says; a failure starts the backoff again from where it was.
      if (probe) probe = { ...probe, at: now() }
      outbox.makeDue()
    }
    if (running) {
      again = true
      return running
    }
    notify.status()
    running = (async () => {
      try {
        do {
          again = false
          await cycle()
          // Retention only when nothing else waits, and it gives way as soon as something does.
          if (!again && !stopped) await prune()
        } while (again && !stopped)
      } catch (err) {
        log('sync cycle failed', err)
        sendFailure = { reason: 'sync_internal', params: { detail: err instanceof Error ? err.message : String(err) } }
      } finally {
        running = null
        notify.status()
        const at = wakeAt
        wakeAt = null
        schedule(at)
      }
    })()
    return running
  }

  return {
    trigger,
    /** Ask for a pull; it runs after the outbox is drained. Duplicate requests are merged. */
    requestPull(request: PullRequest) {
      const same = (r: PullRequest) => r.kind === request.kind && r.sessionId === request.sessionId && r.from === request.from
      if (!pulls.some(same)) pulls.push(request)
      // Asked for by the screen (a roster opened, the day refreshed: at most every 30 s), or by
      // the desk's own reconciliation: worth a try now rather than at the end of the backoff.
      if (probe) probe = { ...probe, at: Math.min(probe.at, now()) }
      return trigger('timer')
    },
    /**
     * Marks the provider pushed (a LAN hub's live stream), applied like a downloaded page of the
     * session: through the same writer and replica rules (a person with a mark still to send keeps
     * it), each changed row told to the window at once. Answers the rows it looked at.
     */
    async applyPushed(sessionId: number, records: AttendanceRecord[]): Promise<number> {
      const provider = options.provider()
      if (!provider || records.length === 0 || stopped) return 0
      const stats = await writer.applyAttendance(provider.name, sessionId, records)
      if (stats.inserted || stats.updated) for (const id of stats.ids) notify.row(sessionId, id)
      return stats.ids.length
    },
    /** Told the server's Date: the offset between its clock and ours (shown, and used for display). */
    noteServerDate(serverMs: number, localMs: number) {
      clockOffsetMs = serverMs - localMs
    },
    status(): SyncStatus {
      const provider = options.provider()
      const counts = outbox.counts()
      const pending = counts.pending + counts.in_flight
      const state: SyncStatus['state'] = !provider
        ? 'local'
        : signIn
          ? 'sign_in_needed'
          : running
            ? 'syncing'
            : online === false
              ? 'offline'
              : (sendFailure && pending > 0) || probe
                ? 'retrying'
                : (sendForbidden && pending > 0) || pullFailure?.reason === 'sync_forbidden'
                  ? 'permission_needed'
                  : 'idle'
      return {
        provider: provider?.name ?? options.local.name,
        state,
        online,
        pending,
        problems: counts.rejected + counts.conflict,
        lastSuccessAt: lastSuccessAt === null ? null : new Date(lastSuccessAt).toISOString(),
        lastAttemptAt: lastAttemptAt === null ? null : new Date(lastAttemptAt).toISOString(),
        errors: signIn
          ? [{ stage: 'sign_in' as const, ...signIn }]
          : [
              ...(sendForbidden && pending > 0 ? [{ stage: 'send' as const, ...sendForbidden }] : []),
              ...(sendFailure ? [{ stage: 'send' as const, ...sendFailure }] : []),
              ...(pullFailure && !(sendForbidden && pending > 0 && sameRefusal(pullFailure, sendForbidden)) ? [{ stage: 'download' as const, ...pullFailure }] : [])
            ],
        clockOffsetMs,
        pull,
        requests: provider?.requestBudget ? requestsOf(provider.requestBudget.view()) : null
      }
    },
    problems(): SyncProblem[] {
      return outbox.problems().map((row) => ({
        opId: row.opId,
        kind: row.kind,
        state: row.state as 'rejected' | 'conflict',
        ...storedReason(row),
        intent: intentOf(row.kind, JSON.parse(row.payload) as { status?: string; attendees?: number }),
        personName: row.name,
        sessionTitle: row.title,
        createdAt: new Date(row.createdAt).toISOString(),
        attempts: row.attempts
      }))
    },
    /** Resolves once the current run (if any) is over. */
    idle: () => running ?? Promise.resolve(),
    stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      return running ?? Promise.resolve()
    },
    /**
     * Starts the writer's thread (otherwise started by the first download) and resolves once it
     * takes writes: the bench times pulls, not a thread's start.
     */
    writerReady: () => writer.checkpoint(),
    /** The longest write of each kind the writer's thread made so far, in ms (the bench's causes). */
    writerLongest: () => writer.longest(),
    /** Prunes now (tests; the engine does it on its own at most hourly). */
    async pruneNow() {
      lastPruneAt = null
      await prune()
    }
  }
}

export type SyncEngine = ReturnType<typeof createSyncEngine>
