/**
 * LAN sharing as the window sees it (issue 18): the one object its service talks to, made by
 * openDesk and exposed as `desk.lanDesk`. It owns the hub listener (this desk shares itself) or the
 * member link (this desk joined a hub): never both at once. Everything it refuses is a LanRefusal
 * code; the window's dictionaries word them.
 *
 * What it keeps in lan.json: whether this desk shares (so a restart resumes sharing) and the hub
 * it joined (so a restart resumes the link). Leaving a hub forgets the hub, never the marks: they
 * stay in the outbox and go to the next hub this desk joins.
 */
import type { Desk } from '../core'
import type { Discovery } from './discovery'
import { createDeskHub } from './desk-routes'
import { displayHubKey } from './identity'
import { joinHub, leaveHub, memberClient, memberLink } from './client'
import { lanAddresses } from './hub'
import { StreamAnswer } from './marks-protocol'
import { LanRefusal, PairingTarget, parsePairingUrl } from './protocol'
import type { AttendanceRecord } from '../providers/types'

export interface LanHubStatus {
  /** The listener is on (members can reach this desk). */
  sharing: boolean
  hubName: string
  /** The addresses members type (this machine's LAN addresses, or the one address it listens on). */
  addresses: string[]
  /** The port the listener has (null while it is off). */
  port: number | null
  /** The hub key grouped for reading ("ABCD-EFGH-…"), null before the first start made the certificate. */
  hubKey: string | null
}

export interface LanMemberStatus {
  hubName: string
  /** `host:port` of the hub. */
  address: string
  /** The link to the hub answers now. */
  connected: boolean
  /** When the hub last answered (null: not since this desk started). */
  lastContactAt: number | null
  /** This desk's marks not yet at the hub. */
  waiting: number
}

export interface LanStatus {
  role: 'alone' | 'hub' | 'member'
  /** Set when role is 'hub'. */
  hub: LanHubStatus | null
  /** Set when role is 'member'. */
  member: LanMemberStatus | null
}

export interface LanPairingView {
  /** 8 characters; show grouped ("7K3M-9QXA"). */
  code: string
  expiresAt: number
  /** `rollcall-pair://…`: what the QR code carries (address, port, code, full certificate fingerprint). */
  url: string
  /** The hub key grouped for typing instead of scanning. */
  hubKey: string
  addresses: string[]
  port: number
}

export interface LanMemberRow {
  deskId: string
  deskName: string
  pairedAt: number
  lastSeenAt: number | null
  /** Marks the member told the hub it still has to send (0 until it said). */
  waiting: number
  revoked: boolean
}

export interface FoundHubView {
  name: string
  host: string
  port: number
  /** Never set by discovery (adverts carry no trust); present for symmetry with a typed target. */
  hubKey?: string
}

export type LanJoinTarget = { url: string } | { host: string; port: number; code: string; hubKey: string }

export interface LanDesk {
  status(): LanStatus
  startSharing(): Promise<LanStatus>
  stopSharing(): Promise<LanStatus>
  openPairing(): LanPairingView
  members(): LanMemberRow[]
  revoke(deskId: string): void
  discover(ms: number): Promise<FoundHubView[]>
  join(target: LanJoinTarget): Promise<LanStatus>
  leave(): Promise<LanStatus>
  onChange(listener: () => void): () => void
  /** Ends the listener and the member link (desk closing). */
  close(): Promise<void>
}

export interface LanDeskOptions {
  /** Where the listener binds: default every interface, port ROLLCALL_LAN_PORT or a free one. */
  listen?: { host: string; port: number }
  /** DNS-SD; null: none (tests, networks without multicast: members type the address). */
  discovery: Discovery | null
  /** Switches the desk's provider to the hub (joined) or back to local-only (left). */
  useHub(on: boolean): void
  /** This desk's marks not yet sent (a member's "waiting"). */
  unsent(): number
  /**
   * This desk's operations for a booking system not yet settled (waiting, or set aside for the desk
   * to decide): a member sends only to its hub, so joining would leave them behind.
   */
  unsettledElsewhere(): number
  env?: NodeJS.ProcessEnv
  log?: (message: string, err?: unknown) => void
}

/** The port from ROLLCALL_LAN_PORT (0 = a free one); anything else there is ignored with 0. */
export function lanPort(env: NodeJS.ProcessEnv): number {
  const raw = env.ROLLCALL_LAN_PORT
  const port = raw ? Number(raw) : 0
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : 0
}

/** First wait after the link to the hub fails; it doubles up to LINK_MAX_BACKOFF_MS. */
export const LINK_FIRST_BACKOFF_MS = 250
export const LINK_MAX_BACKOFF_MS = 5_000
/** A hub that refused this desk (revoked): asked again this seldom. */
export const LINK_REFUSED_MS = 30_000
/** Where a desk's name is kept by its id (desk_meta): the roster names the station that made a mark. */
export const STATION_PREFIX = 'station:'
const DAY_MS = 86_400_000

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

export function createLanDesk(desk: Pick<Desk, 'context' | 'lan' | 'attendance' | 'db' | 'events' | 'sync'>, options: LanDeskOptions): LanDesk {
  const env = options.env ?? process.env
  const log = options.log ?? (() => {})
  const listen = options.listen ?? { host: '0.0.0.0', port: lanPort(env) }
  const listeners = new Set<() => void>()
  const changed = () => {
    for (const l of listeners) {
      try {
        l()
      } catch (err) {
        log('LAN: a change listener failed', err)
      }
    }
  }
  const hub = createDeskHub(desk as Desk, { log, now: desk.context.now, ...(options.discovery ? { discovery: options.discovery } : {}) })
  /** Member link state, kept by the live stream and every call to the hub. */
  const link = memberLink(desk.lan)
  const unlink = link.onChange(changed)

  const shownAddresses = (): string[] => {
    const bound = hub.address()
    if (bound && bound.host !== '0.0.0.0' && bound.host !== '::') return [bound.host]
    const found = lanAddresses()
    return found.length > 0 ? found : ['127.0.0.1']
  }

  function status(): LanStatus {
    const file = desk.lan.read()
    if (hub.listening() || file.hub?.sharing) {
      const identity = hub.identity()
      return {
        role: 'hub',
        hub: {
          sharing: hub.listening(),
          hubName: desk.context.deskName,
          addresses: hub.listening() ? shownAddresses() : [],
          port: hub.address()?.port ?? null,
          hubKey: identity ? displayHubKey(identity.hubKey) : null
        },
        member: null
      }
    }
    if (file.membership) {
      const m = file.membership
      return {
        role: 'member',
        hub: null,
        member: { hubName: m.hubName, address: `${m.host}:${m.port}`, ...link.state(), waiting: options.unsent() }
      }
    }
    return { role: 'alone', hub: null, member: null }
  }

  // ---- The member's live link: a long poll on the hub's stream, reconnecting with backoff --------
  const sqlite = desk.db.$client
  const hubSession = sqlite.prepare<[string], { id: number }>(`SELECT id FROM sessions WHERE provider = 'hub' AND provider_id = ?`)
  const hubPerson = sqlite.prepare<[string], { one: number }>(`SELECT 1 AS one FROM participations WHERE provider = 'hub' AND provider_id = ?`)
  const nearSessions = sqlite.prepare<[number, number], { id: number }>(`SELECT id FROM sessions WHERE provider = 'hub' AND ends_at > ? AND starts_at < ?`)
  const saveStation = sqlite.prepare(`INSERT INTO desk_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE value <> excluded.value`)
  const stationsKnown = new Map<string, string>()
  let live: AbortController | null = null

  /** The desks' names as the hub knows them, kept where the roster reads a mark's station from. */
  function rememberStations(desks: StreamAnswer['desks']): void {
    for (const d of desks) {
      if (d.deskId === desk.context.deskId || stationsKnown.get(d.deskId) === d.deskName) continue
      saveStation.run(`${STATION_PREFIX}${d.deskId}`, d.deskName)
      stationsKnown.set(d.deskId, d.deskName)
    }
  }

  async function applyStream(answer: StreamAnswer): Promise<void> {
    rememberStations(answer.desks)
    if (answer.reset) {
      // Missed changes (first contact, hub restarted): the marks of the sessions around now again.
      const at = desk.context.now()
      for (const { id } of nearSessions.all(at - DAY_MS / 2, at + DAY_MS / 2)) void desk.sync.requestPull({ kind: 'attendance', sessionId: id })
    }
    const rosters = new Set<number>()
    for (const key of answer.sessions) {
      const s = hubSession.get(key)
      if (s) void desk.sync.requestPull({ kind: 'attendance', sessionId: s.id })
    }
    const bySession = new Map<number, AttendanceRecord[]>()
    for (const m of answer.marks) {
      const s = hubSession.get(m.session)
      if (!s) continue
      // Someone this desk does not have yet (a walk-in another desk added): the roster comes too.
      // A walk-in this desk holds by its first key, renamed at the hub, is renamed with the mark.
      if (!hubPerson.get(m.participation) && (m.formerKey === undefined || !hubPerson.get(m.formerKey))) {
        rosters.add(s.id)
        continue
      }
      const list = bySession.get(s.id) ?? []
      list.push({ participationProviderId: m.participation, ...(m.formerKey !== undefined ? { formerParticipationProviderId: m.formerKey } : {}), sessionProviderId: m.session, status: m.status, attendees: m.attendees, providerId: null, markedAt: m.markedAt, deskId: m.deskId, checkedOutAt: m.checkedOutAt })
      bySession.set(s.id, list)
    }
    for (const [sessionId, records] of bySession) await desk.sync.applyPushed(sessionId, records)
    for (const sessionId of rosters) void desk.sync.requestPull({ kind: 'session', sessionId })
  }

  /** Runs while this desk is a member: the stream, and the link status from it. */
  function startLink(): void {
    if (live || !desk.lan.read().membership) return
    const controller = new AbortController()
    live = controller
    const { signal } = controller
    void (async () => {
      let cursor: string | undefined
      let failures = 0
      let clockLearnt = false
      while (!signal.aborted && desk.lan.read().membership) {
        const client = memberClient(desk.lan, desk.context.now)
        if (!client) break
        try {
          if (!clockLearnt) {
            await client.whoami()
            clockLearnt = true
          }
          const q = new URLSearchParams({ waiting: String(options.unsent()) })
          if (cursor) q.set('since', cursor)
          const answer = await client.call('GET', `/stream?${q.toString()}`, undefined, StreamAnswer, signal)
          if (signal.aborted) break
          const back = !link.state().connected || failures > 0
          link.contact(true, desk.context.now())
          failures = 0
          // Back in touch: what waited in the outbox goes now, not at the end of its backoff.
          if (back) void desk.sync.trigger('resume')
          await applyStream(answer)
          cursor = answer.cursor
        } catch (err) {
          if (signal.aborted) break
          failures++
          clockLearnt = false
          link.contact(false, desk.context.now())
          if (!(err instanceof LanRefusal)) log('LAN: the link to the hub failed', err)
          // Revoked or unpaired: asking again soon changes nothing; a hub away comes back any moment.
          const refused = err instanceof LanRefusal && (err.code === 'lan_revoked' || err.code === 'lan_unpaired' || err.code === 'lan_certificate_mismatch')
          const wait = refused ? LINK_REFUSED_MS : Math.min(LINK_MAX_BACKOFF_MS, LINK_FIRST_BACKOFF_MS * 2 ** Math.min(failures - 1, 10))
          await sleep(wait * (0.75 + Math.random() * 0.5), signal)
        }
      }
      if (live === controller) live = null
    })()
  }

  function stopLink(): void {
    live?.abort()
    live = null
  }

  function remember(sharing: boolean): void {
    desk.lan.update((file) => {
      if (file.hub) file.hub.sharing = sharing
    })
  }

  /** The start under way: the desk resuming at open and a click in the window may ask at once. */
  let starting: Promise<LanStatus> | null = null
  function startSharing(): Promise<LanStatus> {
    starting ??= beginSharing().finally(() => (starting = null))
    return starting
  }

  async function beginSharing(): Promise<LanStatus> {
    if (desk.lan.read().membership) throw new LanRefusal('lan_is_member')
    if (!hub.listening()) {
      // No port chosen: the one used last, so members find the hub where they left it after a restart.
      const last = desk.lan.read().hub?.port
      const tries = listen.port === 0 && last ? [last, 0] : [listen.port]
      for (const [i, port] of tries.entries()) {
        try {
          await hub.start({ host: listen.host, port })
          break
        } catch (err) {
          if (err instanceof LanRefusal) throw err
          const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
          if (inUse && i < tries.length - 1) continue
          log('LAN: sharing could not start', err)
          throw new LanRefusal(inUse ? 'lan_port_in_use' : 'lan_internal')
        }
      }
      const port = hub.address()?.port
      desk.lan.update((file) => {
        if (file.hub) {
          file.hub.sharing = true
          if (port) file.hub.port = port
        }
      })
      changed()
    }
    return status()
  }

  async function stopSharing(): Promise<LanStatus> {
    await hub.stop()
    remember(false)
    changed()
    return status()
  }

  function target(input: LanJoinTarget): PairingTarget {
    if ('url' in input) {
      const parsed = parsePairingUrl(input.url)
      if (!parsed) throw new LanRefusal('lan_invalid_request')
      return parsed
    }
    const parsed = PairingTarget.safeParse({ host: input.host.trim(), port: input.port, code: input.code, hubKey: input.hubKey.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1') })
    if (!parsed.success || !parsed.data.hubKey) throw new LanRefusal('lan_invalid_request')
    return parsed.data
  }

  // A desk that joined a hub before it closed is back in touch as soon as it opens.
  startLink()

  return {
    status,
    startSharing,
    stopSharing,
    openPairing(): LanPairingView {
      if (!hub.listening()) throw new LanRefusal('lan_not_sharing')
      const addresses = shownAddresses()
      const open = hub.openPairing(addresses[0])
      return { code: open.code, expiresAt: open.expiresAt, url: open.url, hubKey: displayHubKey(open.hubKey), addresses, port: open.port }
    },
    members(): LanMemberRow[] {
      // One row per desk: its active pairing, else its latest one (a desk that left and paired
      // again has both on file; the window lists desks, keyed by desk id).
      const latest = new Map<string, ReturnType<typeof hub.members.list>[number]>()
      for (const m of hub.members.list()) {
        const kept = latest.get(m.deskId)
        const better = !kept || (kept.revokedAt !== null && m.revokedAt === null) || ((kept.revokedAt === null) === (m.revokedAt === null) && m.pairedAt > kept.pairedAt)
        if (better) latest.set(m.deskId, m)
      }
      return [...latest.values()].map((m) => ({ deskId: m.deskId, deskName: m.deskName, pairedAt: m.pairedAt, lastSeenAt: m.lastSeenAt, waiting: m.revokedAt === null ? hub.waiting(m.id) : 0, revoked: m.revokedAt !== null }))
    },
    revoke(deskId: string): void {
      const active = hub.members.list().filter((m) => m.deskId === deskId && m.revokedAt === null)
      if (active.length === 0) throw new LanRefusal('lan_not_found')
      for (const m of active) hub.revoke(m.id)
      changed()
    },
    async discover(ms: number): Promise<FoundHubView[]> {
      const discovery = options.discovery
      if (!discovery) return []
      const wait = Math.min(Math.max(0, ms), 10_000)
      let found: FoundHubView[] = []
      const stop = discovery.browse((hubs) => {
        found = hubs.flatMap((h) => (h.addresses[0] ? [{ name: h.name, host: h.addresses[0], port: h.port }] : []))
      })
      await new Promise((resolve) => setTimeout(resolve, wait))
      stop()
      // This desk's own advert is not a hub to join.
      const own = hub.address()?.port
      return found.filter((h) => !(own && h.port === own && shownAddresses().includes(h.host)))
    },
    async join(input: LanJoinTarget): Promise<LanStatus> {
      if (hub.listening()) throw new LanRefusal('lan_is_hub')
      if (!desk.lan.read().membership && options.unsettledElsewhere() > 0) throw new LanRefusal('lan_unsent_elsewhere')
      const t = target(input)
      await joinHub(desk.lan, t, { deskName: desk.context.deskName, deskId: desk.context.deskId }, desk.context.now)
      link.contact(true, desk.context.now())
      options.useHub(true)
      // A new hub: the link starts over (its cursor and clock belong to the old one).
      stopLink()
      startLink()
      changed()
      return status()
    },
    async leave(): Promise<LanStatus> {
      if (!desk.lan.read().membership) return status()
      // Told when reachable, so the hub frees this desk's id; a hub gone for good is not waited for.
      await memberClient(desk.lan, desk.context.now)
        ?.leave()
        .catch(() => undefined)
      stopLink()
      leaveHub(desk.lan)
      link.reset()
      options.useHub(false)
      changed()
      return status()
    },
    onChange(listener: () => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async close(): Promise<void> {
      stopLink()
      unlink()
      listeners.clear()
      await hub.stop()
      await options.discovery?.destroy()
    }
  }
}
