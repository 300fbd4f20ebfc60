/**
 * What the full-screen scan feedback says, built from main's structured answer (not its English
 * message, so it reads in the desk's language): who, and for amber when and where they were
 * checked in; for red why nothing happened (a refusal's code, worded here).
 */
import type { ScanOutcome, Session } from '../../../shared/contract'
import type { BeepTone } from './beep'
import { formatDayTime, formatZonedTime, withZone } from '../lib/dates'
import { i18n } from '../lib/i18n.svelte'
import { deskLabel, describeReason } from '../lib/reasons'

export interface ScanFeedbackData {
  id: number
  tone: BeepTone
  title: string
  name: string | null
  lines: string[]
}

let seq = 0

export interface ScanContext {
  session: Session
  deskZone: string
  /** This desk: an amber "where" names it instead of showing its id. */
  desk: { deskId: string; deskName: string } | null
}

export function feedbackFor(result: ScanOutcome, code: string, ctx: ScanContext): ScanFeedbackData {
  const t = i18n.t.scan
  const id = ++seq
  const row = result.row
  switch (result.outcome) {
    case 'checked_in': {
      const people = row?.attendance.attendees ?? 1
      return { id, tone: 'ok', title: t.checkedIn, name: row?.name ?? null, lines: people > 1 ? [t.partyOf(people)] : [] }
    }
    case 'checked_out':
      return { id, tone: 'ok', title: t.checkedOut, name: row?.name ?? null, lines: [] }
    case 'already': {
      const a = row?.attendance
      const lines: string[] = []
      if (a?.markedAt) lines.push(t.at(formatZonedTime(a.markedAt, ctx.session.timeZone, ctx.deskZone)))
      // Another desk by the name its mark came with (a desk on the LAN, a Plandocket station), else by its id.
      if (a?.deskId) lines.push(ctx.desk && a.deskId === ctx.desk.deskId ? t.atThisDesk(ctx.desk.deskName) : t.atDesk(a.station ?? deskLabel(a.deskId, ctx.desk)))
      if (row && row.partySize > 1 && a) lines.push(t.partyOf(a.attendees))
      return { id, tone: 'warn', title: t.already, name: row?.name ?? null, lines }
    }
    case 'unknown':
      return { id, tone: 'bad', title: t.unknown, name: null, lines: [t.code(code)] }
    case 'wrong_session': {
      // The other session's time in its own zone, labelled when that is not the desk's.
      const other = result.otherSession
      const tz = other?.timeZone ?? ctx.session.timeZone
      const name = result.reason === 'scan_wrong_session' || result.reason === 'scan_not_booked_here' ? result.params.name : null
      const lines = other ? [t.bookedFor(other.title, withZone(formatDayTime(other.startsAt, tz), tz, ctx.deskZone))] : [describeReason(result)]
      return { id, tone: 'bad', title: t.wrongSession, name, lines }
    }
    case 'refused':
      return { id, tone: 'bad', title: t.refused, name: row?.name ?? null, lines: [describeReason(result)] }
  }
}

/** Red feedback that is not an answer from main (no session open, the call failed). */
export function problemFeedback(title: string, lines: string[]): ScanFeedbackData {
  return { id: ++seq, tone: 'bad', title, name: null, lines }
}
