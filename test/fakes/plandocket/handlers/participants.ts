/**
 * Participants (a contact on an event): list with filters and includes, get, create (duplicate →
 * 409 or 422 per settings), PUT/PATCH is_confirmed, DELETE.
 */
import { httpError, notFound, Problems, validationFailed } from '../errors'
import { idParam, type HandlerContext, type Reply, type Route } from '../router'
import type { Participant } from '../types'
import { flag01, optionalBoolean, PARTICIPANT_INCLUDES, participantSingleView, participantView, queryText, readIncludes, requiredString } from '../views'

function list(context: HandlerContext): Reply {
  const { query, store } = context
  const problems = new Problems()
  const eventKey = queryText(query, 'event_key')
  const customerNumber = queryText(query, 'customer_number')
  const confirmed = flag01(query, 'confirmed', problems)
  const include = readIncludes(query, PARTICIPANT_INCLUDES, problems)
  problems.throwIfAny()

  // An unknown event_key or customer_number matches nothing (an empty list, not an error).
  const eventId = eventKey === undefined ? undefined : (store.eventByKey(eventKey)?.id ?? -1)
  const contactId = customerNumber === undefined ? undefined : (store.contactByNumber(customerNumber)?.id ?? -1)
  const rows = [...store.participants.values()].filter(
    (p) =>
      (eventId === undefined || p.event_id === eventId) &&
      (contactId === undefined || p.contact_id === contactId) &&
      (confirmed === undefined || p.is_confirmed === confirmed)
  )
  return {
    body: context.render.list(context, { rows, key: (p) => [p.id], render: (p, time) => participantView(store, p, time, include) })
  }
}

function found(context: HandlerContext): Participant {
  const id = idParam(context)
  const participant = id === undefined ? undefined : context.store.participants.get(id)
  if (!participant) throw notFound()
  return participant
}

const single = (context: HandlerContext, participant: Participant, include?: ReadonlySet<string>) =>
  context.render.single((time) => participantSingleView(context.store, context.settings, participant, time, include))

function getOne(context: HandlerContext): Reply {
  const participant = found(context)
  const problems = new Problems()
  const include = readIncludes(context.query, PARTICIPANT_INCLUDES, problems)
  problems.throwIfAny()
  return { body: single(context, participant, include) }
}

function create(context: HandlerContext): Reply {
  const { body, store, settings } = context
  const problems = new Problems()
  const eventKey = requiredString(body, 'event_key', problems)
  const customerNumber = requiredString(body, 'customer_number', problems)
  const confirmed = optionalBoolean(body, 'is_confirmed', problems)
  const event = eventKey === undefined ? undefined : store.eventByKey(eventKey)
  const contact = customerNumber === undefined ? undefined : store.contactByNumber(customerNumber)
  if (eventKey !== undefined && !event) problems.invalid('event_key')
  if (customerNumber !== undefined && !contact) problems.invalid('customer_number')
  problems.throwIfAny()

  if (store.participantOf(event!.id, contact!.id)) {
    if (settings.duplicateParticipantStatus === 409) throw httpError(409, 'Participant already exists')
    throw validationFailed({ customer_number: ['The contact is already a participant of this event.'] })
  }
  const participant = store.addParticipant({ event_id: event!.id, contact_id: contact!.id, is_confirmed: confirmed ?? false })
  return { status: settings.createdStatus, body: single(context, participant) }
}

function update(context: HandlerContext): Reply {
  const participant = found(context)
  const problems = new Problems()
  const confirmed = optionalBoolean(context.body, 'is_confirmed', problems)
  if (context.method === 'PUT' && context.settings.putSemantics === 'replace' && confirmed === undefined && !problems.any) problems.required('is_confirmed')
  problems.throwIfAny()
  const updated = confirmed === undefined ? participant : context.store.updateParticipant(participant.id, { is_confirmed: confirmed })
  return { body: single(context, updated) }
}

function remove(context: HandlerContext): Reply {
  const participant = found(context)
  context.store.removeParticipant(participant.id)
  return { status: 204, body: '' }
}

const ONE = /^\/participants\/([^/]+)$/

export const participantRoutes: Route[] = [
  { method: 'GET', pattern: /^\/participants$/, scope: 'participants', handle: list },
  { method: 'POST', pattern: /^\/participants$/, scope: 'participants', handle: create },
  { method: 'GET', pattern: ONE, scope: 'participants', handle: getOne },
  { method: 'PUT', pattern: ONE, scope: 'participants', handle: update },
  { method: 'PATCH', pattern: ONE, scope: 'participants', handle: update },
  { method: 'DELETE', pattern: ONE, scope: 'participants', handle: remove }
]
