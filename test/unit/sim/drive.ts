/**
 * Driving one desk through a long random run of marks (the fault and hostile suites), and bringing
 * it to rest afterwards: drain, resolve what was set aside by a fixed rule, repeat until quiet.
 */
import type Database from 'better-sqlite3'
import type { RosterRow } from '../../../src/shared/contract'
import type { Rng } from './random'
import { localMark, sameMark, showMark, sleep, type Mark, type SimDesk } from './wix-world'

export interface Target {
  sessionId: number
  participationId: number
  partySize: number
  label: string
}

export type MarkKind = 'checkIn' | 'undo' | 'noShow'

/** One random mark on one person; returns what the desk acknowledged, or null when it refused. */
export async function randomMark(d: SimDesk, target: Target, rng: Rng): Promise<{ kind: MarkKind; mark: Mark } | null> {
  const kind = rng.weighted<MarkKind>([
    ['checkIn', 5],
    ['undo', 2],
    ['noShow', 2]
  ])
  const input = {
    sessionId: target.sessionId,
    participationId: target.participationId,
    ...(kind === 'checkIn' ? { attendees: rng.int(1, target.partySize) } : {})
  }
  const answer = await d.dispatch(`attendance.${kind}`, input)
  if (!answer.ok) {
    if (answer.error.code === 'refused') return null // e.g. nothing to undo
    if (answer.error.reason === 'not_on_roster') return null // removed in the booking system meanwhile
    throw new Error(`attendance.${kind} for ${target.label} failed: ${answer.error.code} ${answer.error.message}`)
  }
  const row = answer.value as RosterRow
  return { kind, mark: { status: row.attendance.status, attendees: row.attendance.attendees } }
}

/**
 * The fixed rule for marks set aside (rejected or in conflict): an operation superseded by a later
 * mark for the same person is discarded (the later one carries the desk's current intent), and so
 * is one for a person removed in the booking system; the latest one is sent again — `retry` after a rejection, `mine` after a conflict — so the booking
 * system ends with what the desk shows. Returns how many were resolved.
 */
export async function resolveByRule(d: SimDesk, counts?: Record<string, number>): Promise<number> {
  const sqlite = d.desk.db.$client
  const later = sqlite.prepare<{ seq: number }, { n: number }>(
    `SELECT count(*) AS n FROM outbox o,
       (SELECT participation_id AS p, session_id AS s, kind AS k FROM outbox WHERE seq = @seq) m
     WHERE o.participation_id IS m.p AND o.session_id IS m.s AND o.kind = m.k AND o.seq > @seq AND o.state <> 'discarded'`
  )
  const bySeq = sqlite.prepare<[string], { seq: number }>('SELECT seq FROM outbox WHERE op_id = ?')
  const { problems } = (await d.call('sync.problems', {})) as { problems: { opId: string; state: 'rejected' | 'conflict'; reason: string }[] }
  let resolved = 0
  for (const p of problems) {
    const seq = bySeq.get(p.opId)?.seq
    if (seq === undefined) continue
    const superseded = (later.get({ seq })?.n ?? 0) > 0
    // A change for someone removed in the booking system cannot be sent again: dropped.
    const choice = superseded || p.reason === 'sync_removed_upstream' ? 'discard' : p.state === 'conflict' ? 'mine' : 'retry'
    const answer = await d.dispatch('sync.resolve', { opId: p.opId, choice })
    if (answer.ok) {
      resolved++
      if (counts) counts[`${p.state}→${choice}`] = (counts[`${p.state}→${choice}`] ?? 0) + 1
    }
  }
  return resolved
}

/** Drains the desk, resolving set-aside marks by the rule, until nothing is pending or set aside. */
export async function bringToRest(d: SimDesk, ms: number, what: string, counts?: Record<string, number>): Promise<void> {
  const deadline = Date.now() + ms
  let quietRounds = 0
  for (;;) {
    await resolveByRule(d, counts)
    await d.call('sync.now', {})
    await sleep(25)
    await d.desk.sync.idle()
    const s = await d.call('sync.status', {})
    quietRounds = s.pending === 0 && s.problems === 0 && s.state !== 'syncing' ? quietRounds + 1 : 0
    if (quietRounds >= 2) return
    if (Date.now() > deadline) {
      const { problems } = await d.call('sync.problems', {})
      const kinds = new Map<string, number>()
      for (const p of problems) kinds.set(`${p.state} ${p.reason}`, (kinds.get(`${p.state} ${p.reason}`) ?? 0) + 1)
      throw new Error(
        `${what}: still ${s.pending} pending and ${s.problems} set aside after ${ms} ms (${s.state}: ${JSON.stringify(s.errors)}; ${JSON.stringify([...kinds])}; e.g. ${JSON.stringify(problems[0]?.params)})`
      )
    }
  }
}

/** Every target's mark in the desk's replica. */
export function localMarks(sqlite: Database.Database, targets: Target[]): Map<Target, Mark> {
  return new Map(targets.map((t) => [t, localMark(sqlite, t.participationId, t.sessionId)]))
}

/** Differences between what the desk holds and what the service holds, as readable lines. */
export function compareMarks(targets: Target[], desk: Map<Target, Mark>, server: (t: Target) => Mark): string[] {
  const out: string[] = []
  for (const t of targets) {
    const mine = desk.get(t)!
    const theirs = server(t)
    if (!sameMark(mine, theirs)) out.push(`${t.label}: desk ${showMark(mine)}, service ${showMark(theirs)}`)
  }
  return out
}
