/**
 * `--only lan`: several desks on one machine over loopback TLS (issue 18). A local-only hub with a
 * CSV roster of 600 people and five members joined to it, each its own openDesk with its own data
 * dir and live link. Measured:
 * - propagation hub → member: from the hub's check-in call to the mark in a member's replica
 *   (the stream's long poll, the member's writer), every member, one check-in at a time;
 * - a member's check-in (the call at the desk, answered from its replica) while all five members
 *   check people in at once, and how long those marks take to reach the hub and the other members.
 */
import { join } from 'node:path'
import { DateTime } from 'luxon'
import { openDesk, type Desk } from '../../src/main/core'
import { createDispatcher } from '../../src/main/ipc/dispatcher'
import { summary } from './report'

const PEOPLE = 600
const MEMBERS = 5
const PROPAGATION_SAMPLES = 60
const CONCURRENT_PER_MEMBER = 60

type Call = (name: string, input: unknown) => Promise<unknown>

function driven(desk: Desk): Call {
  const dispatch = createDispatcher(desk.handlers, () => {})
  return async (name, input) => {
    const answer = await dispatch(name as never, input as never)
    if (!answer.ok) throw new Error(`${name}: ${answer.error.message}`)
    return answer.value
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setImmediate(r))
  }
}

export interface LanFigures {
  propagation: ReturnType<typeof summary>
  memberCheckIn: ReturnType<typeof summary>
  underLoadPropagation: ReturnType<typeof summary>
  /** The same check-ins' arrival at the hub (the first half of their way). */
  atHub: ReturnType<typeof summary>
}

export async function benchLan(work: string, say: (msg: string) => void): Promise<LanFigures> {
  const zone = 'Europe/Berlin'
  const day = DateTime.now().setZone(zone).toISODate()!
  const open = (name: string) =>
    openDesk({ dataDir: join(work, `lan-${name.replace(/\W+/g, '-').toLowerCase()}`), env: {}, lanDiscovery: null, lanListen: { host: '127.0.0.1', port: 0 }, deskName: name, reconcileMs: 0 })
  const hub = open('Entrance')
  const desks: Desk[] = [hub]
  try {
    const hubCall = driven(hub)
    const lines = Array.from({ length: PEOPLE }, (_, i) => `Guest ${String(i).padStart(4, '0')},LAN-${i},Conference,${day} 00:00,${day} 23:59`)
    await hubCall('import.commit', { csv: ['Name,Booking id,Session,Start,End', ...lines].join('\n'), timeZone: zone })
    await hub.lanDesk.startSharing()
    const start = DateTime.fromISO(day, { zone })
    const members: { desk: Desk; call: Call; sessionId: number; ids: Map<string, number> }[] = []
    for (let i = 1; i <= MEMBERS; i++) {
      const desk = open(`Desk ${i}`)
      desks.push(desk)
      await desk.lanDesk.join({ url: hub.lanDesk.openPairing().url })
      await desk.sync.requestPull({ kind: 'day', from: start.toMillis(), to: start.plus({ days: 1 }).toMillis(), timeZone: zone })
      await desk.sync.idle()
      const call = driven(desk)
      const { sessions } = (await call('sessions.forDay', { date: day, timeZone: zone })) as { sessions: { id: number }[] }
      const sessionId = sessions[0]!.id
      await desk.sync.requestPull({ kind: 'session', sessionId })
      await desk.sync.idle()
      const ids = new Map((desk.db.$client.prepare(`SELECT name, id FROM participations WHERE session_id = ?`).all(sessionId) as { name: string; id: number }[]).map((r) => [r.name, r.id]))
      members.push({ desk, call, sessionId, ids })
    }
    say(`lan: hub and ${MEMBERS} members on loopback, ${PEOPLE} people`)
    await until(() => members.every((m) => m.desk.lanDesk.status().member?.connected === true), 10_000, 'every member linked')
    await sleep(300)

    const hubSession = ((await hubCall('sessions.forDay', { date: day, timeZone: zone })) as { sessions: { id: number }[] }).sessions[0]!.id
    const hubIds = new Map((hub.db.$client.prepare(`SELECT name, id FROM participations WHERE session_id = ?`).all(hubSession) as { name: string; id: number }[]).map((r) => [r.name, r.id]))
    const marked = (m: (typeof members)[number], name: string) =>
      (m.desk.db.$client.prepare(`SELECT status FROM attendance WHERE participation_id = ? AND session_id = ?`).pluck().get(m.ids.get(name), m.sessionId) as string | undefined) === 'ATTENDED'

    // Hub → member, one check-in at a time: the time until each member holds the mark.
    const propagation: number[] = []
    for (let i = 0; i < PROPAGATION_SAMPLES; i++) {
      const name = `Guest ${String(i).padStart(4, '0')}`
      const t0 = performance.now()
      await hubCall('attendance.checkIn', { sessionId: hubSession, participationId: hubIds.get(name), attendees: 1, allowOverParty: false, method: 'scan' })
      const pending = new Set(members)
      await until(
        () => {
          for (const m of pending) {
            if (marked(m, name)) {
              propagation.push(performance.now() - t0)
              pending.delete(m)
            }
          }
          return pending.size === 0
        },
        10_000,
        `${name} at every member`
      )
      await sleep(20)
    }

    // Five members checking people in at once: each call, then the time until every other member holds it.
    const checkIn: number[] = []
    const spread: number[] = []
    const madeAt = new Map<string, { t: number; by: number }>()
    await Promise.all(
      members.map(async (m, k) => {
        for (let j = 0; j < CONCURRENT_PER_MEMBER; j++) {
          const name = `Guest ${String(PROPAGATION_SAMPLES + k * CONCURRENT_PER_MEMBER + j).padStart(4, '0')}`
          const t0 = performance.now()
          await m.call('attendance.checkIn', { sessionId: m.sessionId, participationId: m.ids.get(name), attendees: 1, allowOverParty: false, method: 'scan' })
          checkIn.push(performance.now() - t0)
          madeAt.set(name, { t: t0, by: k })
          await sleep(5 + Math.random() * 20)
        }
      })
    )
    // Where the time goes: the same check-ins' arrival at the hub.
    const atHub: number[] = []
    const hubWaiting = new Map(madeAt)
    const hubMarked = (name: string) =>
      (hub.db.$client.prepare(`SELECT status FROM attendance WHERE participation_id = ? AND session_id = ?`).pluck().get(hubIds.get(name), hubSession) as string | undefined) === 'ATTENDED'
    const waiting = new Map([...madeAt].flatMap(([name, v]) => members.filter((_, k) => k !== v.by).map((m) => [`${name}|${members.indexOf(m)}`, { name, m, t: v.t }] as const)))
    await until(
      () => {
        for (const [name, v] of hubWaiting) {
          if (hubMarked(name)) {
            atHub.push(performance.now() - v.t)
            hubWaiting.delete(name)
          }
        }
        for (const [key, w] of waiting) {
          if (marked(w.m, w.name)) {
            spread.push(performance.now() - w.t)
            waiting.delete(key)
          }
        }
        return waiting.size === 0
      },
      60_000,
      'every member check-in at every other member'
    )
    return { propagation: summary(propagation), memberCheckIn: summary(checkIn), underLoadPropagation: summary(spread), atHub: summary(atHub) }
  } finally {
    for (const d of desks) {
      await d.lanDesk.close()
      d.close()
    }
  }
}
