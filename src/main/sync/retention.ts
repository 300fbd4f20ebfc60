/**
 * Retention: sessions that ended more than the desk's retention period ago (settings, default 180
 * days) leave the replica, with their people and marks, so a season of history does not slow
 * today's roster. It runs on the pull's writer (pull-worker.ts), off the check-in path, one small
 * transaction per step (at most `rows` rows each), and:
 * - never takes a session while one of its operations is unsent (pending, in flight, a conflict or
 *   a refusal the desk has not settled): it waits until the desk's intent reached the service or
 *   was let go;
 * - never touches the audit log (append-only: what this desk did stays, down to the upload state of
 *   each operation, whose settled outbox row is kept with its links to the pruned rows cleared).
 *   The audit log gains one 'session.prune' entry per session, naming it and the people its
 *   entries refer to, so those entries can still be read once the rows they point at are gone;
 * - touches nothing but sessions, participations, attendance, attendance_days, the session's
 *   resume cursor and those links: any later table (attendance history, its per-person counts) is
 *   left as it is.
 * A course's participations (on every session of the course) go with the course's last session.
 */
import type { Db } from '../db'
import { RETENTION_DAYS } from '../../shared/contract/constants'

export const DEFAULT_RETENTION_DAYS = RETENTION_DAYS.default
export const DAY_MS = 86_400_000

const UNSENT = `('pending', 'in_flight', 'conflict', 'rejected')`

export interface PruneStep {
  /** The session worked on, or null when nothing (more) is due. */
  sessionId: number | null
  /** Rows deleted by this step. */
  deleted: number
  /** True once the session itself is gone. */
  sessionDone: boolean
}

export function createRetention(db: Db, now: () => number) {
  const sqlite = db.$client
  const nextDue = sqlite.prepare<{ cutoff: number; after: number }, { id: number; scheduleId: string | null }>(
    `SELECT s.id, s.schedule_id AS scheduleId FROM sessions s
     WHERE s.ends_at < @cutoff AND s.id > @after
       AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.session_id = s.id AND o.state IN ${UNSENT})
     ORDER BY s.id LIMIT 1`
  )
  const session = sqlite.prepare<[number], { id: number; title: string; startsAt: number; provider: string; scheduleId: string | null }>(
    `SELECT id, title, starts_at AS startsAt, provider, schedule_id AS scheduleId FROM sessions WHERE id = ?`
  )
  const unsentFor = sqlite.prepare<[number], number>(`SELECT count(*) FROM outbox WHERE session_id = ? AND state IN ${UNSENT}`).pluck()
  const pruneLogged = sqlite.prepare<[number], number>(`SELECT count(*) FROM audit_log WHERE session_id = ? AND action = 'session.prune'`).pluck()
  const namesInAudit = sqlite.prepare<[number], { id: number; name: string }>(
    `SELECT DISTINCT p.id, p.name FROM audit_log l JOIN participations p ON p.id = l.participation_id WHERE l.session_id = ?`
  )
  const audit = sqlite.prepare(
    `INSERT INTO audit_log (at, desk_id, action, session_id, participation_id, op_id, details) VALUES (?, ?, 'session.prune', ?, NULL, NULL, ?)`
  )
  const deskId = sqlite.prepare<[], string>(`SELECT value FROM desk_meta WHERE key = 'desk_id'`).pluck()
  const otherCourseSessions = sqlite.prepare<[string, number], number>(`SELECT count(*) FROM sessions WHERE schedule_id = ? AND id <> ?`).pluck()

  const chunk = (sql: string) => sqlite.prepare(sql)
  const dropDays = chunk(`DELETE FROM attendance_days WHERE rowid IN (SELECT rowid FROM attendance_days WHERE session_id = @sessionId LIMIT @rows)`)
  const dropMarks = chunk(`DELETE FROM attendance WHERE id IN (SELECT id FROM attendance WHERE session_id = @sessionId LIMIT @rows)`)
  const unlinkOutbox = chunk(
    `UPDATE outbox SET session_id = NULL, participation_id = NULL
     WHERE seq IN (SELECT seq FROM outbox WHERE session_id = @sessionId AND state IN ('done', 'discarded') LIMIT @rows)`
  )
  const ownPeople = sqlite.prepare<{ sessionId: number; rows: number }, number>(`SELECT id FROM participations WHERE session_id = @sessionId LIMIT @rows`).pluck()
  const coursePeople = sqlite.prepare<{ scheduleId: string; rows: number }, number>(`SELECT id FROM participations WHERE schedule_id = @scheduleId LIMIT @rows`).pluck()
  const unsentForPeople = sqlite.prepare<[string], number>(
    `SELECT count(*) FROM outbox WHERE participation_id IN (SELECT value FROM json_each(?)) AND state IN ${UNSENT}`
  ).pluck()
  const peopleDays = chunk(`DELETE FROM attendance_days WHERE participation_id IN (SELECT value FROM json_each(?))`)
  const peopleMarks = chunk(`DELETE FROM attendance WHERE participation_id IN (SELECT value FROM json_each(?))`)
  const peopleOutbox = chunk(`UPDATE outbox SET session_id = NULL, participation_id = NULL WHERE participation_id IN (SELECT value FROM json_each(?))`)
  const dropPeople = chunk(`DELETE FROM participations WHERE id IN (SELECT value FROM json_each(?))`)
  const dropSession = chunk(`DELETE FROM sessions WHERE id = ?`)

  /** Deletes up to `rows` of one session's rows; the session row last, with its audit entry first. */
  const stepOn = sqlite.transaction((sessionId: number, rows: number): PruneStep => {
    const s = session.get(sessionId)
    if (!s) return { sessionId, deleted: 0, sessionDone: true }
    // A mark made since the session was picked: it waits for the next round.
    if (unsentFor.get(sessionId)! > 0) return { sessionId, deleted: 0, sessionDone: false }
    if (pruneLogged.get(sessionId) === 0) {
      const people = Object.fromEntries(namesInAudit.all(sessionId).map((p) => [p.id, p.name]))
      audit.run(now(), deskId.get() ?? 'unknown', sessionId, JSON.stringify({ title: s.title, startsAt: s.startsAt, provider: s.provider, people }))
    }
    let deleted = 0
    const left = () => rows - deleted
    for (const statement of [dropDays, dropMarks]) {
      if (left() <= 0) break
      deleted += statement.run({ sessionId, rows: left() }).changes
    }
    if (left() > 0) unlinkOutbox.run({ sessionId, rows: left() })
    const lastOfCourse = s.scheduleId !== null && otherCourseSessions.get(s.scheduleId, sessionId) === 0
    for (const people of [() => ownPeople.all({ sessionId, rows: left() }), () => (lastOfCourse ? coursePeople.all({ scheduleId: s.scheduleId!, rows: left() }) : [])]) {
      if (left() <= 0) break
      const ids = people()
      if (!ids.length) continue
      const list = JSON.stringify(ids)
      // Someone on this roster with an unsent operation for another session (a course): the whole
      // session waits, so nobody's intent loses the row it is about.
      if (unsentForPeople.get(list)! > 0) return { sessionId, deleted, sessionDone: false }
      deleted += peopleDays.run(list).changes + peopleMarks.run(list).changes
      peopleOutbox.run(list)
      deleted += dropPeople.run(list).changes
    }
    if (left() <= 0) return { sessionId, deleted, sessionDone: false }
    deleted += dropSession.run(sessionId).changes
    return { sessionId, deleted, sessionDone: true }
  })

  let after = 0
  return {
    /**
     * One step: up to `rows` rows of the next session that ended before `cutoff` and has nothing
     * unsent. Call again until it answers sessionId null; each call is its own short transaction.
     */
    step(cutoff: number, rows = 200): PruneStep {
      for (;;) {
        const due = nextDue.get({ cutoff, after })
        if (!due) {
          after = 0
          return { sessionId: null, deleted: 0, sessionDone: false }
        }
        const result = stepOn.immediate(due.id, rows)
        if (result.sessionDone || result.deleted > 0) return result
        // Held back (an unsent operation): the next session, and this one again next round.
        after = due.id
      }
    }
  }
}

export type Retention = ReturnType<typeof createRetention>
