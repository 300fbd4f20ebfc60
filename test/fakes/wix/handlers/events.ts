/**
 * Calendar Events v3: query by local date range (outside the filter) and get by id.
 */
import { assertValid, notFound, violation } from '../errors'
import { readPageRequest, type FirstPageRequest, type PagingLimits } from '../paging'
import { checkFilter, checkSort, matches, parseSort, sortRows, type Filter } from '../query'
import type { HandlerContext, Route } from '../router'
import { clone } from '../store'
import { eventTime, isValidZone, localToMillis, toMillis } from '../time'
import type { FieldViolation, RecurrenceType, WixEvent } from '../types'

const LIMITS: PagingLimits = {
  defaultLimit: 50,
  // The contract gives no maximum; 100 is what its own example uses and Wix's usual cap.
  maxLimit: 100,
  firstPageOnly: ['fromLocalDate', 'toLocalDate', 'timeZone', 'recurrenceType']
}
const RECURRENCE_TYPES: readonly RecurrenceType[] = ['NONE', 'MASTER', 'INSTANCE', 'EXCEPTION']
/** Without recurrenceType, series masters are left out: they are templates, not sessions. */
const DEFAULT_RECURRENCE: readonly RecurrenceType[] = ['NONE', 'INSTANCE', 'EXCEPTION']

interface Window {
  from?: number
  to?: number
  zone: string
  recurrence: readonly string[]
  mode: 'overlap' | 'within' | 'starts'
}

/** Reads the time range; local dates are wall-clock times in `timeZone` (default: the business zone). */
function readWindow(body: Record<string, unknown>, businessZone: string, mode: Window['mode']): Window {
  const problems: FieldViolation[] = []
  const zone = body.timeZone ?? businessZone
  if (!isValidZone(zone)) problems.push(violation('timeZone', 'FORMAT', 'timeZone must be an IANA zone'))
  const at = (field: 'fromLocalDate' | 'toLocalDate') => {
    if (body[field] === undefined || !isValidZone(zone)) return undefined
    const millis = localToMillis(body[field], zone)
    if (millis === undefined) problems.push(violation(field, 'FORMAT', `${field} must look like 2026-07-06T09:00:00`))
    return millis
  }
  const window = { from: at('fromLocalDate'), to: at('toLocalDate'), zone: zone as string, recurrence: DEFAULT_RECURRENCE as readonly string[], mode }
  if (body.recurrenceType !== undefined) {
    const types = body.recurrenceType
    if (!Array.isArray(types) || types.some((t) => !RECURRENCE_TYPES.includes(t))) {
      problems.push(violation('recurrenceType', 'INVALID_ENUM_VALUE', `recurrenceType must be a list of ${RECURRENCE_TYPES.join('|')}`))
    } else window.recurrence = types as string[]
  }
  assertValid(problems)
  return window
}

/**
 * overlap: the event ends after `from` and starts before `to`; within: it starts at or after
 * `from` and ends by `to`; starts: it starts inside the range.
 */
function inWindow(event: WixEvent, window: Window): boolean {
  if (!window.recurrence.includes(event.recurrenceType)) return false
  const start = toMillis(event.start.utcDate)
  const end = toMillis(event.end.utcDate)
  const lower = window.mode === 'overlap' ? end : start
  const upper = window.mode === 'within' ? end : start
  if (window.from !== undefined && (window.mode === 'overlap' ? lower <= window.from : lower < window.from)) return false
  if (window.to !== undefined && (window.mode === 'within' ? upper > window.to : upper >= window.to)) return false
  return true
}

/** The event as a response shows it: adjustedStart/End in the zone the request asked for. */
export function eventView(event: WixEvent, zone: string): WixEvent {
  const view = clone(event)
  view.adjustedStart = eventTime(toMillis(event.start.utcDate), zone)
  view.adjustedEnd = eventTime(toMillis(event.end.utcDate), zone)
  return view
}

/** Runs the first request's query once; later pages replay its snapshot (see Pager). */
function evaluate(ctx: HandlerContext, { filter = {}, sort }: FirstPageRequest) {
  const window = readWindow(ctx.body, ctx.zone, ctx.settings.eventRange)
  assertValid([...checkFilter(filter), ...checkSort(sort)])
  const specs = parseSort(sort)
  const rows = [...ctx.store.events.values()].filter((row) => inWindow(row.value, window) && matches(row.value, filter as Filter))
  const ordered = sortRows(rows, specs.length > 0 ? specs : [{ fieldName: 'start', order: 'ASC' }])
  return { ids: ordered.map((event) => event.id), context: window.zone }
}

function queryEvents(ctx: HandlerContext) {
  const request = readPageRequest(ctx.body, LIMITS)
  const page = ctx.pager.page('events', request, (first) => evaluate(ctx, first), { withCount: true })
  const events = page.ids.flatMap((id) => {
    const event = ctx.store.getEvent(id)
    return event ? [eventView(event, page.context)] : []
  })
  return { body: { events, pagingMetadata: page.metadata(events.length) } }
}

function getEvent(ctx: HandlerContext) {
  const event = ctx.store.getEvent(ctx.params[0]!)
  if (!event) throw notFound('EVENT_NOT_FOUND', 'Event')
  return { body: { event: eventView(event, event.timeZone) } }
}

export const eventRoutes: Route[] = [
  { method: 'POST', pattern: /^\/calendar\/v3\/events\/query$/, handle: queryEvents },
  { method: 'GET', pattern: /^\/calendar\/v3\/events\/([^/]+)$/, handle: getEvent }
]
