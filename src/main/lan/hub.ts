/**
 * The hub's LAN listener: HTTPS (node:https, TLS 1.3 only) with the hub's own certificate, off
 * until start() and closed, every connection with it, by stop(). It offers only the routes in its
 * table; each route says who may call it and validates its input with zod before its handler runs.
 *
 *   POST /pair     { code, deskName, deskId, protocol }          → { memberId, credential, hubId, hubName }
 *   GET  /whoami   Bearer + time + nonce                  → { memberId, deskName, hubId, hubName, hubTime }
 *   POST /leave    Bearer + time + nonce                  → { left } (the member revokes its own credential)
 *
 * Later routes (session and roster download, mark upload, the live stream) are added with
 * `lanRoute({ method, path, auth: 'member', input, handle })` in `routes`.
 *
 * Answers are `{ ok: true, value }` or `{ ok: false, error: { code } }` with a code from
 * LAN_REFUSALS and a matching HTTP status.
 */
import { createServer, type Server } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { networkInterfaces } from 'node:os'
import { z } from 'zod'
import type { Discovery } from './discovery'
import { loadOrCreateHubIdentity, type HubIdentity } from './identity'
import { createMemberRegistry, type MemberRegistry, type MemberView } from './members'
import { createPairingDesk, type PairingCode, type PairingDesk } from './pairing'
import { LanRefusal, NONCE_HEADER, Nonce, PairRequest, RequestTime, TIME_HEADER, pairingUrl, type LanRefusalCode, type PairAnswer, type WhoamiAnswer } from './protocol'
import { createReplayGuard } from './replay'
import type { LanStore } from './store'

/** A request body larger than this is refused unless the route allows more. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024
export const MAX_CONNECTIONS = 256

export interface LanRequest<I> {
  /** Who is asking (null only on `auth: 'pairing'` routes). */
  member: MemberView | null
  input: I
  /** The caller's IP address. */
  source: string
}

export interface LanRoute<I = unknown, O = unknown> {
  method: 'GET' | 'POST'
  path: string
  /** 'member': a paired desk's credential, time and nonce. 'pairing': open to anyone who knows the code (POST /pair only). */
  auth: 'member' | 'pairing'
  /** GET: the query string as an object of strings; POST: the JSON body. */
  input: z.ZodType<I>
  maxBodyBytes?: number
  handle(request: LanRequest<I>): O | Promise<O>
}

/** Keeps a route's input and handler types together when it is put in a list of routes. */
export const lanRoute = <I, O>(route: LanRoute<I, O>): LanRoute<I, O> => route

const STATUS: Record<LanRefusalCode, number> = {
  lan_wrong_code: 403,
  lan_code_expired: 410,
  lan_pairing_closed: 409,
  lan_rate_limited: 429,
  lan_unpaired: 401,
  lan_revoked: 403,
  lan_replayed: 409,
  lan_stale_request: 401,
  lan_invalid_request: 400,
  lan_too_large: 413,
  lan_not_found: 404,
  lan_certificate_mismatch: 500,
  lan_unreachable: 500,
  lan_bad_answer: 500,
  lan_internal: 500,
  lan_desk_in_use: 409,
  lan_is_member: 409,
  lan_is_hub: 409,
  lan_not_sharing: 409,
  lan_port_in_use: 500,
  lan_not_ready: 501,
  lan_unsent_elsewhere: 409
}

export interface LanHubOptions {
  store: LanStore
  /** This desk's name, shown to members. */
  hubName: string
  /** This desk's own id: no member may pair under it. */
  deskId?: string
  now?: () => number
  /** More routes (the next issues' downloads and uploads). */
  routes?: LanRoute<never, unknown>[]
  /** Announces the hub while it listens (absent: no announcement, members type the address). */
  discovery?: Discovery
  log?: (message: string, err?: unknown) => void
  /** Minutes a pairing code lives (tests shorten nothing: they move the clock). */
  codeTtlMs?: number
}

export interface OpenPairing extends PairingCode {
  /** The QR code's text: address, port, code and full fingerprint. */
  url: string
  /** For typing instead of scanning: 16 characters of the fingerprint. */
  hubKey: string
  host: string
  port: number
}

/** This machine's IPv4 addresses on a LAN (what a member types or the QR carries). */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address)
}

function sourceOf(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '')
}

function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const json = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(json)),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...extra
  })
  res.end(json)
}

function refuse(res: ServerResponse, refusal: LanRefusal): void {
  const extra: Record<string, string> = refusal.retryAfterMs !== undefined ? { 'Retry-After': String(Math.ceil(refusal.retryAfterMs / 1000)) } : {}
  send(res, STATUS[refusal.code], { ok: false, error: refusal.body() }, extra)
}

/** The body, or a lan_too_large refusal as soon as it passes `max` (reading stops there). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    req.on('data', (chunk: Buffer) => {
      if (done) return
      size += chunk.length
      if (size > max) {
        done = true
        req.pause()
        reject(new LanRefusal('lan_too_large'))
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks))
      done = true
    })
    req.on('error', (err) => {
      if (!done) reject(err)
      done = true
    })
  })
}

export function createLanHub(options: LanHubOptions) {
  const now = options.now ?? Date.now
  const log = options.log ?? ((message: string, err?: unknown) => console.error(message, err ?? ''))
  const { store } = options
  const pairing: PairingDesk = createPairingDesk({ now, ...(options.codeTtlMs ? { ttlMs: options.codeTtlMs } : {}) })
  const members: MemberRegistry = createMemberRegistry(store, now)
  const replay = createReplayGuard({ now })
  let identity: HubIdentity | null = null
  let server: Server | null = null
  let sockets = new Set<Socket>()
  let address: { host: string; port: number } | null = null
  let stopAdvert: (() => Promise<void>) | null = null

  const builtIn: LanRoute<never, unknown>[] = [
    lanRoute({
      method: 'POST',
      path: '/pair',
      auth: 'pairing',
      input: PairRequest,
      handle: ({ input, source }): PairAnswer =>
        pairing.redeem(input.code, source, () => {
          const { member, credential } = members.add(input.deskName, input.deskId, { ...(options.deskId ? { hubDeskId: options.deskId } : {}), ...(input.credential ? { credential: input.credential } : {}) })
          return { memberId: member.id, credential, hubId: identity!.hubId, hubName: options.hubName }
        })
    }) as LanRoute<never, unknown>,
    lanRoute({
      method: 'GET',
      path: '/whoami',
      auth: 'member',
      input: z.object({}).strict(),
      handle: ({ member }): WhoamiAnswer => ({ memberId: member!.id, deskName: member!.deskName, deskId: member!.deskId, hubId: identity!.hubId, hubName: options.hubName, hubTime: now() })
    }) as LanRoute<never, unknown>
    ,
    // A desk that leaves says so: the hub frees its desk id at once (a hub that is away is told
    // nothing; its operator revokes the desk, or the desk pairs again with its credential).
    lanRoute({
      method: 'POST',
      path: '/leave',
      auth: 'member',
      input: z.object({}).strict(),
      handle: ({ member }) => {
        replay.forget(member!.id)
        return { left: members.revoke(member!.id) }
      }
    }) as LanRoute<never, unknown>
  ]
  const table = new Map<string, LanRoute<never, unknown>>()
  for (const route of [...builtIn, ...(options.routes ?? [])]) {
    const key = `${route.method} ${route.path}`
    if (table.has(key)) throw new Error(`two LAN routes for ${key}`)
    table.set(key, route)
  }

  function authenticate(req: IncomingMessage): MemberView {
    const header = req.headers.authorization ?? ''
    const bearer = /^Bearer (\S+)$/.exec(header)?.[1]
    const member = members.authenticate(bearer)
    const time = RequestTime.safeParse(req.headers[TIME_HEADER])
    const nonce = Nonce.safeParse(req.headers[NONCE_HEADER])
    if (!time.success || !nonce.success) throw new LanRefusal('lan_invalid_request')
    replay.check(member.id, time.data, nonce.data)
    members.touch(member.id)
    return member
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://hub.invalid')
    const route = table.get(`${req.method} ${url.pathname}`)
    if (!route) throw new LanRefusal('lan_not_found')
    // The credential is checked before the body is read: a stranger cannot make the hub buffer anything.
    const member = route.auth === 'member' ? authenticate(req) : null
    let raw: unknown
    if (route.method === 'GET') raw = Object.fromEntries(url.searchParams)
    else {
      const body = await readBody(req, route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)
      try {
        raw = JSON.parse(body.toString('utf8'))
      } catch {
        throw new LanRefusal('lan_invalid_request')
      }
    }
    const input = route.input.safeParse(raw)
    if (!input.success) throw new LanRefusal('lan_invalid_request')
    const value = await route.handle({ member, input: input.data as never, source: sourceOf(req) })
    send(res, 200, { ok: true, value })
  }

  return {
    pairing,
    members,
    /** The hub's certificate (after the first start). */
    identity: (): HubIdentity | null => identity,
    /** Where the hub listens, while it does. */
    address: () => address,
    listening: () => server !== null,

    /** Starts listening on `host:port` (port 0: a free one) and announces the hub if discovery is given. */
    async start(listen: { host: string; port: number }): Promise<{ host: string; port: number }> {
      if (server) throw new Error('the LAN hub is already listening')
      identity ??= await loadOrCreateHubIdentity(store, now)
      // A stalled handshake holds a socket: ten seconds is plenty on a LAN (Node's default is two minutes).
      const s = createServer({ key: identity.keyPem, cert: identity.certPem, minVersion: 'TLSv1.3', handshakeTimeout: 10_000 }, (req, res) => {
        handle(req, res).catch((err: unknown) => {
          if (res.headersSent) return res.destroy()
          if (err instanceof LanRefusal) {
            // A refused upload is not read to its end: answer, then drop the connection.
            if (err.code === 'lan_too_large') res.on('finish', () => req.socket.destroy())
            return refuse(res, err)
          }
          log('LAN hub: a request failed', err)
          refuse(res, new LanRefusal('lan_internal'))
        })
      })
      s.headersTimeout = 10_000
      s.requestTimeout = 30_000
      // Ten desks with a live stream each and their calls fit many times; a flood of connections does not.
      s.maxConnections = MAX_CONNECTIONS
      const open = new Set<Socket>()
      s.on('connection', (socket: Socket) => {
        open.add(socket)
        socket.on('close', () => open.delete(socket))
      })
      s.on('tlsClientError', () => {
        // A port scan or a desk with the wrong idea of TLS: nothing to log at every connection.
      })
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject)
        s.listen(listen.port, listen.host, () => {
          s.off('error', reject)
          resolve()
        })
      })
      s.on('error', (err) => log('LAN hub: the listener failed', err))
      server = s
      sockets = open
      const bound = s.address() as AddressInfo
      address = { host: listen.host, port: bound.port }
      if (options.discovery) stopAdvert = options.discovery.advertise({ name: options.hubName, port: bound.port, hubId: identity.hubId })
      return { ...address }
    },

    /** Stops announcing, closes the port and every open connection; the pairing code is dropped. */
    async stop(): Promise<void> {
      pairing.close()
      // Every connection ends before this returns to the event loop, announcement or not: a desk
      // closing its database right after calling stop() must get no member request any more.
      const s = server
      server = null
      address = null
      const closed = s ? new Promise<void>((resolve) => s.close(() => resolve())) : Promise.resolve()
      // Idle keep-alive connections and handshakes in progress would hold close() open: end them now.
      for (const socket of sockets) socket.destroy()
      s?.closeAllConnections()
      const advert = stopAdvert
      stopAdvert = null
      if (advert) await advert().catch((err: unknown) => log('LAN hub: could not withdraw the announcement', err))
      await closed
    },

    /**
     * A new pairing code and what the hub shows with it. `host`: the address members should use
     * (default: the address the hub listens on, or this machine's first LAN address).
     */
    openPairing(host?: string): OpenPairing {
      if (!server || !address || !identity) throw new Error('the LAN hub is not listening')
      const code = pairing.issue()
      const shownHost = host ?? (address.host === '0.0.0.0' || address.host === '::' ? (lanAddresses()[0] ?? '127.0.0.1') : address.host)
      return {
        ...code,
        host: shownHost,
        port: address.port,
        hubKey: identity.hubKey,
        url: pairingUrl({ host: shownHost, port: address.port, code: code.code, fingerprint: identity.fingerprint })
      }
    },

    /** Revokes a member: its next request is refused with lan_revoked. */
    revoke(memberId: string): boolean {
      replay.forget(memberId)
      return members.revoke(memberId)
    }
  }
}

export type LanHub = ReturnType<typeof createLanHub>
