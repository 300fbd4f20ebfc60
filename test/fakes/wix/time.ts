/**
 * Wall-clock ↔ instant conversions. Wix events carry both (`localDate` in `timeZone`, `utcDate`),
 * and event queries take local dates interpreted in the zone the request names.
 */
import { DateTime, IANAZone } from 'luxon'
import type { EventTime } from './types'

/** `2026-07-06T09:00:00`: date and time, no offset, optional fraction. */
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?$/

export const isValidZone = (zone: unknown): zone is string => typeof zone === 'string' && IANAZone.isValidZone(zone)

/** The instant (ms) of a wall-clock time in `zone`, or undefined if either is malformed. */
export function localToMillis(localDate: unknown, zone: string): number | undefined {
  if (typeof localDate !== 'string' || !LOCAL_DATE.test(localDate)) return undefined
  const time = DateTime.fromISO(localDate, { zone })
  return time.isValid ? time.toMillis() : undefined
}

export function utcIso(millis: number): string {
  return DateTime.fromMillis(millis, { zone: 'utc' }).toISO({ suppressMilliseconds: true })!
}

/** An EventTime for an instant, shown in `zone`. */
export function eventTime(millis: number, zone: string): EventTime {
  const local = DateTime.fromMillis(millis, { zone })
  return { localDate: local.toFormat("yyyy-MM-dd'T'HH:mm:ss"), timeZone: zone, utcDate: utcIso(millis) }
}

export const toMillis = (utcDate: string) => Date.parse(utcDate)
