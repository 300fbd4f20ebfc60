/**
 * Calendar Participations v3: create (idempotent by key), get, update (optimistic, by revision),
 * delete, query. Every write keeps the booked events' capacity in step.
 */
import { applicationError, assertValid, notFound, violation, WixHttpError } from '../errors'
import { readPageRequest, type FirstPageRequest, type PagingLimits } from '../paging'
import { checkFilter, checkSort, isPlainObject, matches, parseSort, sortRows, type Filter, type FilterRules } from '../query'
import type { HandlerContext, Route } from '../router'
import { clone } from '../store'
import { BOOKINGS_APP_ID, type FieldViolation, type Participation } from '../types'
import { canonicalJson, checkEnum, checkInteger, checkObject, checkString, int64String } from '../validate'

const STATUSES = ['CONFIRMED', 'PENDING_CONFIRMATION'] as const
// The contract: default 50, maximum unknown ("use ≤ 100"): the fake refuses more than 100.
const LIMITS: PagingLimits = { defaultLimit: 50, maxLimit: 100 }
const EQ_IN = ['$eq', '$in'] as const
/** The filters the contract lists for this endpoint (enforced while settings.strictFilters). */
const STRICT_FILTERS: FilterRules = { fields: { id: EQ_IN, eventId: EQ_IN, scheduleId: EQ_IN, externalId: EQ_IN }, logical: true }
const STRICT_SORT = ['createdDate']
const REVISION_CONFLICT = 'entity has already changed since the requested revision'

/** Key order as in the published samples. */
function view(p: Participation): Participation {
  const { id, externalId, participant, eventId, scheduleId, partySize, status, appId, revision, createdDate, updatedDate, extendedFields } = clone(p)
  return { id, externalId, participant, eventId, scheduleId, partySize, status, appId, revision, createdDate, updatedDate, extendedFields }
}

// ---------------------------------------------------------------------------------------------
// Input checks

function checkParticipant(participant: unknown, required: boolean): FieldViolation[] {
  const problems = checkObject(participant, 'participation.participant', required)
  if (problems.length > 0 || !isPlainObject(participant)) return problems
  return [
    ...checkString(participant.name, 'participation.participant.name', { required, min: 1, max: 200 }),
    ...checkString(participant.phone, 'participation.participant.phone'),
    ...checkString(participant.email, 'participation.participant.email'),
    ...checkString(participant.contactId, 'participation.participant.contactId', { guid: true })
  ]
}

function checkExtendedFields(extended: unknown): FieldViolation[] {
  const problems = checkObject(extended, 'participation.extendedFields')
  if (problems.length > 0 || !isPlainObject(extended)) return problems
  const namespaces = extended.namespaces
  if (!isPlainObject(namespaces)) return [violation('participation.extendedFields.namespaces', 'FORMAT', 'namespaces must be an object')]
  return Object.entries(namespaces).flatMap(([ns, data]) => checkObject(data, `participation.extendedFields.namespaces.${ns}`, true))
}

/** Fields both create and update accept. */
function checkCommon(input: Record<string, unknown>, forCreate: boolean): FieldViolation[] {
  return [
    ...checkParticipant(input.participant, forCreate),
    ...checkInteger(input.partySize, 'participation.partySize', { required: forCreate, min: 1, max: 1000 }),
    ...checkEnum(input.status, 'participation.status', STATUSES),
    ...checkString(input.externalId, 'participation.externalId', { guid: true }),
    ...checkExtendedFields(input.extendedFields)
  ]
}

function checkTarget(input: Record<string, unknown>): FieldViolation[] {
  const hasEvent = input.eventId !== undefined && input.eventId !== null
  const hasSchedule = input.scheduleId !== undefined && input.scheduleId !== null
  if (hasEvent && hasSchedule) return [violation('participation.eventId', 'ONE_OF_ALIGNMENT', 'set exactly one of eventId or scheduleId')]
  if (!hasEvent && !hasSchedule) return [violation('participation.eventId', 'REQUIRED_ONE_OF_FIELD', 'eventId or scheduleId is required')]
  return hasEvent
    ? checkString(input.eventId, 'participation.eventId', { min: 36, max: 250 })
    : checkString(input.scheduleId, 'participation.scheduleId', { guid: true })
}

function readParticipation(body: Record<string, unknown>): Record<string, unknown> {
  assertValid(checkObject(body.participation, 'participation', true))
  return body.participation as Record<string, unknown>
}

/**
 * "Wix Bookings manages the participations of its own events; do not create, update or delete
 * them." Wix's answer to such a write is not documented: the fake refuses it (403) and records it
 * as a violation, so a test fails whichever way a client reads the answer.
 */
function refuseBookingsWrite(ctx: HandlerContext, appId: string | undefined, what: string): void {
  if (appId !== BOOKINGS_APP_ID) return
  ctx.flag('BOOKINGS_PARTICIPATION_WRITE', `${what}, which Bookings manages`)
  throw applicationError(403, 'PERMISSION_DENIED', 'participations of Wix Bookings events are managed by Wix Bookings')
}

function capacityError(ctx: HandlerContext, target: { eventId?: string; scheduleId?: string }, extra: number): WixHttpError | undefined {
  const full = ctx.store.overbooked(target, extra)
  if (!full) return undefined
  // The contract is silent on this error: the fake answers 400 with this applicationError.
  return applicationError(400, 'CAPACITY_EXCEEDED', 'not enough capacity on the event', {
    eventId: full.id,
    remainingCapacity: full.remainingCapacity ?? null,
    requested: extra
  })
}

// ---------------------------------------------------------------------------------------------
// Handlers

function create(ctx: HandlerContext) {
  const input = readParticipation(ctx.body)
  const key = ctx.body.idempotencyKey
  assertValid([...checkTarget(input), ...checkCommon(input, true), ...checkString(key, 'idempotencyKey', { guid: true })])

  if (typeof key === 'string') {
    const earlier = ctx.store.idempotency.get(key)
    if (earlier) return replayCreate(ctx, key, earlier, input)
  }
  const target = { eventId: input.eventId as string | undefined, scheduleId: input.scheduleId as string | undefined }
  const events = ctx.store.eventsOf(target)
  if (events.length === 0) {
    throw target.eventId !== undefined ? notFound('EVENT_NOT_FOUND', 'Event') : notFound('SCHEDULE_NOT_FOUND', 'Schedule')
  }
  refuseBookingsWrite(ctx, events[0]!.appId, `create of a participation on ${target.eventId ?? target.scheduleId}`)
  const tooMany = capacityError(ctx, target, input.partySize as number)
  if (tooMany) throw tooMany

  const participation = ctx.store.buildParticipation({
    ...target,
    externalId: input.externalId as string | undefined,
    participant: input.participant as Participation['participant'],
    partySize: input.partySize as number,
    status: (input.status as Participation['status'] | undefined) ?? 'CONFIRMED',
    extendedFields: input.extendedFields as Participation['extendedFields'],
    appId: undefined // read-only: always the event's
  })
  if (input.externalId === undefined) delete participation.externalId
  if (input.extendedFields === undefined) delete participation.extendedFields
  ctx.store.insertParticipation(participation)
  if (typeof key === 'string') ctx.store.idempotency.set(key, { request: canonicalJson(input), created: clone(participation) })
  return { body: { participation: view(participation) } }
}

/** A repeated key never creates again: it answers 200 with the original (as it is now, if it still exists). */
function replayCreate(ctx: HandlerContext, key: string, earlier: { request: string; created: Participation }, input: Record<string, unknown>) {
  if (earlier.request !== canonicalJson(input)) ctx.flag('IDEMPOTENCY_KEY_REUSED', `idempotencyKey ${key} was reused for a different participation`)
  const current = ctx.store.getParticipation(earlier.created.id) ?? earlier.created
  return { body: { participation: view(current) } }
}

function get(ctx: HandlerContext) {
  const participation = ctx.store.getParticipation(ctx.params[0]!)
  if (!participation) throw notFound('PARTICIPATION_NOT_FOUND', 'Participation')
  return { body: { participation: view(participation) } }
}

function update(ctx: HandlerContext) {
  const current = ctx.store.getParticipation(ctx.params[0]!)
  if (!current) throw notFound('PARTICIPATION_NOT_FOUND', 'Participation')
  refuseBookingsWrite(ctx, current.appId, `update of participation ${current.id}`)
  const input = readParticipation(ctx.body)
  const revision = int64String(input.revision)
  assertValid([
    ...(input.revision === undefined ? [violation('participation.revision', 'REQUIRED_FIELD', 'revision is required')] : []),
    ...(input.revision !== undefined && revision === undefined ? [violation('participation.revision', 'FORMAT', 'revision must be an int64')] : []),
    ...checkCommon(input, false),
    ...checkUnchangedTarget(input, current)
  ])
  if (revision !== current.revision) throw revisionConflict(ctx, current)
  const extra = typeof input.partySize === 'number' ? input.partySize - current.partySize : 0
  const tooMany = capacityError(ctx, current, extra)
  if (tooMany) throw tooMany

  const next = applyPatch(current, input, ctx.store.nowIso())
  ctx.store.replaceParticipation(current.id, next)
  return { body: { participation: view(next) } }
}

/** eventId / scheduleId say what was booked: they may be echoed back but not changed. */
function checkUnchangedTarget(input: Record<string, unknown>, current: Participation): FieldViolation[] {
  return (['eventId', 'scheduleId'] as const).flatMap((field) =>
    input[field] !== undefined && input[field] !== current[field] ? [violation(`participation.${field}`, 'FIELD_NOT_ALLOWED', `${field} cannot be changed`)] : []
  )
}

function revisionConflict(ctx: HandlerContext, current: Participation): WixHttpError {
  const code = ctx.settings.revisionConflictCode
  if (code === null) return new WixHttpError(409, { message: REVISION_CONFLICT, details: {} })
  return applicationError(409, code, REVISION_CONFLICT, { currentRevision: current.revision })
}

/**
 * PATCH semantics: only the fields sent change. `participant` merges field by field; each
 * namespace sent under extendedFields.namespaces replaces that namespace's data, others stay.
 * Read-only fields (id, appId, dates) are ignored, as Wix ignores them.
 */
function applyPatch(current: Participation, input: Record<string, unknown>, now: string): Participation {
  const next = clone(current)
  if (isPlainObject(input.participant)) next.participant = { ...next.participant, ...(input.participant as Partial<Participation['participant']>) }
  if (input.partySize !== undefined) next.partySize = input.partySize as number
  if (input.status !== undefined) next.status = input.status as Participation['status']
  if (input.externalId !== undefined) next.externalId = input.externalId as string
  if (isPlainObject(input.extendedFields)) {
    const namespaces = input.extendedFields.namespaces as Record<string, Record<string, unknown>>
    next.extendedFields = { namespaces: { ...next.extendedFields?.namespaces, ...namespaces } }
  }
  next.revision = String(BigInt(current.revision) + 1n)
  next.updatedDate = now
  return next
}

function remove(ctx: HandlerContext) {
  const current = ctx.store.getParticipation(ctx.params[0]!)
  if (!current) throw notFound('PARTICIPATION_NOT_FOUND', 'Participation')
  refuseBookingsWrite(ctx, current.appId, `delete of participation ${current.id}`)
  ctx.store.deleteParticipation(current.id)
  return { body: {} }
}

/** Runs the first request's query once; later pages replay its snapshot (see Pager). */
function evaluate(ctx: HandlerContext, { filter = {}, sort }: FirstPageRequest) {
  const strict = ctx.settings.strictFilters
  assertValid([...checkFilter(filter, strict ? STRICT_FILTERS : undefined), ...checkSort(sort, strict ? STRICT_SORT : undefined)])
  const specs = parseSort(sort)
  const rows = [...ctx.store.participations.values()].filter((row) => matches(row.value, filter as Filter))
  const ordered = sortRows(rows, specs.length > 0 ? specs : [{ fieldName: 'createdDate', order: 'DESC' }])
  return { ids: ordered.map((p) => p.id), context: undefined }
}

function query(ctx: HandlerContext) {
  const request = readPageRequest(ctx.body, LIMITS)
  const page = ctx.pager.page('participations', request, (first) => evaluate(ctx, first), { withCount: true })
  const participations = page.ids.flatMap((id) => {
    const participation = ctx.store.getParticipation(id)
    return participation ? [view(participation)] : []
  })
  return { body: { participations, pagingMetadata: page.metadata(participations.length) } }
}

export const participationRoutes: Route[] = [
  { method: 'POST', pattern: /^\/calendar\/v3\/participations\/query$/, handle: query },
  { method: 'POST', pattern: /^\/calendar\/v3\/participations$/, handle: create },
  { method: 'GET', pattern: /^\/calendar\/v3\/participations\/([^/]+)$/, handle: get },
  { method: 'PATCH', pattern: /^\/calendar\/v3\/participations\/([^/]+)$/, handle: update },
  { method: 'DELETE', pattern: /^\/calendar\/v3\/participations\/([^/]+)$/, handle: remove }
]
