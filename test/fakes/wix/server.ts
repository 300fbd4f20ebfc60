/**
 * The HTTP side of the fake: a real node:http server on 127.0.0.1 that logs every request, applies
 * armed faults, checks auth like the Wix gateway, and hands the request to a route handler.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { applicationError, WixHttpError } from './errors'
import { faultWhen, type FaultController } from './faults'
import type { IdSource } from './ids'
import type { Pager } from './paging'
import { isPlainObject } from './query'
import { findRoute, type HandlerContext, type Route } from './router'
import type { WixStore } from './store'
import type { Fault, FakeWixSettings, LoggedRequest, Violation } from './types'

export interface ServerParts {
  routes: readonly Route[]
  store: WixStore
  pager: Pager
  ids: IdSource
  settings: FakeWixSettings
  faults: FaultController
  apiKey: string
  siteId: string
  zone: string
  clock: () => number
}

interface Answer {
  status: number
  /** '' = an empty body (no Content-Type). */
  body: unknown
  headers?: Record<string, string>
}

/** What a client gets when it forgets its own User-Agent (seen: 403, empty body). */
const DEFAULT_USER_AGENTS = /^(node|undici)(\/|$)/i
const MALFORMED_BODY = '{"message": <html>upstream error</html>'
const TOO_MANY = { message: 'Too many requests', details: { applicationError: { code: 'TOO_MANY_REQUESTS', description: 'Too many requests', data: {} } } }

export class WixServer {
  private readonly server = createServer((req, res) => void this.handle(req, res))
  private readonly log: LoggedRequest[] = []
  private readonly flagged: Violation[] = []
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>()
  /** Times of recent authenticated requests, for settings.rateLimitPerMinute. */
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

  violations(): Violation[] {
    return structuredClone(this.flagged)
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
    const entry: LoggedRequest = {
      seq: this.log.length,
      method: req.method ?? 'GET',
      path: url.pathname,
      search: url.search.replace(/^\?/, ''),
      headers: { ...req.headers },
      body: parseLenient(raw),
      status: 0,
      processed: false
    }
    this.log.push(entry)
    const fault = this.parts.faults.take(entry.method, entry.path)
    if (fault) entry.fault = fault.type
    try {
      await this.serve(fault, entry, raw, req, res)
    } catch {
      res.destroy() // a bug in the fake must not hang the client
    }
  }

  /** Runs the request through its fault: some strike instead of processing, some after it. */
  private async serve(fault: Fault | undefined, entry: LoggedRequest, raw: string, req: IncomingMessage, res: ServerResponse) {
    const when = fault && faultWhen(fault)
    if (fault && when === 'before') {
      if (fault.type === 'delay') await this.sleep(fault.ms)
      else return this.strike(fault, entry, res)
    }
    const answer = this.process(entry, raw, req)
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
        return this.send(res, entry, { status: 429, body: TOO_MANY, headers })
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
    const full = Buffer.from(JSON.stringify(answer.body))
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

  /** Gateway checks, then the handler; every refusal is an answer, never an exception. */
  private process(entry: LoggedRequest, raw: string, req: IncomingMessage): Answer {
    try {
      this.checkUserAgent(req)
      this.checkAuth(req)
      if (this.overRateLimit()) return { status: 429, body: TOO_MANY }
      const found = findRoute(this.parts.routes, entry.method, entry.path)
      if (!found) throw applicationError(404, 'NOT_FOUND', `no route ${entry.method} ${entry.path}`)
      const context = this.context(entry, found.params, parseBody(raw))
      entry.processed = true
      const reply = found.route.handle(context)
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

  private checkUserAgent(req: IncomingMessage): void {
    const agent = req.headers['user-agent']?.trim()
    if (!agent || DEFAULT_USER_AGENTS.test(agent)) throw new WixHttpError(403, '')
  }

  private checkAuth(req: IncomingMessage): void {
    const key = req.headers.authorization
    if (!key) throw applicationError(401, 'UNAUTHENTICATED', 'missing Authorization header')
    if (key !== this.parts.apiKey) {
      const hint = /^bearer /i.test(key) ? ' (send the API key itself, without "Bearer")' : ''
      throw applicationError(401, 'UNAUTHENTICATED', `invalid API key${hint}`)
    }
    const site = req.headers['wix-site-id']
    if (site !== this.parts.siteId) {
      throw applicationError(403, 'PERMISSION_DENIED', site ? 'the API key has no access to this site' : 'missing wix-site-id header')
    }
  }

  /** Sliding one-minute window over the injected clock. */
  private overRateLimit(): boolean {
    const limit = this.parts.settings.rateLimitPerMinute
    if (limit === undefined) return false
    const now = this.parts.clock()
    while (this.recent.length > 0 && this.recent[0]! <= now - 60_000) this.recent.shift()
    if (this.recent.length >= limit) return true
    this.recent.push(now)
    return false
  }
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
    throw applicationError(400, 'INVALID_ARGUMENT', 'request body is not valid JSON')
  }
  if (!isPlainObject(body)) throw applicationError(400, 'INVALID_ARGUMENT', 'request body must be a JSON object')
  return body
}
