/**
 * Events: `GET /events` (search, visible, upcoming, date_from/date_to overlap, sort, order,
 * include=participant_count) and `GET /events/{id}`.
 */
import { notFound, Problems } from '../errors'
import { idParam, type HandlerContext, type Route } from '../router'
import { DAY, millisOf, parseInstant } from '../time'
import type { PlandocketEvent } from '../types'
import { eventView, flag01, queryText, readIncludes } from '../views'

const SORTS = ['date_from', 'date_to', 'title', 'id'] as const
type Sort = (typeof SORTS)[number]

function participantCounts(context: HandlerContext): Map<number, number> {
  const counts = new Map<number, number>()
  for (const participant of context.store.participants.values()) counts.set(participant.event_id, (counts.get(participant.event_id) ?? 0) + 1)
  return counts
}

/** A range bound; a bare date as `date_to` means the end of that day (UTC). */
function bound(context: HandlerContext, field: 'date_from' | 'date_to', problems: Problems): number | undefined {
  const raw = queryText(context.query, field)
  if (raw === undefined) return undefined
  const parsed = parseInstant(raw)
  if (!parsed) {
    problems.add(field, `The ${field.replace('_', ' ')} is not a valid date.`)
    return undefined
  }
  return field === 'date_to' && parsed.dateOnly ? parsed.millis + DAY - 1 : parsed.millis
}

function list(context: HandlerContext) {
  const { query } = context
  const problems = new Problems()
  const search = queryText(query, 'search')?.toLowerCase()
  const visible = flag01(query, 'visible', problems)
  const upcoming = flag01(query, 'upcoming', problems)
  const from = bound(context, 'date_from', problems)
  const to = bound(context, 'date_to', problems)
  if (from !== undefined && to !== undefined && to < from) problems.add('date_to', 'The date to must be a date after or equal to date from.')
  const sortName = queryText(query, 'sort') ?? 'id'
  if (!(SORTS as readonly string[]).includes(sortName)) problems.invalid('sort')
  const order = (queryText(query, 'order') ?? 'asc').toLowerCase()
  if (order !== 'asc' && order !== 'desc') problems.invalid('order')
  const include = readIncludes(query, ['participant_count'], problems)
  problems.throwIfAny()

  const now = context.clock()
  const rows = [...context.store.events.values()].filter((event) => {
    if (visible !== undefined && event.is_visible !== visible) return false
    if (search !== undefined && ![event.title, event.description, event.city, event.event_key].some((text) => text.toLowerCase().includes(search))) {
      return false
    }
    const start = millisOf(event.date_from)
    const end = millisOf(event.date_to)
    // Upcoming = not over yet: an event that has started but not ended still counts.
    if (upcoming === true && end < now) return false
    if (upcoming === false && end >= now) return false
    // Overlap, boundaries inclusive.
    if (from !== undefined && end < from) return false
    if (to !== undefined && start > to) return false
    return true
  })
  const counts = include.has('participant_count') ? participantCounts(context) : undefined
  const sort = sortName as Sort
  const key = (event: PlandocketEvent) => {
    if (sort === 'date_from' || sort === 'date_to') return [millisOf(event[sort]), event.id]
    if (sort === 'title') return [event.title.toLowerCase(), event.id]
    return [event.id]
  }
  return {
    body: context.render.list(context, {
      rows,
      key,
      descending: order === 'desc',
      render: (event) => eventView(event, counts ? (counts.get(event.id) ?? 0) : undefined)
    })
  }
}

function getOne(context: HandlerContext) {
  const id = idParam(context)
  const event = id === undefined ? undefined : context.store.events.get(id)
  if (!event) throw notFound()
  const problems = new Problems()
  const include = readIncludes(context.query, ['participant_count'], problems)
  problems.throwIfAny()
  const count = include.has('participant_count') ? (participantCounts(context).get(event.id) ?? 0) : undefined
  return { body: context.render.single(() => eventView(event, count)) }
}

export const eventRoutes: Route[] = [
  { method: 'GET', pattern: /^\/events$/, scope: 'events', handle: list },
  { method: 'GET', pattern: /^\/events\/([^/]+)$/, scope: 'events', handle: getOne }
]
