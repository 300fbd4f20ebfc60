/**
 * The Plandocket side of the fake's HTTP server: checks the API key and its scopes and hands the
 * request to a route handler; the plumbing and faults are common to all fakes. Everything outside
 * the base path `/api/v1` is a 404.
 */
import type { IncomingMessage } from 'node:http'
import { FakeHttpServer, parseJsonObject, RateWindow, type Answer, type FaultController, type Incoming, type LoggedRequest as BaseEntry } from '../common'
import { forbidden, httpError, notFound, PlandocketHttpError, unauthenticated } from './errors'
import { settingsProblem, type Renderer } from './render'
import { findRoute, type CallerKey, type HandlerContext, type Route } from './router'
import type { PlandocketStore } from './store'
import type { FakePlandocketSettings, KeySpec, LoggedRequest } from './types'

export const BASE_PATH = '/api/v1'

export interface ServerParts {
  routes: readonly Route[]
  store: PlandocketStore
  render: Renderer
  settings: FakePlandocketSettings
  faults: FaultController<LoggedRequest>
  /** key → its scopes and user; read on every request, so tests may change it. */
  keys: Map<string, Required<KeySpec>>
  clock: () => number
}

/** A PHP warning leaking into the response ahead of the JSON: a classic of PHP APIs. */
const MALFORMED_BODY =
  '<br />\n<b>Warning</b>:  Undefined array key "contact" in <b>/var/www/app/Http/Resources/ParticipantResource.php</b> on line <b>27</b><br />\n{"data":'
const RATE_LIMITED = { error: 'Rate limit exceeded' }

const isInside = (fullPath: string) => fullPath === BASE_PATH || fullPath.startsWith(`${BASE_PATH}/`)

export class PlandocketServer extends FakeHttpServer<LoggedRequest> {
  private readonly rate = new RateWindow(3_600_000)
  /** Every authenticated request, limit or not: what tests read as the hour's request count. */
  private readonly counted = new RateWindow(3_600_000)

  constructor(private readonly parts: ServerParts) {
    super({ faults: parts.faults, rateLimitBody: RATE_LIMITED, malformedBody: MALFORMED_BODY })
  }

  /** Paths are logged relative to the base path, as tests and fault matchers name them. */
  protected describe(entry: BaseEntry, { url }: Incoming): LoggedRequest {
    const fullPath = entry.path
    return {
      ...entry,
      path: isInside(fullPath) ? fullPath.slice(BASE_PATH.length).replace(/(.)\/+$/, '$1') || '/' : fullPath,
      fullPath,
      query: Object.fromEntries(url.searchParams)
    }
  }

  // -------------------------------------------------------------------------------------------
  // Gateway checks and dispatch

  /** Authenticated requests in the last hour; counted even when no limit is set. */
  requestsThisHour(): number {
    return this.counted.usage(this.parts.clock).used
  }

  protected process(entry: LoggedRequest, request: Incoming): Answer {
    const answer = this.answer(entry, request)
    const { rateLimitPerHour: limit, rateLimitHeaders } = this.parts.settings
    if (!rateLimitHeaders || limit === undefined) return answer
    const { used, resetAt } = this.counted.usage(this.parts.clock)
    const headers = {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': String(Math.max(0, limit - used)),
      'X-RateLimit-Reset': String(Math.ceil(resetAt / 1000))
    }
    return { ...answer, headers: { ...answer.headers, ...headers } }
  }

  /** Auth, rate limit, route, scope, body, then the handler; every refusal is an answer, never an exception. */
  private answer(entry: LoggedRequest, request: Incoming): Answer {
    try {
      const misconfigured = settingsProblem(this.parts.settings)
      if (misconfigured) return { status: 500, body: { error: `fake Plandocket misconfigured: ${misconfigured}` } }
      const caller = this.authenticate(request.req)
      this.counted.refuses(Number.MAX_SAFE_INTEGER, this.parts.clock)
      if (this.rate.refuses(this.parts.settings.rateLimitPerHour, this.parts.clock)) return { status: 429, body: RATE_LIMITED }
      if (!isInside(entry.fullPath)) throw notFound()
      const found = findRoute(this.parts.routes, entry.method, entry.path)
      if (found.kind === 'none') throw notFound()
      if (found.kind === 'wrongMethod') throw httpError(405, 'Method not allowed')
      if (!caller.scopes.includes(found.route.scope)) throw forbidden()
      const context: HandlerContext = {
        store: this.parts.store,
        settings: this.parts.settings,
        render: this.parts.render,
        clock: this.parts.clock,
        caller,
        method: entry.method,
        path: entry.path,
        query: request.url.searchParams,
        params: found.params,
        body: parseBody(request.raw)
      }
      entry.processed = true
      const reply = found.route.handle(context)
      return { status: reply.status ?? 200, body: reply.body }
    } catch (error) {
      if (error instanceof PlandocketHttpError) return { status: error.status, body: error.body }
      return { status: 500, body: { error: `fake Plandocket bug: ${String(error)}` } }
    }
  }

  /** `Authorization: Bearer <key>`, else `X-API-Key: <key>`. */
  private authenticate(req: IncomingMessage): CallerKey {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1]
    const header = req.headers['x-api-key']
    const key = bearer ?? (typeof header === 'string' ? header.trim() : undefined)
    const spec = key === undefined ? undefined : this.parts.keys.get(key)
    if (key === undefined || !spec) throw unauthenticated()
    return { key, scopes: spec.scopes, user: spec.user }
  }
}

function parseBody(raw: string): Record<string, unknown> {
  const parsed = parseJsonObject(raw)
  if ('body' in parsed) return parsed.body
  throw httpError(400, parsed.problem === 'notJson' ? 'Malformed JSON body' : 'The request body must be a JSON object')
}
