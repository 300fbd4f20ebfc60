/**
 * The renderer's one way to talk to main: `api['roster.page']({ ... })` resolves the call's output
 * or throws a `CallFailed`, which `describeError` words in the desk's language from its codes
 * (main's `message` is for developers and never shown).
 *
 * Two carriers, picked once at start-up:
 * - Electron: the preload puts `window.rollcall` (one function per call, each resolving an Envelope).
 * - Web transport (tests, a second screen): `POST /api/<call>` with a bearer token taken from the
 *   page address (`?token=…`) on first load, kept in sessionStorage and removed from the address bar.
 *
 * Only types are imported from the contract, and its zod-free constants: importing its schemas would
 * bundle zod into the renderer, and zod probes `new Function` (an eval) which the strict CSP reports
 * as a violation.
 */
import type {
  CallError,
  CallName,
  DeskEvent,
  DeskReason,
  Envelope,
  ErrorCode,
  RollcallApi,
  RollcallBridge,
  RollcallEvents
} from '../../../shared/contract'
import { CALL_NAMES, EVENTS_ROUTE } from '../../../shared/contract/constants'
import { i18n } from './i18n.svelte'
import { describeReason } from './reasons'

/** Why a call failed as this window knows it: main's code, or the carrier's own. */
export type FailureCode = ErrorCode | 'unreachable' | 'unreadable'

/** A call that answered `ok: false` (or could not be carried at all). */
export class CallFailed extends Error {
  override readonly name = 'CallFailed'
  readonly call: CallName
  readonly code: FailureCode
  readonly issues: NonNullable<CallError['issues']>
  /** Why main refused, as a code with typed params (null: the error code says all there is). */
  readonly detail: DeskReason | null

  /** `developerMessage`: for the console and tests only; the desk reads `describeError`. */
  constructor(call: CallName, code: FailureCode, developerMessage: string, issues: CallError['issues'] = [], detail: DeskReason | null = null) {
    super(developerMessage)
    this.call = call
    this.code = code
    this.issues = issues
    this.detail = detail
  }
}

/** Plain-language text for any error a component caught, in the desk's language, from its codes. */
export function describeError(err: unknown): string {
  if (!(err instanceof CallFailed)) return i18n.t.common.unknownError
  if (err.code === 'unreachable') return i18n.t.status.unreachable
  if (err.detail) return describeReason(err.detail)
  return i18n.t.reasons.call[err.code] ?? i18n.t.common.unknownError
}

type Carrier = (name: CallName, input: unknown) => Promise<Envelope<unknown>>

/** Told whether the last call reached the desk service (the header shows an "offline" notice). */
let reachabilityListener: (reachable: boolean) => void = () => {}
export function onReachability(listener: (reachable: boolean) => void): void {
  reachabilityListener = listener
}

function isEnvelope(body: unknown): body is Envelope<unknown> {
  if (typeof body !== 'object' || body === null || !('ok' in body)) return false
  const b = body as { ok: unknown; error?: unknown }
  if (b.ok === true) return 'value' in b
  return b.ok === false && typeof b.error === 'object' && b.error !== null
}

const TOKEN_KEY = 'rollcall.token'

/** Move `?token=` from the address bar into sessionStorage (it must not linger in history). */
function takeToken(): string | null {
  let stored: string | null = null
  try {
    stored = sessionStorage.getItem(TOKEN_KEY)
  } catch {
    // Storage can be disabled; the token then lives only in this page's memory.
  }
  const url = new URL(window.location.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromUrl)
    } catch {
      // see above
    }
    url.searchParams.delete('token')
    history.replaceState(history.state, '', url.pathname + url.search + url.hash)
    return fromUrl
  }
  return stored
}

/** The web desk's token, taken from the address once (calls and the event stream both use it). */
let webToken: string | null | undefined
function token(): string | null {
  if (webToken === undefined) webToken = takeToken()
  return webToken
}

/**
 * The address of a printable document of the web desk (a badge, an attendance sheet), for a frame
 * of this page to load and print: a frame cannot send a header, so the token rides in its query
 * (a frame's address never shows in the address bar or the history the desk sees).
 */
export function deskDocumentUrl(path: string, autoPrint: boolean): string {
  const url = new URL(path, window.location.origin)
  const desk = token()
  if (desk) url.searchParams.set('token', desk)
  if (autoPrint) url.searchParams.set('print', '1')
  return url.pathname + url.search
}

function webCarrier(): Carrier {
  const token_ = token()
  return async (name, input) => {
    let res: Response
    try {
      res = await fetch(`/api/${name}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token_ ? { Authorization: `Bearer ${token_}` } : {})
        },
        body: JSON.stringify(input ?? {})
      })
    } catch {
      throw new CallFailed(name, 'unreachable', 'the desk service did not answer')
    }
    let body: unknown
    try {
      body = await res.json()
    } catch {
      body = undefined
    }
    if (isEnvelope(body)) {
      return body
    }
    if (res.status === 401 || res.status === 403) {
      throw new CallFailed(name, 'forbidden', `HTTP ${res.status} without an answer`)
    }
    throw new CallFailed(name, 'unreadable', `HTTP ${res.status}: not an answer Rollcall can read`)
  }
}

function bridgeCarrier(bridge: RollcallBridge): Carrier {
  return async (name, input) => {
    const fn = bridge[name] as unknown
    if (typeof fn !== 'function') {
      throw new CallFailed(name, 'unknown_call', `the preload has no call "${name}"`)
    }
    let body: unknown
    try {
      body = await (fn as (input: unknown) => Promise<unknown>)(input)
    } catch {
      throw new CallFailed(name, 'unreachable', 'the desk service did not answer')
    }
    if (!isEnvelope(body)) {
      throw new CallFailed(name, 'unreadable', 'not an answer Rollcall can read')
    }
    return body
  }
}

function pickCarrier(): Carrier {
  const bridge = (window as unknown as { rollcall?: RollcallBridge }).rollcall
  return bridge ? bridgeCarrier(bridge) : webCarrier()
}

function createApi(carry: Carrier): RollcallApi {
  const call = async (name: CallName, input: unknown): Promise<unknown> => {
    let envelope: Envelope<unknown>
    try {
      envelope = await carry(name, input)
    } catch (err) {
      if (err instanceof CallFailed && err.code === 'unreachable') reachabilityListener(false)
      throw err
    }
    reachabilityListener(true)
    if (envelope.ok) return envelope.value
    const { code, message, issues } = envelope.error
    const error = envelope.error
    const detail = typeof error.reason === 'string' && typeof error.params === 'object' && error.params !== null ? (error as DeskReason) : null
    throw new CallFailed(name, code, message || code, issues, detail)
  }
  const entries = CALL_NAMES.map((name) => [name, (input: unknown) => call(name, input)] as const)
  return Object.fromEntries(entries) as unknown as RollcallApi
}

export const api: RollcallApi = createApi(pickCarrier())

type EventListener = (event: DeskEvent) => void

/** Waits between attempts to reopen the web desk's event stream (it also drops when the service restarts). */
const RECONNECT_MS = [500, 1_000, 2_000, 5_000]

/**
 * The web desk's server-sent events, read with fetch (EventSource cannot send the bearer token;
 * the token in the address would end up in logs). Reopened when it drops; after a reopen the
 * window is told that anything may have changed, since events were missed meanwhile.
 */
function streamEvents(listener: EventListener): () => void {
  const abort = new AbortController()
  let failures = 0
  let opened = false
  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        const t = token()
        const res = await fetch(EVENTS_ROUTE, { headers: t ? { Authorization: `Bearer ${t}` } : {}, signal: abort.signal, cache: 'no-store' })
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`)
        const again = opened
        opened = true
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
        let buffer = ''
        let first = true
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buffer += value
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            const data = block
              .split('\n')
              .filter((line) => line.startsWith('data:'))
              .map((line) => line.slice(5).trimStart())
              .join('\n')
            if (!data) continue
            failures = 0
            reachabilityListener(true)
            listener(JSON.parse(data) as DeskEvent)
            if (first && again) listener({ kind: 'sessions', sessionIds: null })
            first = false
          }
        }
      } catch {
        if (abort.signal.aborted) return
      }
      if (abort.signal.aborted) return
      reachabilityListener(false)
      await new Promise((r) => setTimeout(r, RECONNECT_MS[Math.min(failures++, RECONNECT_MS.length - 1)]))
    }
  }
  void run()
  return () => abort.abort()
}

/** What main pushes as it happens (sync status, changed rows and sessions). Answers a function that stops listening. */
export function subscribeEvents(listener: EventListener): () => void {
  const bridge = (window as unknown as { rollcallEvents?: RollcallEvents }).rollcallEvents
  if (bridge) return bridge.subscribe(listener)
  if ((window as unknown as { rollcall?: unknown }).rollcall) return () => {}
  return streamEvents(listener)
}

