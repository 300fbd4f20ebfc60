/**
 * Dates and times as the desk sees them, in the language picked (`i18n.locale`). Days are ISO
 * `YYYY-MM-DD` strings in the desk's zone; times are shown in the session's own zone.
 */
import { i18n } from './i18n.svelte'

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
  return new Intl.DateTimeFormat(i18n.locale, {
    weekday: short ? 'short' : 'long',
    day: 'numeric',
    month: short ? 'short' : 'long',
    ...(sameYear ? {} : { year: 'numeric' }),
    timeZone: 'UTC'
  }).format(new Date(Date.UTC(y, m - 1, d)))
}

/** "09:30" (or "9:30 AM", per locale) in a zone. */
export function formatTime(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat(i18n.locale, { hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(instant))
}

/** "Fri 21 Nov, 09:30" in a zone. */
export function formatDayTime(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat(i18n.locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone
  }).format(new Date(instant))
}

/** Whether a session runs over more than one calendar day in its zone (its end is exclusive). */
export function spansDays(startsAt: string, endsAt: string, timeZone: string): boolean {
  const end = Math.max(Date.parse(startsAt), Date.parse(endsAt) - 1)
  return isoDateInZone(startsAt, timeZone) !== isoDateInZone(end, timeZone)
}

/** "3–5 Dec" (per locale: "3.–5. Dez."): the days a multi-day session covers, in its zone. */
export function formatDaySpan(startsAt: string, endsAt: string, timeZone: string): string {
  const end = new Date(Math.max(Date.parse(startsAt), Date.parse(endsAt) - 1))
  return new Intl.DateTimeFormat(i18n.locale, { day: 'numeric', month: 'short', timeZone }).formatRange(new Date(startsAt), end)
}

/**
 * "09:00–10:30" in the session's own zone; a session over several days shows its days first:
 * "3–5 Dec · 09:00–17:00" (each day's hours, as a conference programme reads).
 */
export function formatTimeRange(startsAt: string, endsAt: string, timeZone: string): string {
  const hours = `${formatTime(startsAt, timeZone)}–${formatTime(endsAt, timeZone)}`
  return spansDays(startsAt, endsAt, timeZone) ? `${formatDaySpan(startsAt, endsAt, timeZone)} · ${hours}` : hours
}

/** "New York" for "America/New_York"; the desk's own zone gets no label (null). */
export function zoneLabel(timeZone: string, deskZone: string): string | null {
  if (timeZone === deskZone) return null
  return zoneCity(timeZone)
}

/** The city of an IANA zone: "America/New_York" → "New York". */
export function zoneCity(timeZone: string): string {
  return timeZone.split('/').pop()?.replaceAll('_', ' ') ?? timeZone
}

/** "09:00" in the desk's zone, "09:00 (New York)" when the session's zone is another one. */
export function withZone(text: string, timeZone: string, deskZone: string): string {
  const zone = zoneLabel(timeZone, deskZone)
  return zone ? `${text} (${zone})` : text
}

/** A time in a session's zone, labelled with the zone when it is not the desk's. */
export function formatZonedTime(instant: string, timeZone: string, deskZone: string): string {
  return withZone(formatTime(instant, timeZone), timeZone, deskZone)
}
