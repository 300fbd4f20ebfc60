/**
 * Instants in and out. Stored timestamps are canonical ISO strings; on the wire they are ISO
 * (Laravel's `2024-01-01T00:00:00.000000Z`) or unix seconds, as `settings.timestamps` says.
 */
import { DateTime } from 'luxon'

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/

export interface ParsedInstant {
  millis: number
  dateOnly: boolean
}

/** An ISO 8601 date or date-time (no offset = UTC); undefined when it is neither. */
export function parseInstant(text: unknown): ParsedInstant | undefined {
  if (typeof text !== 'string') return undefined
  const trimmed = text.trim()
  if (!DATE_ONLY.test(trimmed) && !DATE_TIME.test(trimmed)) return undefined
  const time = DateTime.fromISO(trimmed.replace(' ', 'T'), { zone: 'utc' })
  return time.isValid ? { millis: time.toMillis(), dateOnly: DATE_ONLY.test(trimmed) } : undefined
}

/** Millis of a stored ISO string (which the store only ever holds valid). */
export function millisOf(iso: string): number {
  const parsed = parseInstant(iso)
  if (!parsed) throw new Error(`not an ISO instant: ${iso}`)
  return parsed.millis
}

/** Laravel's default JSON form of a timestamp: microseconds and `Z`. */
export function laravelIso(millis: number): string {
  return new Date(millis).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
}

export const unixSeconds = (millis: number) => Math.floor(millis / 1000)

/** `2026-07-06T09:00:00Z`: how the fake writes event dates it makes up. */
export const plainIso = (millis: number) => new Date(millis).toISOString().replace(/\.\d{3}Z$/, 'Z')

export const DAY = 86_400_000
export const HOUR = 3_600_000
