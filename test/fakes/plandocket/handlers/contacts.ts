/**
 * Contacts: `GET /contacts?search=&event_key=` and `POST /contacts`, which with `event_keys` also
 * makes the new contact a participant of each of those events (unconfirmed).
 */
import { Problems } from '../errors'
import type { HandlerContext, Reply, Route } from '../router'
import type { Contact, ContactSeed } from '../types'
import { contactView, optionalString, queryText, requiredString } from '../views'

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const TEXT_FIELDS = ['first_name', 'last_name', 'company_name', 'phone', 'mobile', 'street', 'zip', 'city', 'country'] as const

function list(context: HandlerContext): Reply {
  const { query, store } = context
  const search = queryText(query, 'search')?.toLowerCase()
  const eventKey = queryText(query, 'event_key')
  let onEvent: Set<number> | undefined
  if (eventKey !== undefined) {
    const event = store.eventByKey(eventKey)
    onEvent = new Set([...store.participants.values()].filter((p) => p.event_id === event?.id).map((p) => p.contact_id))
  }
  const matches = (contact: Contact) =>
    [`${contact.first_name} ${contact.last_name}`, contact.company_name, contact.email, contact.customer_number].some(
      (text) => typeof text === 'string' && text.toLowerCase().includes(search!)
    )
  const rows = [...store.contacts.values()].filter((c) => (onEvent === undefined || onEvent.has(c.id)) && (search === undefined || matches(c)))
  return { body: context.render.list(context, { rows, key: (c) => [c.id], render: contactView }) }
}

function create(context: HandlerContext): Reply {
  const { body, store } = context
  const problems = new Problems()
  const email = requiredString(body, 'email', problems)
  if (email !== undefined && !EMAIL.test(email)) problems.add('email', 'The email field must be a valid email address.')
  // Not seeded names: a contact made through the API has only what the client sent.
  const seed: ContactSeed = { first_name: '', last_name: '' }
  for (const field of TEXT_FIELDS) {
    const value = optionalString(body, field, problems)
    if (value === undefined) continue
    if (field === 'first_name' || field === 'last_name') seed[field] = value ?? ''
    else seed[field] = value
  }
  const customerNumber = optionalString(body, 'customer_number', problems)
  if (typeof customerNumber === 'string') {
    if (store.contactByNumber(customerNumber)) problems.add('customer_number', 'The customer number has already been taken.')
    else seed.customer_number = customerNumber
  }
  // `event_keys` (JSON array); the PHP-style name `event_keys[]` is read the same way.
  const field = body.event_keys !== undefined ? 'event_keys' : body['event_keys[]'] !== undefined ? 'event_keys[]' : undefined
  const keys: string[] = []
  if (field !== undefined) {
    const raw = body[field]
    if (!Array.isArray(raw)) problems.add('event_keys', 'The event keys field must be an array.')
    else {
      raw.forEach((key, i) => {
        if (typeof key !== 'string' || !store.eventByKey(key)) problems.invalid(`event_keys.${i}`)
        else if (!keys.includes(key)) keys.push(key)
      })
    }
  }
  problems.throwIfAny()

  const contact = store.addContact({ ...seed, email: email! })
  for (const key of keys) store.addParticipant({ event_key: key, contact_id: contact.id, is_confirmed: false })
  return { status: context.settings.createdStatus, body: context.render.single(() => contactView(contact)) }
}

export const contactRoutes: Route[] = [
  { method: 'GET', pattern: /^\/contacts$/, scope: 'contacts', handle: list },
  { method: 'POST', pattern: /^\/contacts$/, scope: 'contacts', handle: create }
]
