/**
 * Cursor paging as the contract describes it: the first request carries filter/sort/limit, every
 * next one ONLY `{cursorPaging:{cursor, limit}}` because the cursor stands for the whole query.
 *
 * A cursor points into a snapshot of the matching ids taken by the first request, so rows added
 * or re-sorted between pages never shift or repeat a page, and replaying a cursor (a retry after a
 * timeout) returns the same page and the same next cursor.
 */
import { applicationError, assertValid, violation } from './errors'
import type { IdSource } from './ids'
import { isPlainObject } from './query'
import type { FakeWixSettings, FieldViolation } from './types'

export interface FirstPageRequest {
  kind: 'first'
  filter: unknown
  sort: unknown
  limit: number
}
export type PageRequest = FirstPageRequest | { kind: 'next'; cursor: string; limit: number | undefined }

export interface PagingLimits {
  defaultLimit: number
  maxLimit: number
  /** Top-level body fields (beside `query`) that belong to the first request only. */
  firstPageOnly?: readonly string[]
}

/** Reads and checks `body.query` (absent = `{}`), enforcing the next-page-carries-only-the-cursor rule. */
export function readPageRequest(body: Record<string, unknown>, limits: PagingLimits): PageRequest {
  const query = body.query ?? {}
  if (!isPlainObject(query)) throw applicationError(400, 'INVALID_ARGUMENT', 'query must be an object')
  const paging = query.cursorPaging ?? {}
  const problems: FieldViolation[] = []
  if (query.paging !== undefined) problems.push(violation('query.paging', 'FIELD_NOT_ALLOWED', 'use cursorPaging'))
  if (!isPlainObject(paging)) problems.push(violation('query.cursorPaging', 'FORMAT', 'cursorPaging must be an object'))
  const limit = isPlainObject(paging) ? checkLimit(paging.limit, limits, problems) : undefined
  const cursor = isPlainObject(paging) ? paging.cursor : undefined

  if (cursor === undefined || cursor === null) {
    assertValid(problems)
    return { kind: 'first', filter: query.filter, sort: query.sort, limit: limit ?? limits.defaultLimit }
  }
  if (typeof cursor !== 'string' || cursor === '') problems.push(violation('query.cursorPaging.cursor', 'FORMAT', 'cursor must be a non-empty string'))
  for (const key of Object.keys(query)) {
    if (key !== 'cursorPaging') problems.push(violation(`query.${key}`, 'FIELD_NOT_ALLOWED', 'a request with a cursor must carry only cursorPaging'))
  }
  for (const key of limits.firstPageOnly ?? []) {
    if (body[key] !== undefined) problems.push(violation(key, 'FIELD_NOT_ALLOWED', 'a request with a cursor must carry only cursorPaging'))
  }
  assertValid(problems)
  return { kind: 'next', cursor: cursor as string, limit }
}

function checkLimit(limit: unknown, limits: PagingLimits, problems: FieldViolation[]): number | undefined {
  if (limit === undefined || limit === null) return undefined
  const field = 'query.cursorPaging.limit'
  if (typeof limit !== 'number' || !Number.isInteger(limit)) problems.push(violation(field, 'FORMAT', 'limit must be an integer'))
  else if (limit < 1) problems.push(violation(field, 'MIN', 'limit must be at least 1', { threshold: 1 }))
  else if (limit > limits.maxLimit) problems.push(violation(field, 'MAX', `limit must be at most ${limits.maxLimit}`, { threshold: limits.maxLimit }))
  else return limit
  return undefined
}

export interface PagingMetadata {
  count?: number
  cursors: { next?: string; prev?: string }
  hasNext: boolean
}

interface Snapshot {
  kind: string
  ids: string[]
  context: unknown
  /** `${offset}:${limit}` → token, so the same position always gets the same cursor. */
  tokens: Map<string, string>
}

interface CursorState {
  snapshot: Snapshot
  offset: number
  limit: number
}

export class Pager {
  private readonly cursors = new Map<string, CursorState>()
  private responses = 0

  constructor(
    private readonly ids: IdSource,
    private readonly settings: FakeWixSettings
  ) {}

  /**
   * One page for `request`. `evaluate` runs only on a first request: the query is evaluated once
   * and frozen in the snapshot together with its `context` (what else the cursor stands for, e.g.
   * the zone of an events query). Rows deleted since the snapshot are the caller's to skip.
   */
  page<C>(kind: string, request: PageRequest, evaluate: (first: FirstPageRequest) => { ids: string[]; context: C }, options: { withCount: boolean }) {
    const state = request.kind === 'first' ? this.start(kind, evaluate(request), request.limit) : this.resume(kind, request)
    const end = state.offset + state.limit
    const ids = state.snapshot.ids.slice(state.offset, end)
    const hasNext = end < state.snapshot.ids.length
    const prev = state.offset > 0 ? this.token(state.snapshot, Math.max(0, state.offset - state.limit), state.limit) : undefined
    const cursors: PagingMetadata['cursors'] = {}
    if (hasNext) cursors.next = this.token(state.snapshot, end, state.limit)
    if (prev && (hasNext || this.settings.lastPageCursors === 'prev')) cursors.prev = prev
    return {
      ids,
      context: state.snapshot.context as C,
      metadata: (count: number) => this.metadata(count, cursors, hasNext, options.withCount)
    }
  }

  private metadata(count: number, cursors: PagingMetadata['cursors'], hasNext: boolean, withCount: boolean): PagingMetadata {
    const n = this.responses++
    const mode = this.settings.pagingCount
    const showCount = withCount && (mode === 'present' || (mode === 'alternate' && n % 2 === 0))
    return showCount ? { count, cursors, hasNext } : { cursors, hasNext }
  }

  private start(kind: string, result: { ids: string[]; context: unknown }, limit: number): CursorState {
    return { snapshot: { kind, ...result, tokens: new Map() }, offset: 0, limit }
  }

  private resume(kind: string, request: Extract<PageRequest, { kind: 'next' }>): CursorState {
    const state = this.cursors.get(request.cursor)
    if (!state || state.snapshot.kind !== kind) throw applicationError(400, 'INVALID_CURSOR', 'cursor is not valid for this query')
    return { ...state, limit: request.limit ?? state.limit }
  }

  private token(snapshot: Snapshot, offset: number, limit: number): string {
    const key = `${offset}:${limit}`
    let token = snapshot.tokens.get(key)
    if (!token) {
      token = this.ids.cursor()
      snapshot.tokens.set(key, token)
      this.cursors.set(token, { snapshot, offset, limit })
    }
    return token
  }
}
