/**
 * The outbox as a state machine over the `outbox` table:
 *   pending → in_flight → done
 *                       → pending (retry later, attempts + 1)
 *                       → rejected | conflict (visible; the desk retries or discards)
 * Every transition is one UPDATE, committed before the engine moves on, so a crash at any point
 * leaves each operation in a state the engine can resume from.
 */
import type { SyncReason } from '../../shared/contract'
import type { Db } from '../db'
import type { PushOperation } from '../providers/types'
import { englishSync } from '../log/english'


export interface OutboxRow {
  seq: number
  opId: string
  kind: PushOperation['kind']
  provider: string
  sessionId: number | null
  participationId: number | null
  payload: string
  state: 'pending' | 'in_flight' | 'done' | 'rejected' | 'conflict' | 'discarded'
  attempts: number
  nextAttemptAt: number | null
  lastError: string | null
  /** `lastError` as a code (JSON); null for rows stored before codes were. */
  lastErrorReason: string | null
  deskId: string
  createdAt: number
  updatedAt: number
}

const columns = (t = '') => `${t}seq, ${t}op_id AS opId, ${t}kind, ${t}provider, ${t}session_id AS sessionId,
  ${t}participation_id AS participationId, ${t}payload, ${t}state, ${t}attempts, ${t}next_attempt_at AS nextAttemptAt,
  ${t}last_error AS lastError, ${t}last_error_reason AS lastErrorReason, ${t}desk_id AS deskId, ${t}created_at AS createdAt, ${t}updated_at AS updatedAt`
const COLUMNS = columns()

export function createOutbox(db: Db, now: () => number) {
  const sqlite = db.$client
  const head = sqlite.prepare<[string, number], OutboxRow>(
    `SELECT ${COLUMNS} FROM outbox INDEXED BY outbox_unsent WHERE provider = ? AND state IN ('pending', 'in_flight') ORDER BY seq LIMIT ?`
  )
  const setState = sqlite.prepare(
    `UPDATE outbox SET state = @state, attempts = attempts + @attempt, next_attempt_at = @nextAttemptAt,
       last_error = @lastError, last_error_reason = @lastErrorReason, updated_at = @now WHERE op_id = @opId`
  )
  const counts = sqlite.prepare<[], { state: string; n: number }>(
    `SELECT state, count(*) AS n FROM outbox WHERE state <> 'done' GROUP BY state`
  )
  const problems = sqlite.prepare<[], OutboxRow & { name: string | null; title: string | null }>(
    `SELECT ${columns('o.')}, p.name, s.title
     FROM outbox o LEFT JOIN participations p ON p.id = o.participation_id LEFT JOIN sessions s ON s.id = o.session_id
     WHERE o.state IN ('rejected', 'conflict') ORDER BY o.seq`
  )
  const byOpId = sqlite.prepare<[string], OutboxRow>(`SELECT ${COLUMNS} FROM outbox WHERE op_id = ?`)
  const forceResend = sqlite.prepare(`UPDATE outbox SET payload = json_set(payload, '$.force', json('true')) WHERE op_id = ?`)
  const laterFor = sqlite
    .prepare(
      `SELECT later.op_id FROM outbox o JOIN outbox later ON later.participation_id = o.participation_id
         AND later.session_id = o.session_id AND later.seq > o.seq AND later.kind = o.kind AND later.state <> 'discarded'
       WHERE o.op_id = ? LIMIT 1`
    )
    .pluck()
  const undelay = sqlite.prepare(`UPDATE outbox SET next_attempt_at = NULL WHERE state = 'pending' AND next_attempt_at IS NOT NULL`)

  const transition = (opId: string, state: OutboxRow['state'], extra: { attempt?: boolean; nextAttemptAt?: number | null; error?: SyncReason } = {}) =>
    setState.run({
      opId,
      state,
      attempt: extra.attempt ? 1 : 0,
      nextAttemptAt: extra.nextAttemptAt ?? null,
      lastError: extra.error ? englishSync(extra.error) : null,
      lastErrorReason: extra.error ? JSON.stringify({ reason: extra.error.reason, params: extra.error.params }) : null,
      now: now()
    })

  return {
    /** The first `limit` unsent operations of a provider, oldest first (in_flight ones are resumed). */
    head: (provider: string, limit: number) => head.all(provider, limit),
    get: (opId: string) => byOpId.get(opId),
    markInFlight: (opId: string) => transition(opId, 'in_flight'),
    markDone: (opId: string) => transition(opId, 'done'),
    retryLater: (opId: string, nextAttemptAt: number, error: SyncReason) => transition(opId, 'pending', { attempt: true, nextAttemptAt, error }),
    /** Back to pending without counting an attempt (nothing was sent, e.g. sign-in needed). */
    hold: (opId: string, error: SyncReason) => transition(opId, 'pending', { error }),
    reject: (opId: string, error: SyncReason) => transition(opId, 'rejected', { attempt: true, error }),
    conflict: (opId: string, error: SyncReason) => transition(opId, 'conflict', { attempt: true, error }),
    /** The desk asks to send a rejected or conflicting operation again; `force` overrules the other desk. */
    requeue(opId: string, force = false) {
      if (force) forceResend.run(opId)
      transition(opId, 'pending')
    },
    /** A later operation for the same person and session, if one replaced this one. */
    supersededBy: (opId: string) => laterFor.get(opId) as string | undefined,
    /** The network is back (or the desk asked): waiting operations need not sit out their backoff. */
    makeDue: () => undelay.run().changes,
    /** The desk drops its change; the provider's version will replace it at the next pull. */
    discard: (opId: string) => transition(opId, 'discarded'),
    counts(): Record<OutboxRow['state'], number> {
      const result = { pending: 0, in_flight: 0, done: 0, rejected: 0, conflict: 0, discarded: 0 }
      for (const row of counts.all()) result[row.state as OutboxRow['state']] = row.n
      return result
    },
    problems: () => problems.all()
  }
}

export type Outbox = ReturnType<typeof createOutbox>

/**
 * Why an operation failed, as a code. A row failed before codes were stored has only English
 * words (`last_error`): it is shown through `stored_words`, which the window labels as such.
 */
export function storedReason(row: { lastError: string | null; lastErrorReason: string | null }): SyncReason {
  if (row.lastErrorReason) return JSON.parse(row.lastErrorReason) as SyncReason
  return { reason: 'stored_words', params: { text: row.lastError ?? '' } }
}
