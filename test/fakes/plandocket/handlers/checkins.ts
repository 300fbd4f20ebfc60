/**
 * Check-ins. A `check_in` opens a record (checked_in_at, is_checked_in); a `check_out` closes the
 * participant's newest open record (checked_out_at, is_checked_in false). A participant is named
 * by `participant_id` or by `badge_number` within the event.
 */
import { httpError, notFound, Problems, validationFailed, words } from '../errors'
import { idParam, type HandlerContext, type Reply, type Route } from '../router'
import type { CheckIn, CheckInType, Participant, PlandocketEvent } from '../types'
import { CHECK_IN_ACTIONS, CHECK_IN_TYPES } from '../types'
import { checkInView, oneOf, optionalInteger, optionalString, queryText, requiredString } from '../views'

/** `event_key` from the query: required (list) or optional (stats); unknown → 422. */
function queryEvent(context: HandlerContext, required: boolean): PlandocketEvent | undefined {
  const key = queryText(context.query, 'event_key')
  const problems = new Problems()
  if (key === undefined && required) problems.required('event_key')
  const event = key === undefined ? undefined : context.store.eventByKey(key)
  if (key !== undefined && !event) problems.invalid('event_key')
  problems.throwIfAny()
  return event
}

function list(context: HandlerContext): Reply {
  const event = queryEvent(context, true)!
  const rows = [...context.store.checkIns.values()].filter((c) => c.event_id === event.id)
  return { body: context.render.list(context, { rows, key: (c) => [c.id], render: checkInView }) }
}

function found(context: HandlerContext): CheckIn {
  const id = idParam(context)
  const checkIn = id === undefined ? undefined : context.store.checkIns.get(id)
  if (!checkIn) throw notFound()
  return checkIn
}

function getOne(context: HandlerContext): Reply {
  const checkIn = found(context)
  return { body: context.render.single((time) => checkInView(checkIn, time)) }
}

function badgeOf(body: Record<string, unknown>, problems: Problems): string | undefined {
  const value = body.badge_number
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value === 'string') return value
  problems.add('badge_number', `The ${words('badge_number')} field must be a string.`)
  return undefined
}

function create(context: HandlerContext): Reply {
  const { body, store, settings } = context
  const problems = new Problems()
  const eventKey = requiredString(body, 'event_key', problems)
  const participantId = optionalInteger(body, 'participant_id', problems)
  const badge = badgeOf(body, problems)
  const action = oneOf(body, 'action', CHECK_IN_ACTIONS, problems, true)
  const type = oneOf<CheckInType>(body, 'check_in_type', CHECK_IN_TYPES, problems, false)
  const station = optionalString(body, 'station', problems)
  const notes = optionalString(body, 'notes', problems, 1000)
  if (body.participant_id == null && body.badge_number == null) {
    problems.add('participant_id', 'The participant id field is required when badge number is not present.')
    problems.add('badge_number', 'The badge number field is required when participant id is not present.')
  }
  const event = eventKey === undefined ? undefined : store.eventByKey(eventKey)
  if (eventKey !== undefined && !event) problems.invalid('event_key')

  let participant: Participant | undefined
  if (event && participantId !== undefined) {
    participant = store.participants.get(participantId)
    if (!participant || participant.event_id !== event.id) {
      problems.invalid('participant_id')
      participant = undefined
    } else if (badge !== undefined && participant.badge_number !== badge) {
      problems.add('badge_number', 'The badge number does not belong to this participant.')
    }
  } else if (event && badge !== undefined && participantId === undefined) {
    participant = store.participantByBadge(event.id, badge)
    if (!participant) problems.invalid('badge_number')
  }
  problems.throwIfAny()
  const who = participant!

  const open = store.openCheckIn(who.id)
  if (action === 'check_out') {
    if (!open) throw validationFailed({ action: ['The participant is not checked in.'] })
    const closed: CheckIn = {
      ...open,
      checked_out_at: store.nowIso(),
      is_checked_in: false,
      ...(station !== undefined ? { station } : {}),
      ...(notes !== undefined ? { notes } : {})
    }
    store.replaceCheckIn(closed)
    return { status: settings.createdStatus, body: context.render.single((time) => checkInView(closed, time)) }
  }
  if (open && settings.repeatCheckIn === 'reject') throw validationFailed({ participant_id: ['The participant is already checked in.'] })
  if (open && settings.repeatCheckIn === 'conflict') throw httpError(409, 'The participant is already checked in.')
  const checkIn = store.addCheckIn({
    event_participant_id: who.id,
    check_in_type: type ?? 'manual',
    badge_number: badge ?? who.badge_number,
    station: station ?? null,
    notes: notes ?? null,
    checked_in_by: context.caller.user
  })
  if (open) {
    store.violations.push({ rule: 'second_open_check_in', participantId: who.id, eventKey: event!.event_key, openCheckInId: open.id, newCheckInId: checkIn.id, station: station ?? null })
  }
  return { status: settings.createdStatus, body: context.render.single((time) => checkInView(checkIn, time)) }
}

function remove(context: HandlerContext): Reply {
  const checkIn = found(context)
  context.store.removeCheckIn(checkIn.id)
  return { status: 204, body: '' }
}

/** Each participant counts once: in now, out (had check-ins, none open), or never checked in. */
function stats(context: HandlerContext): Reply {
  const event = queryEvent(context, false)
  const { store } = context
  const participants = [...store.participants.values()].filter((p) => !event || p.event_id === event.id)
  const checkIns = [...store.checkIns.values()].filter((c) => !event || c.event_id === event.id)
  const byType: Record<CheckInType, number> = { manual: 0, scan: 0, app: 0 }
  const open = new Set<number>()
  const seen = new Set<number>()
  for (const checkIn of checkIns) {
    byType[checkIn.check_in_type] += 1
    seen.add(checkIn.event_participant_id)
    if (checkIn.is_checked_in) open.add(checkIn.event_participant_id)
  }
  const checkedIn = participants.filter((p) => open.has(p.id)).length
  const everSeen = participants.filter((p) => seen.has(p.id)).length
  return {
    body: context.render.single(() => ({
      event_key: event?.event_key ?? null,
      total_participants: participants.length,
      confirmed_participants: participants.filter((p) => p.is_confirmed).length,
      checked_in: checkedIn,
      checked_out: everSeen - checkedIn,
      not_checked_in: participants.length - everSeen,
      total_check_ins: checkIns.length,
      by_type: byType
    }))
  }
}

const ONE = /^\/check-ins\/([^/]+)$/

export const checkInRoutes: Route[] = [
  { method: 'GET', pattern: /^\/check-ins$/, scope: 'checkins', handle: list },
  { method: 'POST', pattern: /^\/check-ins$/, scope: 'checkins', handle: create },
  // Before ONE, which would otherwise take "stats" for an id.
  { method: 'GET', pattern: /^\/check-ins\/stats$/, scope: 'checkins', handle: stats },
  { method: 'GET', pattern: ONE, scope: 'checkins', handle: getOne },
  { method: 'DELETE', pattern: ONE, scope: 'checkins', handle: remove }
]
