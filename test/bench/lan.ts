/**
 * Desks sharing one roster over the LAN (issue 18), measured on loopback TLS: a hub (local-only,
 * a CSV roster) and five members, each an openDesk with its own data dir, joined with pairing
 * codes as the window joins them (desk.lanDesk).
 *
 * - Propagation hub → member: the hub checks people in one by one; each member's window is told
 *   of the row (its desk events, what the window listens to) through the hub's live stream. The
 *   time from the hub's call to each member's row event, for every mark and member.
 * - Desk to desk: the same for a member's check-in, at every other member (member → hub → member).
 * - A member's check-in while five members check in at once: each member checks in its own people
 *   at a door's pace, all five together; the time of each call at the member (its durable commit,
 *   what the person at the desk waits for), and how long each mark takes to be at the hub.
 *
 * All six desks run in this one process: their SQLite work and TLS share one thread, where real
 * desks have a machine each. The figures are therefore an upper bound on each desk's own cost.
 */
import { join } from 'node:path'
import { openDesk, type Desk } from '../../src/main/core'
import { createDispatcher } from '../../src/main/ipc/dispatcher'
import type { DeskEvent } from '../../src/shared/contract'

const ZONE = 'Europe/Berlin'
const now = () => performance.now()
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export interface LanFigures {
  members: number
  people: number
  /** ms from the hub's check-in to each member's row event, one sample per mark and member. */
  propagation: number[]
  /** Marks that never reached a member within the wait. */
  propagationMissing: number
  /** ms of each member check-in call while all members check in. */
  memberCheckIns: number[]
  /** ms from a member's check-in to the mark being at the hub. */
  memberToHub: number[]
  memberToHubMissing: number
  /** ms from a member's check-in to each other member's row event (through the hub). */
  deskToDesk: number[]
  deskToDeskMissing: number
}

async function until(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!done()) {
    if (Date.now() > deadline) return false
    await sleep(5)
  }
  return true
}

export async function benchLan(work: string, options: { people: number; members: number; propagationMarks: number; checkInsPerMember: number; paceMs: number; memberPaceMs: number }, say: (m: string) => void): Promise<LanFigures> {
  const open = (name: string, extra: Partial<Parameters<typeof openDesk>[0]> = {}) =>
    openDesk({ dataDir: join(work, name), env: { ROLLCALL_MDNS: 'off' }, syncTimerMs: 1000, lanDiscovery: null, log: () => {}, ...extra })
  const desks: Desk[] = []
  try {
    const hub = open('lan-hub', { lanListen: { host: '127.0.0.1', port: 0 } })
    desks.push(hub)
    const hubCall = createDispatcher(hub.handlers, () => {})
    const day = new Date().toISOString().slice(0, 10)
    const lines = Array.from({ length: options.people }, (_, i) => `Guest ${String(i).padStart(5, '0')},G-${i},Conference,${day} 08:00,${day} 20:00`)
    const imported = await hubCall('import.commit', { csv: ['Name,Booking id,Session,Start,End', ...lines].join('\n'), timeZone: ZONE })
    if (!imported.ok) throw new Error(`import: ${JSON.stringify(imported.error)}`)
    const hubSession = hub.db.$client.prepare(`SELECT id FROM sessions WHERE title = 'Conference'`).pluck().get() as number
    const hubPeople = new Map(
      (hub.db.$client.prepare('SELECT name, id FROM participations WHERE session_id = ?').all(hubSession) as { name: string; id: number }[]).map((r) => [r.name, r.id])
    )
    await hub.lanDesk.startSharing()

    say(`lan: ${options.members} members join the hub and download ${options.people} people ...`)
    const members: { desk: Desk; call: ReturnType<typeof createDispatcher>; session: number; people: Map<string, number>; seen: Map<string, number> }[] = []
    for (let i = 0; i < options.members; i++) {
      const m = open(`lan-member-${i + 1}`)
      desks.push(m)
      const pairing = hub.lanDesk.openPairing()
      await m.lanDesk.join({ host: '127.0.0.1', port: pairing.port, code: pairing.code, hubKey: pairing.hubKey })
      const from = Date.parse(`${day}T00:00:00Z`) - 86_400_000
      await m.sync.requestPull({ kind: 'day', from, to: from + 3 * 86_400_000, timeZone: ZONE })
      await m.sync.idle()
      const session = m.db.$client.prepare(`SELECT id FROM sessions WHERE provider = 'hub' AND title = 'Conference'`).pluck().get() as number | undefined
      if (session === undefined) throw new Error(`member ${i + 1} did not download the session`)
      await m.sync.requestPull({ kind: 'session', sessionId: session })
      await m.sync.idle()
      const people = new Map((m.db.$client.prepare('SELECT name, id FROM participations WHERE session_id = ?').all(session) as { name: string; id: number }[]).map((r) => [r.name, r.id]))
      if (people.size !== options.people) throw new Error(`member ${i + 1} downloaded ${people.size} of ${options.people} people`)
      const seen = new Map<string, number>()
      // What the member's window is told: a row now shown as arrived.
      m.events.subscribe((e: DeskEvent) => {
        if (e.kind !== 'rows') return
        const t = now()
        for (const r of e.rows) if (r.attendance.status === 'ATTENDED' && !seen.has(r.name)) seen.set(r.name, t)
      })
      members.push({ desk: m, call: createDispatcher(m.handlers, () => {}), session, people, seen })
    }
    // Every member's live stream is up before the hub marks anyone.
    await until(() => members.every((m) => m.desk.lanDesk.status().member?.connected === true), 10_000)

    say(`lan: the hub checks in ${options.propagationMarks} people; time until each member's window is told ...`)
    const sentAt = new Map<string, number>()
    for (let i = 0; i < options.propagationMarks; i++) {
      const name = `Guest ${String(i).padStart(5, '0')}`
      const t = now()
      sentAt.set(name, t)
      const r = await hubCall('attendance.checkIn', { sessionId: hubSession, participationId: hubPeople.get(name)!, attendees: 1 })
      if (!r.ok) throw new Error(`hub check-in: ${JSON.stringify(r.error)}`)
      await sleep(options.paceMs)
    }
    await until(() => members.every((m) => [...sentAt.keys()].every((n) => m.seen.has(n))), 10_000)
    const propagation: number[] = []
    let propagationMissing = 0
    for (const m of members) {
      for (const [name, t] of sentAt) {
        const at = m.seen.get(name)
        if (at === undefined) propagationMissing++
        else propagation.push(at - t)
      }
    }

    say(`lan: ${options.members} members check in ${options.checkInsPerMember} people each, all at once ...`)
    const memberCheckIns: number[] = []
    const markedAt = new Map<string, number>()
    const ownerOf = new Map<string, number>()
    const first = options.propagationMarks
    // When each mark is at the hub: its attendance row, polled all along (a 5 ms grain).
    const atHub = new Map<string, number>()
    const status = hub.db.$client.prepare(`SELECT a.status FROM attendance a WHERE a.participation_id = ? AND a.session_id = ?`).pluck()
    let checking = true
    const watching = until(() => {
      const t = now()
      for (const name of markedAt.keys()) if (!atHub.has(name) && status.get(hubPeople.get(name)!, hubSession) === 'ATTENDED') atHub.set(name, t)
      return !checking && atHub.size === markedAt.size
    }, 60_000)
    await Promise.all(
      members.map(async (m, k) => {
        for (let j = 0; j < options.checkInsPerMember; j++) {
          // Each member's own people (a door each), after the ones the hub marked.
          const name = `Guest ${String(first + k * options.checkInsPerMember + j).padStart(5, '0')}`
          // A busy door's pace (a scanner line: one person every ~0.3 s at each desk), with some
          // spread so the desks' calls interleave.
          await sleep(options.memberPaceMs * (0.5 + Math.random()))
          const t = now()
          const r = await m.call('attendance.checkIn', { sessionId: m.session, participationId: m.people.get(name)!, attendees: 1 })
          memberCheckIns.push(now() - t)
          if (!r.ok) throw new Error(`member check-in: ${JSON.stringify(r.error)}`)
          markedAt.set(name, t)
          ownerOf.set(name, k)
        }
      })
    )
    checking = false
    await watching
    // And at every other member's window (through the hub's live stream): desk to desk.
    await until(() => members.every((m) => [...markedAt.keys()].every((n) => m.seen.has(n))), 10_000)
    const deskToDesk: number[] = []
    let deskToDeskMissing = 0
    members.forEach((m, k) => {
      for (const [name, t] of markedAt) {
        if (ownerOf.get(name) === k) continue
        const at = m.seen.get(name)
        if (at === undefined) deskToDeskMissing++
        else deskToDesk.push(at - t)
      }
    })
    const memberToHub = [...atHub].map(([name, t]) => t - markedAt.get(name)!)
    return {
      members: options.members,
      people: options.people,
      propagation,
      propagationMissing,
      memberCheckIns,
      memberToHub,
      memberToHubMissing: markedAt.size - atHub.size,
      deskToDesk,
      deskToDeskMissing
    }
  } finally {
    for (const d of desks.reverse()) d.close()
  }
}
