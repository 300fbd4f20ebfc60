/** Dates and times as the desk sees them. Days are ISO `YYYY-MM-DD` strings in the desk's zone. */

/** The desk's IANA time zone, e.g. "Europe/Berlin". */
export function deskTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone
}

/** The calendar day (YYYY-MM-DD) an instant falls on in a zone. */
export function isoDateInZone(instant: Date | string | number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit'
  }).formatToParts(new Date(instant))
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year').padStart(4, '0')}-${get('month')}-${get('day')}`
}

function splitIso(iso: string): [number, number, number] {
  const [y = 1970, m = 1, d = 1] = iso.split('-').map(Number)
  return [y, m, d]
}

/** The day `days` after (or before) an ISO day. */
export function addDays(iso: string, days: number): string {
  const [y, m, d] = splitIso(iso)
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10)
}

/**
 * "Friday, 21 November" ("Fri 21 Nov" when short); the year is added when it is not the current
 * one. Locale-aware.
 */
export function formatDay(iso: string, today: string, short = false): string {
  const [y, m, d] = splitIso(iso)
  const sameYear = iso.slice(0, 4) === today.slice(0, 4)
  return new Intl.DateTimeFormat(undefined, {
    weekday: short ? 'short' : 'long',
    day: 'numeric',
    month: short ? 'short' : 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
    timeZone: 'UTC'
  }).format(new Date(Date.UTC(y, m - 1, d)))
}

/** "09:30" (or "9:30 AM", per locale) in a zone. */
export function formatTime(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(instant))
}

/** "Fri 21 Nov, 09:30" in a zone. */
export function formatDayTime(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone
  }).format(new Date(instant))
}

/** "09:00–10:30" in the session's own zone. */
export function formatTimeRange(startsAt: string, endsAt: string, timeZone: string): string {
  return `${formatTime(startsAt, timeZone)}–${formatTime(endsAt, timeZone)}`
}

/** "London time" for "Europe/London"; the desk's own zone gets no label. */
export function zoneLabel(timeZone: string, deskZone: string): string | null {
  if (timeZone === deskZone) return null
  const city = timeZone.split('/').pop()?.replaceAll('_', ' ') ?? timeZone
  return `${city} time`
}
