/**
 * The HTTP side every fake shares: a real node:http server on 127.0.0.1 that logs every request
 * and runs it through an armed fault. A fake supplies only what its provider does differently:
 * the log entry's extra fields, its own error bodies, and `process` (auth, routing, handlers).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { faultWhen, type Fault } from './faults'

export interface LoggedRequest {
  seq: number
  method: string
  path: string
  /** The raw query string (without `?`), '' if none. */
  search: string
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON, the raw text if it was not JSON, or undefined if empty. */
  body: unknown
  /** Status sent; 0 when the socket was destroyed before a status line went out. */
  status: number
  /** Whether the request reached a handler (its effects, if any, are committed). */
  processed: boolean
  fault?: Fault['type']
}

export interface Answer {
  status: number
  /** '' = an empty body (no Content-Type). */
  body: unknown
  headers?: Record<string, string>
}

export interface Incoming {
  req: IncomingMessage
  url: URL
  /** The body as sent, before any parsing (the fake decides what malformed input means). */
  raw: string
}

export interface ProviderWire<E extends LoggedRequest> {
  faults: { take(entry: E): Fault | undefined }
  /** What the provider answers with on a `rateLimit` fault. */
  rateLimitBody: unknown
  /** What a `malformed` fault sends when the test names no body. */
  malformedBody: string
}

type TruncateMode = NonNullable<Extract<Fault, { type: 'truncated' }>['mode']>

export abstract class FakeHttpServer<E extends LoggedRequest> {
  private readonly server = createServer((req, res) => void this.handle(req, res))
  private readonly log: E[] = []
  private readonly arrivals = new Set<(entry: Readonly<E>) => void>()
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>()
  private port = 0

  constructor(private readonly wire: ProviderWire<E>) {}

  /** The provider's log entry for a request; `entry` has the fields every fake logs. */
  protected abstract describe(entry: LoggedRequest, incoming: Incoming): E

  /** The provider's answer; every refusal must be an answer, never an exception. */
  protected abstract process(entry: E, incoming: Incoming): Answer

  get boundPort(): number {
    return this.port
  }

  requests(): E[] {
    return structuredClone(this.log)
  }

  /**
   * Told of each request as it arrives, before the service acts on it: what a client held at that
   * moment (a simulation reads its desks' replicas then). Returns the way to stop listening.
   */
  onArrival(listener: (entry: Readonly<E>) => void): () => void {
    this.arrivals.add(listener)
    return () => this.arrivals.delete(listener)
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
    // A pending delay fault would otherwise keep the test process alive after the fake is gone.
    for (const sleep of this.sleeps) {
      clearTimeout(sleep.timer)
      sleep.resolve()
    }
    this.sleeps.clear()
    await this.down()
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid')
    const raw = await readBody(req).catch(() => undefined)
    if (raw === undefined) return // the client hung up while sending
    const incoming: Incoming = { req, url, raw }
    const entry = this.describe(
      {
        seq: this.log.length,
        method: req.method ?? 'GET',
        path: url.pathname,
        search: url.search.replace(/^\?/, ''),
        headers: { ...req.headers },
        body: parseLenient(raw),
        status: 0,
        processed: false
      },
      incoming
    )
    this.log.push(entry)
    for (const listener of this.arrivals) listener(entry)
    const fault = this.wire.faults.take(entry)
    if (fault) entry.fault = fault.type
    try {
      await this.serve(fault, entry, incoming, res)
    } catch {
      res.destroy() // a bug in the fake must not hang the client
    }
  }

  /** Runs the request through its fault: some strike instead of processing, some after it. */
  private async serve(fault: Fault | undefined, entry: E, incoming: Incoming, res: ServerResponse) {
    const when = fault && faultWhen(fault)
    if (fault && when === 'before') {
      if (fault.type === 'delay') await this.sleep(fault.ms)
      else return this.strike(fault, entry, res)
    }
    const answer = this.process(entry, incoming)
    if (!fault || when === 'before') return this.send(res, entry, answer)
    if (fault.type === 'delay') {
      await this.sleep(fault.ms)
      return this.send(res, entry, answer)
    }
    if (fault.type === 'truncated') return this.truncate(res, entry, answer, fault.mode ?? 'lyingLength')
    return this.strike(fault, entry, res)
  }

  /** The faults that replace the answer entirely. */
  private strike(fault: Fault, entry: E, res: ServerResponse): void {
    switch (fault.type) {
      case 'status':
        return this.send(res, entry, { status: fault.status, body: fault.body ?? '' })
      case 'rateLimit': {
        const headers = fault.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(fault.retryAfterSeconds) }
        return this.send(res, entry, { status: 429, body: this.wire.rateLimitBody, headers })
      }
      case 'reset':
        res.socket?.resetAndDestroy()
        return
      case 'malformed':
        entry.status = 200
        if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(fault.body ?? this.wire.malformedBody)
        return
      default:
        throw new Error(`fault ${fault.type} cannot strike on its own`)
    }
  }

  /** The real answer, cut in half (see the `truncated` fault for the modes). */
  private truncate(res: ServerResponse, entry: E, answer: Answer, mode: TruncateMode): void {
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

  private send(res: ServerResponse, entry: E, answer: Answer): void {
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
}

/**
 * A provider's request quota over the fake's injected clock, so tests can run out of it and wait
 * it out without real time passing.
 */
export class RateWindow {
  private readonly recent: number[] = []

  constructor(private readonly windowMs: number) {}

  /** Whether this request is over `limit` (undefined = unlimited); only requests let through count. */
  refuses(limit: number | undefined, clock: () => number): boolean {
    if (limit === undefined) return false
    const now = clock()
    while (this.recent.length > 0 && this.recent[0]! <= now - this.windowMs) this.recent.shift()
    if (this.recent.length >= limit) return true
    this.recent.push(now)
    return false
  }

  /** Requests counted in the window ending now, and when the oldest of them leaves it. */
  usage(clock: () => number): { used: number; resetAt: number } {
    const now = clock()
    while (this.recent.length > 0 && this.recent[0]! <= now - this.windowMs) this.recent.shift()
    return { used: this.recent.length, resetAt: (this.recent[0] ?? now) + this.windowMs }
  }
}

/**
 * A request body as a JSON object (`{}` when empty), or which way it is not one: the fakes word
 * that refusal in their provider's own error body.
 */
export function parseJsonObject(raw: string): { body: Record<string, unknown> } | { problem: 'notJson' | 'notObject' } {
  if (raw.trim() === '') return { body: {} }
  let body: unknown
  try {
    body = JSON.parse(raw)
  } catch {
    return { problem: 'notJson' }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { problem: 'notObject' }
  return { body: body as Record<string, unknown> }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** The log keeps whatever the client sent, even if it was not JSON, so tests can assert on it. */
function parseLenient(raw: string): unknown {
  if (raw === '') return undefined
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}
