/**
 * Entities as the API shows them, and the small readers of query strings and JSON bodies the
 * handlers share (Laravel's rules: booleans are true/false/0/1/"0"/"1", messages in its words).
 */
import { Problems, words } from './errors'
import type { TimeForm, WireTime } from './render'
import type { PlandocketStore } from './store'
import type { CheckIn, Contact, FakePlandocketSettings, Participant, PlandocketEvent } from './types'

export const eventView = (event: PlandocketEvent, participantCount?: number) =>
  participantCount === undefined ? { ...event } : { ...event, participant_count: participantCount }

export const contactView = (contact: Contact) => ({ ...contact })

export type ParticipantInclude = 'contact' | 'event' | 'category'
export const PARTICIPANT_INCLUDES: readonly ParticipantInclude[] = ['contact', 'event', 'category']

export function participantView(store: PlandocketStore, participant: Participant, time: TimeForm, include: ReadonlySet<string> = new Set()) {
  const view: Record<string, unknown> = {
    id: participant.id,
    event_id: participant.event_id,
    contact_id: participant.contact_id,
    is_confirmed: participant.is_confirmed,
    created_at: time(participant.created_at),
    updated_at: time(participant.updated_at)
  }
  if (include.has('contact')) {
    const contact = store.contacts.get(participant.contact_id)
    view.contact = contact ? contactView(contact) : null
  }
  if (include.has('event')) {
    const event = store.events.get(participant.event_id)
    view.event = event ? eventView(event) : null
  }
  if (include.has('category')) view.category = participant.category ? { ...participant.category } : null
  return view
}

/** A participant in a single-resource answer, in the shape `settings.participantShape` picks. */
export function participantSingleView(
  store: PlandocketStore,
  settings: FakePlandocketSettings,
  participant: Participant,
  time: TimeForm,
  include: ReadonlySet<string> = new Set()
): Record<string, unknown> {
  if (settings.participantShape === 'sample') {
    return { participant_id: participant.id, created_at: time(participant.created_at), updated_at: time(participant.updated_at) }
  }
  const view = participantView(store, participant, time, include)
  if (settings.participantShape === 'full') return view
  const { id, ...rest } = view
  return { participant_id: id, ...rest }
}

export function checkInView(checkIn: CheckIn, time: TimeForm): Record<string, unknown> & { checked_in_at: WireTime } {
  return {
    ...checkIn,
    contact: contactView(checkIn.contact),
    checked_in_at: time(checkIn.checked_in_at),
    checked_out_at: time(checkIn.checked_out_at)
  }
}

// ---------------------------------------------------------------------------------------------
// Query strings

/** A `0|1` query flag; anything else is a 422. */
export function flag01(query: URLSearchParams, name: string, problems: Problems): boolean | undefined {
  const raw = query.get(name)
  if (raw === null || raw === '') return undefined
  if (raw === '0' || raw === '1') return raw === '1'
  problems.add(name, `The ${words(name)} field must be true or false.`)
  return undefined
}

/** `include=a,b` checked against what the endpoint offers. */
export function readIncludes(query: URLSearchParams, allowed: readonly string[], problems: Problems): Set<string> {
  const raw = query.getAll('include').join(',')
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
  for (const name of names) {
    if (!allowed.includes(name)) {
      problems.add('include', `The selected include is invalid. Allowed: ${allowed.join(', ')}.`)
      break
    }
  }
  return new Set(names)
}

export const queryText = (query: URLSearchParams, name: string): string | undefined => {
  const raw = query.get(name)
  return raw === null || raw.trim() === '' ? undefined : raw.trim()
}

// ---------------------------------------------------------------------------------------------
// JSON bodies

const present = (value: unknown) => value !== undefined && value !== null && value !== ''

export function requiredString(body: Record<string, unknown>, field: string, problems: Problems): string | undefined {
  const value = body[field]
  if (!present(value)) problems.required(field)
  else if (typeof value !== 'string') problems.add(field, `The ${words(field)} field must be a string.`)
  else return value
  return undefined
}

/** Absent/null → null; a string (≤ max) → it; anything else → 422. */
export function optionalString(body: Record<string, unknown>, field: string, problems: Problems, max = 255): string | null | undefined {
  const value = body[field]
  if (value === undefined) return undefined
  if (value === null) return null
  if (typeof value !== 'string') problems.add(field, `The ${words(field)} field must be a string.`)
  else if (value.length > max) problems.add(field, `The ${words(field)} field must not be greater than ${max} characters.`)
  else return value
  return undefined
}

/** Laravel's boolean rule: true, false, 0, 1, "0", "1". */
export function optionalBoolean(body: Record<string, unknown>, field: string, problems: Problems): boolean | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (value === true || value === 1 || value === '1') return true
  if (value === false || value === 0 || value === '0') return false
  problems.add(field, `The ${words(field)} field must be true or false.`)
  return undefined
}

/** An integer, given as a number or a numeric string. */
export function optionalInteger(body: Record<string, unknown>, field: string, problems: Problems): number | undefined {
  const value = body[field]
  if (!present(value)) return undefined
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value)
  problems.add(field, `The ${words(field)} field must be an integer.`)
  return undefined
}

export function oneOf<T extends string>(body: Record<string, unknown>, field: string, allowed: readonly T[], problems: Problems, required: boolean): T | undefined {
  const value = body[field]
  if (!present(value)) {
    if (required) problems.required(field)
    return undefined
  }
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  problems.invalid(field)
  return undefined
}
