/**
 * Attendance history during the normal pull: past sessions within the desk's bound (a setting,
 * default 60 days) with their bookings and marks, written into the replica like any pull, so the
 * history figures (main/history) count them. Only what was not pulled before is asked for: the
 * first pull of a desk reads the whole bound once, later days only the day(s) since.
 */
import type { ParticipationRecord, Provider, AttendanceRecord } from '../providers/types'
import type { Replica } from './replica'
import type { PullWriter } from './writer'

export interface HistoryRange {
  from: number
  to: number
}

/** The part of [from, to) still to pull, given what an earlier pull covered (null: nothing). */
export function historyToPull(wanted: HistoryRange, covered: HistoryRange | null, dayMs = 86_400_000): HistoryRange | null {
  if (wanted.from >= wanted.to) return null
  if (!covered || covered.from > wanted.from || covered.to < wanted.from) return wanted
  if (covered.to >= wanted.to) return null
  // A day back: marks of the last covered day may have been made after it was pulled.
  return { from: Math.max(wanted.from, covered.to - dayMs), to: wanted.to }
}

/** Pulls the history of `range` into the replica; `wrote` is told of each written batch. */
export async function pullHistoryInto(
  provider: Provider,
  replica: Pick<Replica, 'sessionRef'>,
  /** Where the rows are written (the pull's writer thread, like any download). */
  writer: Pick<PullWriter, 'applySessions' | 'applyParticipations' | 'applyAttendance'>,
  range: HistoryRange & { timeZone: string },
  wrote: (rows: number, changed: boolean) => Promise<void>
): Promise<void> {
  const name = provider.name
  if (provider.pullHistory) {
    for await (const page of provider.pullHistory(range)) {
      const applied = await writer.applySessions(name, page.sessions)
      const local = new Map(page.sessions.map((s, i) => [s.providerId, applied.ids[i]!]))
      const courseSession = new Map(page.sessions.filter((s) => s.scheduleId).map((s) => [s.scheduleId!, s.providerId]))
      const bookings = new Map<string, ParticipationRecord[]>()
      for (const p of page.participations) {
        const on = p.sessionProviderId ?? (p.scheduleId ? courseSession.get(p.scheduleId) : undefined)
        if (!on || !local.has(on)) continue
        bookings.set(on, [...(bookings.get(on) ?? []), p])
      }
      let changed = applied.inserted + applied.updated > 0
      for (const [providerId, records] of bookings) {
        const stats = await writer.applyParticipations(name, { id: local.get(providerId)!, providerId }, records)
        changed ||= stats.inserted + stats.updated + stats.marks.inserted + stats.marks.updated > 0
      }
      const marks = new Map<string, AttendanceRecord[]>()
      for (const a of page.attendance) if (local.has(a.sessionProviderId)) marks.set(a.sessionProviderId, [...(marks.get(a.sessionProviderId) ?? []), a])
      for (const [providerId, records] of marks) {
        const stats = await writer.applyAttendance(name, local.get(providerId)!, records)
        changed ||= stats.inserted + stats.updated > 0
      }
      await wrote(page.participations.length + page.attendance.length, changed)
    }
    return
  }
  // A provider without a history query (Plandocket): each past session's roster and check-ins.
  for await (const page of provider.pullSessions(range)) {
    const applied = await writer.applySessions(name, page)
    for (const id of applied.ids) {
      const session = replica.sessionRef(id)
      if (!session) continue
      let changed = false
      let rows = 0
      for await (const records of provider.pullRoster(session)) {
        const stats = await writer.applyParticipations(name, session, records)
        changed ||= stats.inserted + stats.updated > 0
        rows += records.length
      }
      for await (const records of provider.pullAttendance(session)) {
        const stats = await writer.applyAttendance(name, session.id, records)
        changed ||= stats.inserted + stats.updated > 0
        rows += records.length
      }
      await wrote(rows, changed)
    }
  }
}
