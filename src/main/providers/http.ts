/**
 * JSON over HTTP for providers, with every failure sorted into what the sync engine must do about
 * it. Retrying is NOT done here: the engine keeps each operation's retry schedule in the database,
 * so it survives a restart and keeps the queue in order (an in-memory retry helper would not).
 */
import type { BadAnswer, ConnectionReport, RemoteProviderName } from '../../shared/contract'

/** Why no answer came: refused or unreachable, too slow, or cut off half way. */
export type NetworkCause = { cause: 'no_connection' } | { cause: 'timeout'; seconds: number } | { cause: 'cut_off' }

export type ProviderErrorKind =
  | 'network' // no answer: refused, reset, timed out, cut off
  | 'server' // 5xx
  | 'bad_response' // an answer that is not the JSON it should be
  | 'rate_limited' // 429
  | 'auth' // 401: the key (or site) is not accepted: sign-in needed
  | 'forbidden' // 403: the key is accepted but lacks the permission (scope) this API needs
  | 'conflict' // 409
  | 'not_found' // 404
  | 'rejected' // any other 4xx: this request will never succeed as it is

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
    readonly body: unknown = null,
    /** For 'network': what went wrong, as a code (the window words it; `message` is for logs). */
    readonly network: NetworkCause | null = null,
    /** For 'forbidden': the permission (Wix) or scope (Plandocket) the key lacks for this API. */
    readonly permission: Permission | null = null,
    /** For 'bad_response': what was wrong with the answer, as a code (the window words it). */
    readonly answer: { problem: BadAnswer; count: number | null } | null = null
  ) {
    super(message)
    this.name = 'ProviderError'
  }

  /** An answer the desk cannot use: `problem` for the window, `message` (English) for the log. */
  static badAnswer(problem: BadAnswer, message: string, options: { count?: number; status?: number | null } = {}): ProviderError {
    return new ProviderError('bad_response', message, options.status ?? null, null, null, null, null, { problem, count: options.count ?? null })
  }

  /** Whether the same request may succeed later unchanged. */
  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'server' || this.kind === 'bad_response' || this.kind === 'rate_limited'
  }
}

/** A permission a key may lack: its name as the service's own set-up shows it, and what it is for. */
export interface Permission {
  /** "Manage Bookings", "checkins": the service's own name, never translated. */
  name: string
  /** Wix calls them permissions, Plandocket scopes. */
  kind: 'permission' | 'scope'
  /** What the desk cannot do without it. */
  use: 'sessions' | 'roster' | 'check_ins' | 'walk_ins'
}

export interface HttpClientOptions {
  baseUrl: string
  headers: () => Record<string, string>
  /** Per request; a slow answer past this is treated as no answer. */
  timeoutMs?: number
  /**
   * Aborted when the desk closes: a request still to be sent is not sent, one under way is dropped.
   * A check-and-set half done must not write after its desk has gone (another instance of the
   * desk may already be deciding from the same replica).
   */
  signal?: AbortSignal
  /** Told the server's clock (from the Date header) and when we received it. */
  onServerDate?: (serverMs: number, localMs: number) => void
  /** Pulls the human message out of a provider's error body. */
  describeError?: (body: unknown) => string | null
  fetch?: typeof fetch
  /** Answers larger than this are refused (a broken or hostile server cannot flood the desk). */
  maxResponseBytes?: number
  /** Which permission a request needs: a 403 names it. */
  permissionFor?: (method: string, path: string) => Permission | null
  /**
   * Whether a 403 means the credentials themselves are refused (e.g. Wix: the key has no access to
   * the site) rather than one missing permission.
   */
  refusesCredentials?: (body: unknown) => boolean
}

/** A page of 100 people is tens of kilobytes; this leaves room for a provider that sends everything at once. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024

/** The body as text, refused past `max` bytes without reading the rest. */
async function readCapped(response: Response, max: number, what: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'))
  const tooBig = () =>
    ProviderError.badAnswer('too_large', `${what}: the answer is larger than ${Math.round(max / 1024 / 1024)} MB; refused`, {
      count: Math.round(max / 1024 / 1024),
      status: response.status
    })
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel().catch(() => {})
    throw tooBig()
  }
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > max) {
        await reader.cancel().catch(() => {})
        throw tooBig()
      }
      chunks.push(value)
    }
  } catch (err) {
    if (err instanceof ProviderError) throw err
    throw new ProviderError('network', `${what}: the answer was cut off`, response.status, null, null, { cause: 'cut_off' })
  }
  return Buffer.concat(chunks).toString('utf8')
}

export const USER_AGENT = 'Rollcall/0.1 (front-desk check-in; +https://rollcall.invalid)'

function retryAfter(header: string | null, now: number): number | null {
  if (!header) return null
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  return Number.isFinite(date) ? Math.max(0, date - now) : null
}

export function createHttpClient(options: HttpClientOptions) {
  const doFetch = options.fetch ?? fetch
  const timeoutMs = options.timeoutMs ?? 15_000
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES
  const base = options.baseUrl.replace(/\/+$/, '')

  async function request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
    let response: Response
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: {
          'User-Agent': USER_AGENT,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...options.headers()
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: options.signal ? AbortSignal.any([AbortSignal.timeout(timeoutMs), options.signal]) : AbortSignal.timeout(timeoutMs)
      })
    } catch (err) {
      const network: NetworkCause =
        err instanceof Error && err.name === 'TimeoutError' ? { cause: 'timeout', seconds: timeoutMs / 1000 } : { cause: 'no_connection' }
      const reason = network.cause === 'timeout' ? `no answer within ${network.seconds} s` : 'could not connect'
      throw new ProviderError('network', `${method} ${path}: ${reason}`, null, null, null, network)
    }
    const now = Date.now()
    const date = response.headers.get('date')
    if (date && options.onServerDate) {
      const serverMs = Date.parse(date)
      if (Number.isFinite(serverMs)) options.onServerDate(serverMs, now)
    }
    const text = await readCapped(response, maxBytes, `${method} ${path}`)
    let data: unknown = null
    if (text.trim()) {
      try {
        data = JSON.parse(text)
      } catch {
        if (response.ok) throw ProviderError.badAnswer('not_json', `${method} ${path}: the answer is not valid JSON`, { status: response.status })
      }
    }
    if (response.ok) return { status: response.status, data: data as T }

    const detail = options.describeError?.(data) || (response.statusText ? response.statusText : `HTTP ${response.status}`)
    const status = response.status
    if (status === 403 && !options.refusesCredentials?.(data)) {
      const permission = options.permissionFor?.(method, path.split('?')[0]!) ?? null
      const what = permission ? `the key lacks the ${permission.kind} "${permission.name}"` : 'the key may not do this'
      throw new ProviderError('forbidden', `${what}: ${detail}`, status, null, data, null, permission)
    }
    if (status === 401 || status === 403) throw new ProviderError('auth', `sign-in needed: ${detail}`, status, null, data)
    if (status === 429) {
      throw new ProviderError('rate_limited', `rate limited: ${detail}`, status, retryAfter(response.headers.get('retry-after'), now), data)
    }
    if (status === 409) throw new ProviderError('conflict', detail, status, null, data)
    if (status === 404) throw new ProviderError('not_found', detail, status, null, data)
    if (status >= 500) throw new ProviderError('server', `the service had a problem (${status})${detail ? `: ${detail}` : ''}`, status, null, data)
    throw new ProviderError('rejected', detail, status, null, data)
  }

  return {
    get: <T>(path: string) => request<T>('GET', path),
    post: <T>(path: string, body: unknown) => request<T>('POST', path, body),
    patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
    put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
    delete: <T>(path: string) => request<T>('DELETE', path)
  }
}

export type HttpClient = ReturnType<typeof createHttpClient>

/** What a connection test's answer needs to know of the service (the window words the answer). */
export interface ServiceFacts {
  name: RemoteProviderName
  baseUrl: string
  /** The set-up field to check when the address is wrong. */
  field: 'base_url' | 'tenant_address'
  /** What the service's refusal of the credentials means (by HTTP status). */
  auth: (status: number | null) => 'key_refused' | 'key_lacks_scope'
}

/** "Test connection" answers: one code per way a connection can fail, which the window words. */
export function explainConnectionError(err: unknown, facts: ServiceFacts): ConnectionReport {
  const service = facts.name
  if (!(err instanceof ProviderError)) {
    return { ok: false, reason: 'unexpected', params: { text: err instanceof Error ? err.message : String(err) } }
  }
  switch (err.kind) {
    case 'auth': {
      const reason = facts.auth(err.status)
      return reason === 'key_lacks_scope' ? { ok: false, reason, params: { service } } : { ok: false, reason, params: { service, status: err.status } }
    }
    case 'network': {
      const network = err.network ?? { cause: 'no_connection' as const }
      return {
        ok: false,
        reason: 'unreachable',
        params: { service, baseUrl: facts.baseUrl, field: facts.field, ...network, seconds: network.cause === 'timeout' ? network.seconds : null }
      }
    }
    case 'rate_limited':
      return { ok: false, reason: 'too_many_requests', params: { service } }
    case 'server':
      return { ok: false, reason: 'service_problem', params: { service, status: err.status } }
    case 'bad_response':
      return notTheService(facts)
    case 'not_found':
      return { ok: false, reason: 'nothing_there', params: { service, baseUrl: facts.baseUrl, field: facts.field } }
    default:
      // The service's own words (its error body), kept as they are.
      return { ok: false, reason: 'service_refused', params: { service, text: err.message } }
  }
}

/** The server answered, but not like the booking system: most likely a wrong address. */
export function notTheService(facts: ServiceFacts): ConnectionReport {
  return { ok: false, reason: 'not_the_service', params: { service: facts.name, field: facts.field } }
}
