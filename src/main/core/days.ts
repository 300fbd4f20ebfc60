/**
 * Calendar days in a session's zone: a multi-day session (a conference, a three-day course) is
 * checked in daily, so a mark belongs to the day it was made on, as seen where the session is.
 */
const formats = new Map<string, Intl.DateTimeFormat>()

/** YYYY-MM-DD of `ms` in `timeZone` (an unknown zone falls back to UTC rather than failing a mark). */
export function dayIn(ms: number, timeZone: string): string {
  let format = formats.get(timeZone)
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    } catch {
      format = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' })
    }
    formats.set(timeZone, format)
  }
  return format.format(ms)
}

/** Whether a session runs over more than one calendar day in its zone (its end is exclusive). */
export function spansDays(session: { startsAt: number; endsAt: number; timeZone: string }): boolean {
  return dayIn(session.startsAt, session.timeZone) !== dayIn(Math.max(session.startsAt, session.endsAt - 1), session.timeZone)
}
