/**
 * The Wix side of the fake's HTTP server: checks auth like the Wix gateway and hands the request
 * to a route handler; the plumbing and faults are common to all fakes.
 */
import type { IncomingMessage } from 'node:http'
import { FakeHttpServer, parseJsonObject, RateWindow, type Answer, type FaultController, type Incoming, type LoggedRequest as BaseLoggedRequest } from '../common'
import { applicationError, WixHttpError } from './errors'
import type { IdSource } from './ids'
import type { Pager } from './paging'
import { findRoute, type HandlerContext, type Route } from './router'
import type { WixStore } from './store'
import type { FakeWixSettings, LoggedRequest, Violation, WixPermission } from './types'

export interface ServerParts {
  routes: readonly Route[]
  store: WixStore
  pager: Pager
  ids: IdSource
  settings: FakeWixSettings
  faults: FaultController
  /** API key → its permissions; read on every request, so tests may change it. */
  keys: Map<string, readonly WixPermission[]>
  siteId: string
  zone: string
  clock: () => number
}

/** What a client gets when it forgets its own User-Agent (seen: 403, empty body). */
const DEFAULT_USER_AGENTS = /^(node|undici)(\/|$)/i
const MALFORMED_BODY = '{"message": <html>upstream error</html>'
const TOO_MANY = { message: 'Too many requests', details: { applicationError: { code: 'TOO_MANY_REQUESTS', description: 'Too many requests', data: {} } } }

export class WixServer extends FakeHttpServer<LoggedRequest> {
  private readonly flagged: Violation[] = []
  private readonly rate = new RateWindow(60_000)

  constructor(private readonly parts: ServerParts) {
    super({ faults: parts.faults, rateLimitBody: TOO_MANY, malformedBody: MALFORMED_BODY })
  }

  violations(): Violation[] {
    return structuredClone(this.flagged)
  }

  protected describe(entry: BaseLoggedRequest, { req }: Incoming): LoggedRequest {
    return { ...entry, remoteAddress: req.socket.remoteAddress ?? null }
  }

  // -------------------------------------------------------------------------------------------
  // Gateway checks and dispatch

  /** Gateway checks, then the handler; every refusal is an answer, never an exception. */
  protected process(entry: LoggedRequest, { raw, req }: Incoming): Answer {
    try {
      this.checkUserAgent(req)
      this.checkAuth(req)
      if (this.rate.refuses(this.parts.settings.rateLimitPerMinute, this.parts.clock)) return { status: 429, body: TOO_MANY }
      const found = findRoute(this.parts.routes, entry.method, entry.path)
      if (!found) throw applicationError(404, 'NOT_FOUND', `no route ${entry.method} ${entry.path}`)
      this.checkPermission(req, entry)
      const context = this.context(entry, found.params, parseBody(raw))
      entry.processed = true
      const reply = found.route.handle(context)
      entry.answer = structuredClone(reply.body)
      return { status: reply.status ?? 200, body: reply.body }
    } catch (error) {
      if (error instanceof WixHttpError) return { status: error.status, body: error.body }
      return { status: 500, body: { message: `fake Wix bug: ${String(error)}`, details: {} } }
    }
  }

  private context(entry: LoggedRequest, params: string[], body: Record<string, unknown>): HandlerContext {
    const { store, pager, ids, settings, zone } = this.parts
    const flag = (rule: Violation['rule'], detail: string) => this.flagged.push({ rule, method: entry.method, path: entry.path, detail })
    return { store, pager, ids, settings, zone, method: entry.method, path: entry.path, params, body, flag }
  }

  /** A key without the API's permission: 403 before anything is looked up (so before a 404). */
  private checkPermission(req: IncomingMessage, entry: LoggedRequest): void {
    const held = this.parts.keys.get(req.headers.authorization ?? '') ?? []
    const needed = permissionsFor(entry.method, entry.path)
    if (!needed.some((p) => held.includes(p))) {
      throw applicationError(403, 'PERMISSION_DENIED', `the API key lacks the permission ${needed.join(' or ')}`, { permissions: needed })
    }
  }

  private checkUserAgent(req: IncomingMessage): void {
    const agent = req.headers['user-agent']?.trim()
    if (!agent || DEFAULT_USER_AGENTS.test(agent)) throw new WixHttpError(403, '')
  }

  private checkAuth(req: IncomingMessage): void {
    const key = req.headers.authorization
    if (!key) throw applicationError(401, 'UNAUTHENTICATED', 'missing Authorization header')
    if (!this.parts.keys.has(key)) {
      const hint = /^bearer /i.test(key) ? ' (send the API key itself, without "Bearer")' : ''
      throw applicationError(401, 'UNAUTHENTICATED', `invalid API key${hint}`)
    }
    const site = req.headers['wix-site-id']
    if (site !== this.parts.siteId) {
      throw applicationError(403, 'PERMISSION_DENIED', site ? 'the API key has no access to this site' : 'missing wix-site-id header')
    }
  }
}

/** Which permissions let a request through (any one of them), by API. */
function permissionsFor(method: string, path: string): readonly WixPermission[] {
  if (path.startsWith('/calendar/v3/events')) return ['Read Calendar', 'Manage Calendar']
  if (path.startsWith('/calendar/v3/participations')) {
    return method === 'GET' || path.endsWith('/query') ? ['Read Calendar', 'Manage Calendar'] : ['Manage Calendar']
  }
  return ['Manage Bookings']
}

function parseBody(raw: string): Record<string, unknown> {
  const parsed = parseJsonObject(raw)
  if ('body' in parsed) return parsed.body
  throw applicationError(400, 'INVALID_ARGUMENT', parsed.problem === 'notJson' ? 'request body is not valid JSON' : 'request body must be a JSON object')
}
