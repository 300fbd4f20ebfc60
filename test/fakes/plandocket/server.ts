/**
 * The HTTP side of the fake: a real node:http server on 127.0.0.1 that logs every request, applies
 * armed faults (the Wix fake's machinery), checks the API key and its scopes, and hands the
 * request to a route handler. Everything outside the base path `/api/v1` is a 404.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { forbidden, httpError, notFound, PlandocketHttpError, unauthenticated } from './errors'
import { faultWhen, type FaultController } from './faults'
import { settingsProblem, type Renderer } from './render'
import { findRoute, type CallerKey, type HandlerContext, type Route } from './router'
import type { PlandocketStore } from './store'
import type { FakePlandocketSettings, Fault, KeySpec, LoggedRequest } from './types'

export const BASE_PATH = '/api/v1'

export interface ServerParts {
  routes: readonly Route[]
  store: PlandocketStore
  render: Renderer
  settings: FakePlandocketSettings
  faults: FaultController
  /** key → its scopes and user; read on every request, so tests may change it. */
  keys: Map<string, Required<KeySpec>>
  clock: () => number
}

interface Answer {
  status: number
  /** '' = an empty body (no Content-Type). */
  body: unknown
  headers?: Record<string, string>
}

/** A PHP warning leaking into the response ahead of the JSON: a classic of PHP APIs. */
const MALFORMED_BODY =
  '<br />\n<b>Warning</b>:  Undefined array key "contact" in <b>/var/www/app/Http/Resources/ParticipantResource.php</b> on line <b>27</b><br />\n{"data":'
const RATE_LIMITED = { error: 'Rate limit exceeded' }

export class PlandocketServer {
  private readonly server = createServer((req, res) => void this.handle(req, res))
  private readonly log: LoggedRequest[] = []
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>()
  /** Times of recent authenticated requests, for settings.rateLimitPerHour. */
  private readonly recent: number[] = []
  private port = 0

  constructor(private readonly parts: ServerParts) {}

  get boundPort(): number {
    return this.port
  }

  requests(): LoggedRequest[] {
    return structuredClone(this.log)
  }

  clearRequests(): void {
    this.log.length = 0
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    this.port = (this.server.address() as AddressInfo).port
  }

  /** Unplugs the network: open connections die and new ones are refused until up(). */
  async down(): Promise<void> {
    if (!this.server.listening) return
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  /** Listens again on the same port, so the client's base URL stays valid. */
  async up(): Promise<void> {
    if (!this.server.listening) await this.listen(this.port)
  }

  async close(): Promise<void> {
    for (const sleep of this.sleeps) {
      clearTimeout(sleep.timer)
      sleep.resolve()
    }
    this.sleeps.clear()
    await this.down()
  }

  // -------------------------------------------------------------------------------------------
  // One request

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid')
    const raw = await readBody(req).catch(() => undefined)
    if (raw === undefined) return // the client hung up while sending
    const fullPath = url.pathname
    const inside = fullPath === BASE_PATH || fullPath.startsWith(`${BASE_PATH}/`)
    const entry: LoggedRequest = {
      seq: this.log.length,
      method: req.method ?? 'GET',
      path: inside ? fullPath.slice(BASE_PATH.length).replace(/(.)\/+$/, '$1') || '/' : fullPath,
      fullPath,
      search: url.search.replace(/^\?/, ''),
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      body: parseLenient(raw),
      status: 0,
      processed: false
    }
    this.log.push(entry)
    const fault = this.parts.faults.take(entry.method, entry.path, entry.fullPath)
    if (fault) entry.fault = fault.type
    try {
      await this.serve(fault, entry, { raw, req, url, inside }, res)
    } catch {
      res.destroy() // a bug in the fake must not hang the client
    }
  }

  /** Runs the request through its fault: some strike instead of processing, some after it. */
  private async serve(fault: Fault | undefined, entry: LoggedRequest, request: Incoming, res: ServerResponse) {
    const when = fault && faultWhen(fault)
    if (fault && when === 'before') {
      if (fault.type === 'delay') await this.sleep(fault.ms)
      else return this.strike(fault, entry, res)
    }
    const answer = this.process(entry, request)
    if (!fault || when === 'before') return this.send(res, entry, answer)
    if (fault.type === 'delay') {
      await this.sleep(fault.ms)
      return this.send(res, entry, answer)
    }
    if (fault.type === 'truncated') return this.truncate(res, entry, answer, fault.mode ?? 'lyingLength')
    return this.strike(fault, entry, res)
  }

  /** The faults that replace the answer entirely. */
  private strike(fault: Fault, entry: LoggedRequest, res: ServerResponse): void {
    switch (fault.type) {
      case 'status':
        return this.send(res, entry, { status: fault.status, body: fault.body ?? '' })
      case 'rateLimit': {
        const headers = fault.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(fault.retryAfterSeconds) }
        return this.send(res, entry, { status: 429, body: RATE_LIMITED, headers })
      }
      case 'reset':
        res.socket?.resetAndDestroy()
        return
      case 'malformed':
        entry.status = 200
        if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(fault.body ?? MALFORMED_BODY)
        return
      default:
        throw new Error(`fault ${fault.type} cannot strike on its own`)
    }
  }

  /** The real answer, cut in half (see the `truncated` fault for the modes). */
  private truncate(res: ServerResponse, entry: LoggedRequest, answer: Answer, mode: 'lyingLength' | 'closeMidBody' | 'shortBody'): void {
    const full = Buffer.from(answer.body === '' ? '' : JSON.stringify(answer.body))
    const half = full.subarray(0, Math.max(1, Math.floor(full.length / 2)))
    entry.status = answer.status
    if (res.destroyed) return
    if (mode === 'shortBody') {
      res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': String(half.length) }).end(half)
      return
    }
    const length = mode === 'lyingLength' ? { 'content-length': String(full.length) } : {}
    res.writeHead(answer.status, { 'content-type': 'application/json', ...length })
    res.write(half, () => res.socket?.destroy())
  }

  private send(res: ServerResponse, entry: LoggedRequest, answer: Answer): void {
    entry.status = answer.status
    if (res.destroyed) return // the client gave up (a delay fault); the work is done anyway
    const text = answer.body === '' ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)
    const type = text === '' ? {} : { 'content-type': 'application/json' }
    res.writeHead(answer.status, { ...type, 'content-length': String(Buffer.byteLength(text)), ...answer.headers }).end(text)
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleep = {
        timer: setTimeout(() => {
          this.sleeps.delete(sleep)
          resolve()
        }, ms),
        resolve
      }
      this.sleeps.add(sleep)
    })
  }

  // -------------------------------------------------------------------------------------------
  // Gateway checks and dispatch

  /** Auth, rate limit, route, scope, body, then the handler; every refusal is an answer, never an exception. */
  private process(entry: LoggedRequest, request: Incoming): Answer {
    try {
      const misconfigured = settingsProblem(this.parts.settings)
      if (misconfigured) return { status: 500, body: { error: `fake Plandocket misconfigured: ${misconfigured}` } }
      const caller = this.authenticate(request.req)
      if (this.overRateLimit()) return { status: 429, body: RATE_LIMITED }
      if (!request.inside) throw notFound()
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

  /** Sliding one-hour window over the injected clock. */
  private overRateLimit(): boolean {
    const limit = this.parts.settings.rateLimitPerHour
    if (limit === undefined) return false
    const now = this.parts.clock()
    while (this.recent.length > 0 && this.recent[0]! <= now - 3_600_000) this.recent.shift()
    if (this.recent.length >= limit) return true
    this.recent.push(now)
    return false
  }
}

interface Incoming {
  raw: string
  req: IncomingMessage
  url: URL
  inside: boolean
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function parseLenient(raw: string): unknown {
  if (raw === '') return undefined
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}

function parseBody(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {}
  let body: unknown
  try {
    body = JSON.parse(raw)
  } catch {
    throw httpError(400, 'Malformed JSON body')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw httpError(400, 'The request body must be a JSON object')
  return body as Record<string, unknown>
}
