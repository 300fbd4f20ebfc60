/**
 * The fake's state: events, contacts, participants (a contact on an event) and check-ins, with
 * the indexes the handlers need (event by key, contact by customer number, participant by event
 * and contact / by badge).
 *
 * The store trusts its input: validating client requests is the handlers' job, so tests can seed
 * states a client could not create. It refuses only what would corrupt its indexes.
 */
import { DAY, HOUR, laravelIso, millisOf, parseInstant, plainIso } from './time'
import type { Violation, CheckIn, CheckInSeed, Contact, ContactSeed, EventSeed, Participant, ParticipantSeed, PlandocketEvent } from './types'

export const clone = <T>(value: T): T => structuredClone(value)

const FIRST_NAMES = ['Anna', 'Ben', 'Chloé', 'Dmitri', 'Elif', 'Finn', 'Grace', 'Hiroshi', 'Ingrid', 'José', 'Katarzyna', 'Liam', 'Mia', 'Nils', 'Zoë', 'Łukasz']
const LAST_NAMES = ['Müller', "O'Brien", 'Schmidt', 'García', 'Nguyen', 'Kowalski', 'Smith', 'van der Berg', 'Jensen', 'Rossi', 'Yılmaz', 'Dubois', 'Tanaka']

export interface IdBases {
  event: number
  contact: number
  participant: number
  checkIn: number
}

export const DEFAULT_FIRST_IDS: IdBases = { event: 1001, contact: 20001, participant: 300001, checkIn: 4000001 }

export class PlandocketStore {
  readonly events = new Map<number, PlandocketEvent>()
  readonly contacts = new Map<number, Contact>()
  readonly participants = new Map<number, Participant>()
  readonly checkIns = new Map<number, CheckIn>()
  readonly violations: Violation[] = []

  private readonly eventKeys = new Map<string, number>()
  private readonly customerNumbers = new Map<string, number>()
  /** `${event_id}:${contact_id}` → participant id. */
  private readonly pairs = new Map<string, number>()
  private readonly next: IdBases
  private contactOrdinal = 0

  constructor(
    readonly clock: () => number,
    firstIds: IdBases
  ) {
    this.next = { ...firstIds }
  }

  nowIso(): string {
    return laravelIso(this.clock())
  }

  private take(kind: keyof IdBases, wanted?: number): number {
    if (wanted !== undefined) {
      this.next[kind] = Math.max(this.next[kind], wanted + 1)
      return wanted
    }
    return this.next[kind]++
  }

  // -------------------------------------------------------------------------------------------
  // Events

  addEvent(seed: EventSeed = {}): PlandocketEvent {
    if (seed.id !== undefined && this.events.has(seed.id)) throw new Error(`event ${seed.id} exists`)
    if (seed.event_key !== undefined && this.eventKeys.has(seed.event_key)) throw new Error(`event_key ${seed.event_key} exists`)
    const id = this.take('event', seed.id)
    const start = Math.floor(this.clock() / DAY) * DAY + 7 * DAY + 9 * HOUR
    const date_from = seed.date_from ?? plainIso(start)
    const event: PlandocketEvent = {
      id,
      event_key: seed.event_key ?? `event-${id}`,
      title: seed.title ?? `Event ${id}`,
      description: seed.description ?? '',
      city: seed.city ?? 'Leipzig',
      country: seed.country ?? 'DE',
      date_from,
      date_to: seed.date_to ?? plainIso(millisOf(date_from) + 8 * HOUR),
      is_visible: seed.is_visible ?? true
    }
    for (const field of ['date_from', 'date_to'] as const) {
      if (!parseInstant(event[field])) throw new Error(`event ${field} is not ISO 8601: ${event[field]}`)
    }
    this.events.set(id, event)
    this.eventKeys.set(event.event_key, id)
    return event
  }

  updateEvent(id: number, patch: EventSeed): PlandocketEvent {
    const current = this.events.get(id)
    if (!current) throw new Error(`no event ${id}`)
    if (patch.event_key !== undefined && patch.event_key !== current.event_key && this.eventKeys.has(patch.event_key)) {
      throw new Error(`event_key ${patch.event_key} exists`)
    }
    const next = { ...current, ...patch, id }
    this.eventKeys.delete(current.event_key)
    this.eventKeys.set(next.event_key, id)
    this.events.set(id, next)
    return next
  }

  removeEvent(id: number): boolean {
    const event = this.events.get(id)
    if (!event) return false
    for (const participant of [...this.participants.values()]) if (participant.event_id === id) this.removeParticipant(participant.id)
    this.events.delete(id)
    this.eventKeys.delete(event.event_key)
    return true
  }

  eventByKey(key: string): PlandocketEvent | undefined {
    const id = this.eventKeys.get(key)
    return id === undefined ? undefined : this.events.get(id)
  }

  // -------------------------------------------------------------------------------------------
  // Contacts

  addContact(seed: ContactSeed = {}): Contact {
    if (seed.id !== undefined && this.contacts.has(seed.id)) throw new Error(`contact ${seed.id} exists`)
    if (seed.customer_number !== undefined && this.customerNumbers.has(seed.customer_number)) {
      throw new Error(`customer_number ${seed.customer_number} exists`)
    }
    const n = this.contactOrdinal++
    const id = this.take('contact', seed.id)
    let customer = seed.customer_number ?? String(100001 + n)
    while (seed.customer_number === undefined && this.customerNumbers.has(customer)) customer = `${customer}-${id}`
    const first = seed.first_name ?? FIRST_NAMES[n % FIRST_NAMES.length]!
    const last = seed.last_name ?? LAST_NAMES[Math.floor(n / FIRST_NAMES.length) % LAST_NAMES.length]!
    const contact: Contact = {
      id,
      customer_number: customer,
      first_name: first,
      last_name: last,
      company_name: null,
      email: `contact${n + 1}@example.test`,
      phone: null,
      mobile: null,
      street: null,
      zip: null,
      city: null,
      country: null,
      ...seed
    }
    contact.id = id
    contact.customer_number = customer
    this.contacts.set(id, contact)
    this.customerNumbers.set(customer, id)
    return contact
  }

  updateContact(id: number, patch: ContactSeed): Contact {
    const current = this.contacts.get(id)
    if (!current) throw new Error(`no contact ${id}`)
    if (patch.customer_number !== undefined && patch.customer_number !== current.customer_number && this.customerNumbers.has(patch.customer_number)) {
      throw new Error(`customer_number ${patch.customer_number} exists`)
    }
    const next = { ...current, ...patch, id }
    this.customerNumbers.delete(current.customer_number)
    this.customerNumbers.set(next.customer_number, id)
    this.contacts.set(id, next)
    return next
  }

  contactByNumber(customerNumber: string): Contact | undefined {
    const id = this.customerNumbers.get(customerNumber)
    return id === undefined ? undefined : this.contacts.get(id)
  }

  // -------------------------------------------------------------------------------------------
  // Participants

  addParticipant(seed: ParticipantSeed): Participant {
    const event = seed.event_id !== undefined ? this.events.get(seed.event_id) : seed.event_key !== undefined ? this.eventByKey(seed.event_key) : undefined
    if (!event) throw new Error(`participant seed needs an existing event (event_id or event_key): ${JSON.stringify(seed)}`)
    let contact: Contact | undefined
    if (seed.contact_id !== undefined) contact = this.contacts.get(seed.contact_id)
    else if (seed.customer_number !== undefined) contact = this.contactByNumber(seed.customer_number)
    else contact = this.addContact(seed.contact ?? {})
    if (!contact) throw new Error(`participant seed names no existing contact: ${JSON.stringify(seed)}`)
    if (this.participantOf(event.id, contact.id)) throw new Error(`contact ${contact.id} is already a participant of event ${event.id}`)
    if (seed.id !== undefined && this.participants.has(seed.id)) throw new Error(`participant ${seed.id} exists`)
    const id = this.take('participant', seed.id)
    const now = this.nowIso()
    const participant: Participant = {
      id,
      event_id: event.id,
      contact_id: contact.id,
      is_confirmed: seed.is_confirmed ?? true,
      created_at: seed.created_at ?? now,
      updated_at: seed.updated_at ?? seed.created_at ?? now,
      badge_number: seed.badge_number === undefined ? `B${id}` : seed.badge_number,
      category: seed.category ?? null
    }
    this.participants.set(id, participant)
    this.pairs.set(`${event.id}:${contact.id}`, id)
    return participant
  }

  updateParticipant(id: number, patch: Partial<Pick<Participant, 'is_confirmed' | 'badge_number' | 'category' | 'created_at' | 'updated_at'>>): Participant {
    const current = this.participants.get(id)
    if (!current) throw new Error(`no participant ${id}`)
    const next: Participant = { ...current, updated_at: this.nowIso(), ...patch, id, event_id: current.event_id, contact_id: current.contact_id }
    this.participants.set(id, next)
    return next
  }

  removeParticipant(id: number): boolean {
    const participant = this.participants.get(id)
    if (!participant) return false
    this.participants.delete(id)
    this.pairs.delete(`${participant.event_id}:${participant.contact_id}`)
    return true
  }

  participantOf(eventId: number, contactId: number): Participant | undefined {
    const id = this.pairs.get(`${eventId}:${contactId}`)
    return id === undefined ? undefined : this.participants.get(id)
  }

  participantByBadge(eventId: number, badge: string): Participant | undefined {
    for (const participant of this.participants.values()) {
      if (participant.event_id === eventId && participant.badge_number === badge) return participant
    }
    return undefined
  }

  // -------------------------------------------------------------------------------------------
  // Check-ins

  addCheckIn(seed: CheckInSeed): CheckIn {
    const participant = this.participants.get(seed.event_participant_id)
    if (!participant) throw new Error(`no participant ${seed.event_participant_id}`)
    const event = this.events.get(participant.event_id)!
    const contact = this.contacts.get(participant.contact_id)!
    if (seed.id !== undefined && this.checkIns.has(seed.id)) throw new Error(`check-in ${seed.id} exists`)
    const id = this.take('checkIn', seed.id)
    const checkIn: CheckIn = {
      id,
      event_participant_id: participant.id,
      event_id: event.id,
      event_key: event.event_key,
      contact: clone(contact),
      check_in_type: seed.check_in_type ?? 'manual',
      badge_number: seed.badge_number === undefined ? participant.badge_number : seed.badge_number,
      station: seed.station ?? null,
      checked_in_at: seed.checked_in_at === undefined ? this.nowIso() : seed.checked_in_at,
      checked_out_at: seed.checked_out_at ?? null,
      is_checked_in: seed.is_checked_in ?? (seed.checked_out_at === undefined || seed.checked_out_at === null),
      checked_in_by: seed.checked_in_by ?? 'API',
      notes: seed.notes ?? null
    }
    this.checkIns.set(id, checkIn)
    return checkIn
  }

  replaceCheckIn(checkIn: CheckIn): void {
    this.checkIns.set(checkIn.id, checkIn)
  }

  removeCheckIn(id: number): boolean {
    return this.checkIns.delete(id)
  }

  /** The participant's newest check-in that is still open. */
  openCheckIn(participantId: number): CheckIn | undefined {
    let open: CheckIn | undefined
    for (const checkIn of this.checkIns.values()) {
      if (checkIn.event_participant_id === participantId && checkIn.is_checked_in) open = checkIn
    }
    return open
  }
}
