/**
 * A member's side of the LAN: TLS to the hub with the hub's certificate pinned, requests signed
 * with the member's credential, time and a fresh nonce.
 *
 * Pinning: the hub's certificate is self-signed, so no CA can vouch for it; the pairing code
 * (QR: the full SHA-256; typed: the 80-bit hub key) says which certificate is the hub. The TLS
 * connection is made first, its certificate compared with the pin, and only a match gets the
 * HTTP request (and the credential) written to it. CA validation is switched off for exactly
 * that reason and replaced by the comparison: there is no "accept this certificate?" moment and
 * no trust on first use. Hubs are reached by IP address, so no host name is checked either.
 */
import { randomBytes } from 'node:crypto'
import { request as httpsRequest } from 'node:https'
import { connect, type TLSSocket } from 'node:tls'
import { z } from 'zod'
import { fingerprintOf, hubKeyOf } from './identity'
import { LAN_PROTOCOL_VERSION, LanRefusal, LanRefusalCode, NONCE_HEADER, PairAnswer, TIME_HEADER, WhoamiAnswer, lanAnswer, normalizeTyped, type LanRefusalBody, type PairingTarget } from './protocol'
import { openSecret, type LanStore } from './store'

export const CONNECT_TIMEOUT_MS = 5_000
/** Clocks this close to the hub's are taken as equal (the offset estimate has a round trip's noise). */
export const CLOCK_TOLERANCE_MS = 1_000
export const REQUEST_TIMEOUT_MS = 30_000
/** Answers larger than this are refused (the roster download will ask for more). */
export const DEFAULT_MAX_ANSWER_BYTES = 8 * 1024 * 1024

/** Which certificate is the hub: the full fingerprint, or the 16-character hub key a person typed. */
export type Pin = { fingerprint: string } | { hubKey: string }

function matches(pin: Pin, fingerprint: string): boolean {
  if ('fingerprint' in pin) return pin.fingerprint.toLowerCase() === fingerprint
  return normalizeTyped(pin.hubKey) === hubKeyOf(fingerprint)
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'])

/** A TLS connection to the hub whose certificate matches `pin`; its fingerprint is answered with it. */
export function pinnedConnect(host: string, port: number, pin: Pin, timeoutMs = CONNECT_TIMEOUT_MS): Promise<{ socket: TLSSocket; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, rejectUnauthorized: false, minVersion: 'TLSv1.3', ALPNProtocols: ['http/1.1'] })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new LanRefusal('lan_unreachable'))
    }, timeoutMs)
    socket.once('secureConnect', () => {
      clearTimeout(timer)
      const cert = socket.getPeerX509Certificate()
      const fingerprint = cert ? fingerprintOf(cert.toString()) : ''
      if (!cert || !matches(pin, fingerprint)) {
        socket.destroy()
        reject(new LanRefusal('lan_certificate_mismatch'))
        return
      }
      resolve({ socket, fingerprint })
    })
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      socket.destroy()
      reject(err.code && UNREACHABLE.has(err.code) ? new LanRefusal('lan_unreachable') : err)
    })
  })
}

export interface LanClientOptions {
  host: string
  port: number
  pin: Pin
  /** The member's credential (absent before pairing). */
  credential?: string
  now?: () => number
  maxAnswerBytes?: number
}

export function createLanClient(options: LanClientOptions) {
  const now = options.now ?? Date.now
  /** How far the hub's clock is ahead of ours, learned from a lan_stale_request answer. */
  let offset = 0

  async function send<T extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    answer: T,
    authenticated: boolean,
    held?: { fingerprint: string; credential: string },
    signal?: AbortSignal
  ): Promise<{ value: z.infer<T>; fingerprint: string }> {
    // A desk that never paired has nothing to ask: no connection for it.
    if (authenticated && !options.credential) throw new LanRefusal('lan_unpaired')
    if (signal?.aborted) throw new LanRefusal('lan_unreachable')
    const { socket, fingerprint } = await pinnedConnect(options.host, options.port, options.pin)
    // A long poll ends with its desk (leaving, closing): the socket goes, the call fails as unreachable.
    const abort = () => socket.destroy(new LanRefusal('lan_unreachable'))
    signal?.addEventListener('abort', abort, { once: true })
    if (signal?.aborted) abort()
    if (held && held.fingerprint === fingerprint && body && typeof body === 'object') body = { ...body, credential: held.credential }
    const json = body === undefined ? undefined : JSON.stringify(body)
    const headers: Record<string, string> = { Accept: 'application/json' }
    if (json !== undefined) {
      headers['Content-Type'] = 'application/json'
      headers['Content-Length'] = String(Buffer.byteLength(json))
    }
    if (authenticated) {
      headers.Authorization = `Bearer ${options.credential}`
      headers[TIME_HEADER] = String(Math.round(now() + offset))
      headers[NONCE_HEADER] = randomBytes(16).toString('base64url')
    }
    const raw = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpsRequest({ method, path, headers, host: options.host, port: options.port, createConnection: () => socket, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > (options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES)) {
            res.destroy()
            reject(new LanRefusal('lan_bad_answer'))
            return
          }
          chunks.push(chunk)
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', reject)
      })
      req.on('timeout', () => req.destroy(new LanRefusal('lan_unreachable')))
      req.on('error', (err: NodeJS.ErrnoException) => reject(err instanceof LanRefusal ? err : err.code && UNREACHABLE.has(err.code) ? new LanRefusal('lan_unreachable') : err))
      req.end(json)
    }).finally(() => {
      signal?.removeEventListener('abort', abort)
      socket.destroy()
    })
    let parsed: unknown
    try {
      parsed = JSON.parse(raw.text)
    } catch {
      throw new LanRefusal('lan_bad_answer')
    }
    const result = lanAnswer(answer).safeParse(parsed)
    if (!result.success) {
      // A refusal with a code this version does not know is still a refusal, not a broken hub.
      const code = LanRefusalCode.safeParse((parsed as { error?: { code?: unknown } })?.error?.code)
      throw new LanRefusal(code.success ? code.data : 'lan_bad_answer')
    }
    const data = result.data as { ok: true; value: z.infer<T> } | { ok: false; error: LanRefusalBody }
    if (data.ok) return { value: data.value, fingerprint }
    const e = data.error
    throw new LanRefusal(e.code, { ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}), ...(e.hubTime !== undefined ? { hubTime: e.hubTime } : {}) })
  }

  /** The hub's answer to whoami carries its clock: the offset is set from it, half the round trip allowed for. */
  async function whoami(): Promise<WhoamiAnswer> {
    const sentAt = now()
    const answer = await call('GET', '/whoami', undefined, WhoamiAnswer)
    const estimate = answer.hubTime - (sentAt + now()) / 2
    // Within a second the clocks agree for a front desk; below that the estimate is the round trip's noise.
    offset = Math.abs(estimate) > CLOCK_TOLERANCE_MS ? estimate : 0
    return answer
  }

  /** An authenticated call; a clock the hub finds off is corrected once with the hub's time and retried. */
  async function call<T extends z.ZodType>(method: 'GET' | 'POST', path: string, body: unknown, answer: T, signal?: AbortSignal): Promise<z.infer<T>> {
    try {
      return (await send(method, path, body, answer, true, undefined, signal)).value
    } catch (err) {
      if (!(err instanceof LanRefusal) || err.code !== 'lan_stale_request' || err.hubTime === undefined) throw err
      offset = err.hubTime - now()
      return (await send(method, path, body, answer, true, undefined, signal)).value
    }
  }

  return {
    /** Redeems a pairing code. Answers the new credential and the full fingerprint of the (pinned) hub. */
    async pair(code: string, desk: { deskName: string; deskId: string }, held?: { fingerprint: string; credential: string }): Promise<PairAnswer & { fingerprint: string }> {
      // The fingerprint is read from the connection that passed the pin: with a typed hub key, this
      // is how the member learns all 256 bits for the next connections. The credential this desk
      // already holds goes only to the hub that issued it (same certificate), never to another.
      const { value, fingerprint } = await send('POST', '/pair', { code, deskName: desk.deskName, deskId: desk.deskId, protocol: LAN_PROTOCOL_VERSION }, PairAnswer, false, held)
      return { ...value, fingerprint }
    },
    call,
    whoami,
    /** Tells the hub this desk leaves (its credential stops working there). */
    leave: () => call('POST', '/leave', {}, z.object({ left: z.boolean() }).strict()),
    /** The clock offset learned from the hub (ms the hub is ahead). */
    clockOffset: () => offset
  }
}

export type LanClient = ReturnType<typeof createLanClient>

/**
 * Joins the hub `target` names and remembers it (credential encrypted) for the next start; a
 * desk that was a member of another hub forgets that one (its unsent marks stay in its outbox).
 */
export async function joinHub(store: LanStore, target: PairingTarget, desk: { deskName: string; deskId: string }, now: () => number = Date.now): Promise<LanClient> {
  const pin: Pin = target.fingerprint ? { fingerprint: target.fingerprint } : target.hubKey ? { hubKey: target.hubKey } : (() => {
    throw new LanRefusal('lan_invalid_request')
  })()
  const file = store.read()
  const old = file.membership ?? file.former ?? null
  const oldCredential = old ? openSecret(store.secrets, old.credentialCipher) : null
  const held = old && oldCredential ? { fingerprint: old.fingerprint, credential: oldCredential } : undefined
  const answer = await createLanClient({ host: target.host, port: target.port, pin, now }).pair(target.code, desk, held)
  store.update((file) => {
    file.former = null
    file.membership = {
      host: target.host,
      port: target.port,
      fingerprint: answer.fingerprint,
      hubId: answer.hubId,
      hubName: answer.hubName,
      memberId: answer.memberId,
      credentialCipher: store.secrets.encrypt(answer.credential),
      pairedAt: now()
    }
  })
  return createLanClient({ host: target.host, port: target.port, pin: { fingerprint: answer.fingerprint }, credential: answer.credential, now })
}

/** One client per link (store and hub), so what it learnt (the hub's clock) lasts as long as the link. */
const clients = new WeakMap<LanStore, { key: string; client: LanClient }>()

/**
 * The client for the hub this desk joined, or null (never joined, left, or the credential cannot
 * be read here). The same object while the membership stays the same: one clock offset per link.
 */
export function memberClient(store: LanStore, now: () => number = Date.now): LanClient | null {
  const m = store.read().membership
  if (!m) return null
  const key = `${m.memberId}|${m.host}|${m.port}|${m.fingerprint}|${m.credentialCipher}`
  const cached = clients.get(store)
  if (cached?.key === key) return cached.client
  const credential = openSecret(store.secrets, m.credentialCipher)
  if (!credential) return null
  const client = createLanClient({ host: m.host, port: m.port, pin: { fingerprint: m.fingerprint }, credential, now })
  clients.set(store, { key, client })
  return client
}

/** How the link to the hub is doing, as the member's status shows it (kept by every call and the live stream). */
export interface MemberLink {
  connected: boolean
  lastContactAt: number | null
}
const links = new WeakMap<LanStore, MemberLink & { listeners: Set<() => void> }>()

export function memberLink(store: LanStore) {
  let link = links.get(store)
  if (!link) links.set(store, (link = { connected: false, lastContactAt: null, listeners: new Set() }))
  const l = link
  return {
    state: (): MemberLink => ({ connected: l.connected, lastContactAt: l.lastContactAt }),
    /** The hub answered (at `at`), or could not be reached. Listeners hear only changes of `connected`. */
    contact(ok: boolean, at: number): void {
      const changed = l.connected !== ok
      l.connected = ok
      if (ok) l.lastContactAt = at
      if (changed) for (const f of l.listeners) f()
    },
    reset(): void {
      l.connected = false
      l.lastContactAt = null
      for (const f of l.listeners) f()
    },
    onChange(f: () => void): () => void {
      l.listeners.add(f)
      return () => l.listeners.delete(f)
    }
  }
}

/** Forgets the hub this desk joined. */
export function leaveHub(store: LanStore): void {
  store.update((file) => {
    file.former = file.membership
    file.membership = null
  })
}
