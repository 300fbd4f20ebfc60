/**
 * The renderer's one way to talk to main: `api['roster.page']({ ... })` resolves the call's output
 * or throws a `CallFailed` whose message can be shown to the desk as it is.
 *
 * Two carriers, picked once at start-up:
 * - Electron: the preload puts `window.rollcall` (one function per call, each resolving an Envelope).
 * - Web transport (tests, a second screen): `POST /api/<call>` with a bearer token taken from the
 *   page address (`?token=…`) on first load, kept in sessionStorage and removed from the address bar.
 *
 * Only types are imported from the contract: importing its runtime values would bundle zod into the
 * renderer, and zod probes `new Function` (an eval) which the strict CSP reports as a violation.
 */
import type {
  CallError,
  CallName,
  DeskReason,
  Envelope,
  ErrorCode,
  RollcallApi,
  RollcallBridge
} from '../../../shared/contract'
import { i18n } from './i18n.svelte'
import { describeDeskReason } from './reasons'

/** Every call name; the compiler checks this list matches the contract exactly. */
const CALLS = [
  'desk.info',
  'sessions.forDay',
  'sessions.get',
  'sessions.create',
  'roster.page',
  'roster.counts',
  'attendance.checkIn',
  'attendance.undo',
  'attendance.noShow',
  'attendance.checkOut',
  'import.preview',
  'import.commit',
  'export.roster',
  'sync.status',
  'sync.now',
  'sync.problems',
  'sync.resolve',
  'settings.get',
  'settings.save',
  'settings.testConnection',
  'attendance.walkIn',
  'attendance.confirm',
  'attendance.scan',
  'sessions.close',
  'stats.session',
  'stats.day',
  'audit.list',
  'kiosk.status',
  'kiosk.enter',
  'kiosk.exit',
  'kiosk.verifyPin',
  'kiosk.setPin',
  'history.people',
  'history.person',
  'history.series',
  'history.noShowsCsv',
  // Printing (badges, sheets, paper marks).
  'print.badgeSettings',
  'print.saveBadgeSettings',
  'print.badge',
  'print.sheet',
  'print.lastSheet',
  'print.paperMark',
  'print.printer',
  'print.savePrinter'
] as const satisfies readonly CallName[]
type Unlisted = Exclude<CallName, (typeof CALLS)[number]>
const everyCallListed: [Unlisted] extends [never] ? true : Unlisted = true
void everyCallListed

export const UNREACHABLE_MESSAGE = 'The desk service is not reachable. Check that Rollcall is running, then try again.'

/** A call that answered `ok: false` (or could not be carried at all). */
export class CallFailed extends Error {
  override readonly name = 'CallFailed'
  readonly call: CallName
  readonly code: ErrorCode | 'unreachable'
  readonly issues: NonNullable<CallError['issues']>
  /** Why main refused, as a code with typed params (null: only the English message). */
  readonly detail: DeskReason | null

  constructor(call: CallName, code: ErrorCode | 'unreachable', message: string, issues: CallError['issues'] = [], detail: DeskReason | null = null) {
    super(message)
    this.call = call
    this.code = code
    this.issues = issues
    this.detail = detail
  }
}

/** Plain-language text for any error a component caught, in the desk's language where main gave a code. */
export function describeError(err: unknown): string {
  if (err instanceof CallFailed) {
    if (err.code === 'unreachable') return i18n.t.status.unreachable
    return (err.detail && describeDeskReason(err.detail)) || err.message
  }
  if (err instanceof Error && err.message) return err.message
  return i18n.t.common.unknownError
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

/**
 * The address of a printable document of the web desk (a badge, an attendance sheet), for a frame
 * of this page to load and print: a frame cannot send a header, so the token rides in its query
 * (a frame's address never shows in the address bar or the history the desk sees).
 */
export function deskDocumentUrl(path: string, autoPrint: boolean): string {
  const url = new URL(path, window.location.origin)
  const token = takeToken()
  if (token) url.searchParams.set('token', token)
  if (autoPrint) url.searchParams.set('print', '1')
  return url.pathname + url.search
}

function webCarrier(): Carrier {
  const token = takeToken()
  return async (name, input) => {
    let res: Response
    try {
      res = await fetch(`/api/${name}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token ? { Authorization: `Bearer ${token}` } : {})
        },
        body: JSON.stringify(input ?? {})
      })
    } catch {
      throw new CallFailed(name, 'unreachable', UNREACHABLE_MESSAGE)
    }
    let body: unknown
    try {
      body = await res.json()
    } catch {
      body = undefined
    }
    if (isEnvelope(body)) {
      if (!body.ok && body.error.code === 'forbidden') {
        return {
          ok: false,
          error: {
            ...body.error,
            message: `${body.error.message} Open the address that the desk service printed (it carries the access token).`
          }
        }
      }
      return body
    }
    if (res.status === 401 || res.status === 403) {
      throw new CallFailed(name, 'forbidden', 'This screen is not allowed to use the desk service. Open the address that the desk service printed (it carries the access token).')
    }
    throw new CallFailed(name, 'internal', `The desk service gave an answer Rollcall could not read (HTTP ${res.status}). Nothing was changed.`)
  }
}

function bridgeCarrier(bridge: RollcallBridge): Carrier {
  return async (name, input) => {
    const fn = bridge[name] as unknown
    if (typeof fn !== 'function') {
      throw new CallFailed(name, 'unknown_call', `This version of Rollcall cannot do "${name}". Restart the app.`)
    }
    let body: unknown
    try {
      body = await (fn as (input: unknown) => Promise<unknown>)(input)
    } catch {
      throw new CallFailed(name, 'unreachable', UNREACHABLE_MESSAGE)
    }
    if (!isEnvelope(body)) {
      throw new CallFailed(name, 'internal', 'The desk service gave an answer Rollcall could not read. Nothing was changed.')
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
    throw new CallFailed(name, code, message || 'The desk service refused this without saying why.', issues, detail)
  }
  const entries = CALLS.map((name) => [name, (input: unknown) => call(name, input)] as const)
  return Object.fromEntries(entries) as unknown as RollcallApi
}

export const api: RollcallApi = createApi(pickCarrier())

