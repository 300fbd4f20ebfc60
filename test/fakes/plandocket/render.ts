/**
 * Everything about the wire form that the contract leaves open: list envelope, paging, single
 * envelope, timestamp form. Handlers hand over rows and a renderer; this file shapes the answer
 * the way `settings` currently says.
 */
import { createHash, randomUUID } from 'node:crypto'
import { httpError, Problems, words } from './errors'
import { millisOf, unixSeconds } from './time'
import type { FakePlandocketSettings } from './types'

export type WireTime = string | number | null
/** Turns a stored ISO timestamp into its wire form. */
export type TimeForm = (iso: string | null) => WireTime

export type SortKey = readonly (string | number)[]

export interface ListSpec<T> {
  rows: readonly T[]
  /** Sort key of a row; rows are sorted by it (and links cursors point past it). Must be unique: end with the id. */
  key: (row: T) => SortKey
  descending?: boolean
  render: (row: T, time: TimeForm) => unknown
}

/** Request context the renderer needs: the path (relative to /api/v1) and query of the request. */
export interface ListRequest {
  path: string
  query: URLSearchParams
}

export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i]
    const y = b[i]
    if (x === y) continue
    if (x === undefined) return -1
    if (y === undefined) return 1
    if (typeof x === 'number' && typeof y === 'number') return x - y
    return String(x) < String(y) ? -1 : 1
  }
  return 0
}

/** Settings combinations that cannot be served (links.next needs an envelope to carry it). */
export function settingsProblem(settings: FakePlandocketSettings): string | undefined {
  if (settings.paging === 'links' && settings.listEnvelope !== 'full') return "paging 'links' needs listEnvelope 'full' (links.next lives in the body)"
  if (!(settings.defaultPerPage >= 1 && settings.maxPerPage >= settings.defaultPerPage)) return 'need 1 <= defaultPerPage <= maxPerPage'
  return undefined
}

export class Renderer {
  private counter = 0
  private readonly seed: string

  constructor(
    private readonly settings: FakePlandocketSettings,
    private readonly baseUrl: () => string,
    seed?: string | number
  ) {
    this.seed = seed === undefined ? randomUUID() : String(seed)
  }

  requestId(): string {
    return `req_${createHash('sha256').update(`${this.seed}:${this.counter++}`).digest('hex').slice(0, 12)}`
  }

  time(kind: 'single' | 'list'): TimeForm {
    const mode = this.settings.timestamps
    const unix = mode === 'unix' || (mode === 'mixed' && kind === 'single')
    return (iso) => (iso === null ? null : unix ? unixSeconds(millisOf(iso)) : iso)
  }

  /** `{…}` or `{data:{…}, meta:{request_id}}`. */
  single(render: (time: TimeForm) => unknown): unknown {
    const body = render(this.time('single'))
    return this.settings.singleEnvelope === 'bare' ? body : { data: body, meta: { request_id: this.requestId() } }
  }

  list<T>(request: ListRequest, spec: ListSpec<T>): unknown {
    const { paging, listEnvelope } = this.settings
    const sign = spec.descending ? -1 : 1
    const sorted = [...spec.rows].sort((a, b) => sign * compareKeys(spec.key(a), spec.key(b)))
    const time = this.time('list')
    const data = (rows: readonly T[]) => rows.map((row) => spec.render(row, time))

    if (paging === 'none') {
      if (listEnvelope === 'bare') return data(sorted)
      if (listEnvelope === 'data') return { data: data(sorted) }
      return { data: data(sorted), meta: { total: sorted.length }, links: { next: null } }
    }

    const perPage = this.perPage(request.query)
    if (paging === 'page') {
      const page = this.page(request.query)
      const rows = sorted.slice((page - 1) * perPage, page * perPage)
      if (listEnvelope === 'bare') return data(rows)
      if (listEnvelope === 'data') return { data: data(rows) }
      const lastPage = Math.max(1, Math.ceil(sorted.length / perPage))
      const at = (n: number) => this.url(request, { page: String(n), per_page: String(perPage) }, ['cursor'])
      const from = rows.length > 0 ? (page - 1) * perPage + 1 : null
      return {
        data: data(rows),
        meta: {
          current_page: page,
          from,
          last_page: lastPage,
          path: this.url(request, {}, [...request.query.keys()]),
          per_page: perPage,
          to: from === null ? null : from + rows.length - 1,
          total: sorted.length
        },
        links: { first: at(1), last: at(lastPage), prev: page > 1 ? at(page - 1) : null, next: page < lastPage ? at(page + 1) : null }
      }
    }

    // paging === 'links': keyset cursor; `page` is ignored.
    const after = this.readCursor(request)
    const start = after === undefined ? 0 : sorted.findIndex((row) => sign * compareKeys(spec.key(row), after) > 0)
    const rows = start < 0 ? [] : sorted.slice(start, start + perPage)
    const more = start >= 0 && start + perPage < sorted.length
    const nextCursor = more ? encodeCursor(request.path, spec.key(rows[rows.length - 1]!)) : null
    const next = nextCursor === null ? null : this.url(request, { cursor: nextCursor, per_page: String(perPage) }, ['page'])
    return {
      data: data(rows),
      meta: { path: this.url(request, {}, [...request.query.keys()]), per_page: perPage, next_cursor: nextCursor, prev_cursor: null },
      links: { first: null, last: null, prev: null, next }
    }
  }

  private perPage(query: URLSearchParams): number {
    const raw = query.get('per_page')
    if (raw === null) return this.settings.defaultPerPage
    const value = positiveInt(raw, 'per_page')
    return Math.min(value, this.settings.maxPerPage)
  }

  private page(query: URLSearchParams): number {
    const raw = query.get('page')
    return raw === null ? 1 : positiveInt(raw, 'page')
  }

  private readCursor(request: ListRequest): SortKey | undefined {
    const raw = request.query.get('cursor')
    if (raw === null || raw === '') return undefined
    const decoded = decodeCursor(raw)
    if (!decoded || decoded.path !== request.path) throw httpError(400, 'Invalid cursor')
    return decoded.key
  }

  /** Absolute URL of this list with `set` applied and `drop` removed, other params kept in order. */
  private url(request: ListRequest, set: Record<string, string>, drop: readonly string[]): string {
    const query = new URLSearchParams(request.query)
    for (const name of drop) query.delete(name)
    for (const [name, value] of Object.entries(set)) query.set(name, value)
    const search = query.toString()
    return `${this.baseUrl()}${request.path}${search ? `?${search}` : ''}`
  }
}

function positiveInt(raw: string, field: string): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN
  const problems = new Problems()
  if (!Number.isSafeInteger(value)) problems.add(field, `The ${words(field)} field must be an integer.`)
  else if (value < 1) problems.add(field, `The ${words(field)} field must be at least 1.`)
  problems.throwIfAny()
  return value
}

const encodeCursor = (path: string, key: SortKey) => Buffer.from(JSON.stringify({ p: path, k: key })).toString('base64url')

function decodeCursor(raw: string): { path: string; key: SortKey } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
    if (typeof value !== 'object' || value === null) return undefined
    const { p, k } = value as { p?: unknown; k?: unknown }
    if (typeof p !== 'string' || !Array.isArray(k) || !k.every((x) => typeof x === 'string' || typeof x === 'number')) return undefined
    return { path: p, key: k as SortKey }
  } catch {
    return undefined
  }
}
