/**
 * Convergence with a LAN hub (issue 18): one hub desk connected to the fake Wix, two member desks
 * paired with it over real TLS on loopback. Every link runs through a TCP proxy the simulation cuts
 * and heals at random — hub↔Wix, and each member↔hub — and any desk, the hub included, is restarted
 * at random (closed with whatever it had on the wire, reopened on its data dir: the hub resumes
 * sharing on its port, the members their link). Meanwhile all three desks mark people at random
 * (check-ins with counts, undos, no-shows) and other stations write straight into Wix.
 *
 * At the end: every link healed, conflicts resolved by a fixed rule (a superseded mark → discard;
 * otherwise the hub and desk 2 keep their own, desk 1 takes the other's), every desk drained until
 * all are quiet, the hub pulls from Wix, the members pull from the hub.
 *
 * The oracle:
 *   0 lost: every operation of every desk is `done` or `discarded` by the rule; every member
 *     operation the member has `done` was applied at the hub (the hub's outbox holds it under the
 *     member's operation id) — which is how it reaches Wix.
 *   0 doubled: no operation was accepted by Wix twice in a row (only an overruled conflict, with
 *     another write in between, may write an intent again); no phantom write (every mark Wix
 *     accepted is the intent, desk id and time, of an operation some desk queued).
 *   Serial outcome: Wix holds, per person, the last write it accepted, and that operation survived.
 *   Convergence: the hub's and both members' replicas equal Wix's marks for every person.
 * Seeded (ROLLCALL_SIM_SEED replays a run); the seed is printed with every failure.
 */
import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { DateTime } from 'luxon'
import type { FakeWix } from '../fakes/wix'
import { tempDir } from './helpers'
import { fakeWix } from './sync-helpers'
import { bringToRest, randomMark, type Target } from './sim/drive'
import { startProxy, type CuttableProxy } from './sim/proxy'
import { createRng, suiteSeed, type Rng } from './sim/random'
import { connectWix, DAY, localMark, NOT_SET, NS, openSimDesk, sameMark, seedWorld, showMark, sleep, until, wixMark, ZONE, type Mark, type SimDesk, type WorldPerson } from './sim/wix-world'

const SEED = suiteSeed(0x4b_0b18)
const OPERATIONS = 1200
const STATION_WRITE = 0.004
const tag = (msg: string) => `[convergence-hub seed=${SEED}] ${msg}`

const closers: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

interface Slot {
  /** 0 = the hub, 1 and 2 = members. */
  index: number
  name: string
  dataDir: string
  /** The hub: its link to Wix; a member: its link to the hub. */
  proxy: CuttableProxy
  d: SimDesk
  /** Local ids by Wix id (the hub names Wix's records `wix:<id>` for its members). */
  sessionIds: Map<string, number>
  participationIds: Map<string, number>
  healAt: number
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Pulls the day and every roster (asked again until one went through whole); fills the slot's ids. */
async function pullAll(slot: Slot): Promise<void> {
  const { d } = slot
  const provider = slot.index === 0 ? 'wix' : 'hub'
  const pulled = async (request: Parameters<SimDesk['desk']['sync']['requestPull']>[0]) => {
    const deadline = Date.now() + 60_000
    for (;;) {
      await d.desk.sync.requestPull(request)
      await d.desk.sync.idle()
      if (!d.desk.sync.status().errors.some((e) => e.stage === 'download')) return
      if (Date.now() > deadline) throw new Error(tag(`${slot.name}: pull kept failing: ${JSON.stringify(d.desk.sync.status().errors)}`))
      await sleep(50)
    }
  }
  const start = DateTime.fromISO(DAY, { zone: ZONE })
  await pulled({ kind: 'day', from: start.toMillis(), to: start.plus({ days: 1 }).toMillis(), timeZone: ZONE })
  const sqlite = d.desk.db.$client
  const wixIdOf = (providerId: string) => (provider === 'hub' ? providerId.replace(/^wix:/, '') : providerId)
  const sessions = sqlite.prepare<[string], { id: number; providerId: string }>('SELECT id, provider_id AS providerId FROM sessions WHERE provider = ?').all(provider)
  for (const s of sessions) await pulled({ kind: 'session', sessionId: s.id })
  const people = sqlite.prepare<[string], { id: number; providerId: string }>('SELECT id, provider_id AS providerId FROM participations WHERE provider = ?').all(provider)
  slot.sessionIds = new Map(sessions.map((s) => [wixIdOf(s.providerId), s.id]))
  slot.participationIds = new Map(people.map((p) => [wixIdOf(p.providerId), p.id]))
}

interface QueuedOp {
  desk: number
  opId: string
  deskId: string
  wixId: string
  intent: Mark
  markedAt: string
  state: string
  seq: number
}

/** Every attendance operation a desk queued, with the intent it carried. */
function opsOf(slot: Slot): QueuedOp[] {
  const rows = slot.d.desk.db.$client
    .prepare<[], { seq: number; opId: string; deskId: string; state: string; payload: string; providerId: string }>(
      `SELECT o.seq, o.op_id AS opId, o.desk_id AS deskId, o.state, o.payload, p.provider_id AS providerId FROM outbox o
       JOIN participations p ON p.id = o.participation_id WHERE o.kind = 'attendance.set' ORDER BY o.seq`
    )
    .all()
  return rows.map((r) => {
    const payload = JSON.parse(r.payload) as { status: Mark['status']; attendees: number; markedAt: number }
    return {
      desk: slot.index,
      opId: r.opId,
      deskId: r.deskId,
      wixId: r.providerId.replace(/^wix:/, ''),
      intent: { status: payload.status, attendees: payload.status === 'ATTENDED' ? payload.attendees : 0 },
      markedAt: new Date(payload.markedAt).toISOString(),
      state: r.state,
      seq: r.seq
    }
  })
}

describe('convergence with a LAN hub', () => {
  it(`a hub on Wix and two members, ${OPERATIONS} random marks, partitions and restarts of every desk: 0 lost, 0 doubled, one outcome`, async () => {
    const rng = createRng(SEED)
    const fake: FakeWix = await fakeWix({ seed: SEED, timeZone: ZONE })
    const { people } = seedWorld(fake, [
      { title: 'Spin', bookings: false, people: 20, hour: 9 },
      { title: 'Pilates', bookings: false, people: 20, hour: 17 }
    ])
    const hubPort = await freePort()
    const open = (slot: Pick<Slot, 'dataDir' | 'index'>, r: Rng) =>
      openSimDesk(slot.dataDir, {
        providerTimeoutMs: 400,
        syncTimerMs: 25,
        backoff: { baseMs: 5, capMs: 80, random: r.fork().next },
        lanDiscovery: null,
        ...(slot.index === 0 ? { lanListen: { host: '127.0.0.1', port: hubPort } } : {})
      })

    // The hub: on Wix through its proxy, sharing itself on a fixed loopback port.
    const wixLink = await startProxy(fake.port)
    closers.push(() => wixLink.close())
    const hubDir = tempDir()
    const hub: Slot = { index: 0, name: 'hub', dataDir: hubDir, proxy: wixLink, d: open({ dataDir: hubDir, index: 0 }, rng), sessionIds: new Map(), participationIds: new Map(), healAt: -1 }
    await connectWix(hub.d, fake, wixLink.url)
    await pullAll(hub)
    await hub.d.desk.lanDesk.startSharing()
    const slots: Slot[] = [hub]
    closers.push(() => slots.forEach((s) => s.d.close()))

    // Two members, each reaching the hub through its own proxy (the address they pair with).
    for (const index of [1, 2]) {
      const link = await startProxy(hubPort)
      closers.push(() => link.close())
      const dataDir = tempDir()
      const slot: Slot = { index, name: `desk ${index}`, dataDir, proxy: link, d: open({ dataDir, index }, rng), sessionIds: new Map(), participationIds: new Map(), healAt: -1 }
      const pairing = hub.d.desk.lanDesk.openPairing()
      await slot.d.desk.lanDesk.join({ host: '127.0.0.1', port: link.port, code: pairing.code, hubKey: pairing.hubKey })
      await pullAll(slot)
      expect(slot.participationIds.size, tag(`${slot.name} downloaded the roster`)).toBe(people.length)
      slots.push(slot)
    }

    const targetFor = (slot: Slot, p: WorldPerson): Target => ({
      sessionId: slot.sessionIds.get(p.session.eventId)!,
      participationId: slot.participationIds.get(p.wixId)!,
      partySize: p.partySize,
      label: `${p.name} @${slot.name}`
    })

    /** The fixed rule (see the header). */
    const resolve = async (slot: Slot, tally: Record<string, number>) => {
      const sqlite = slot.d.desk.db.$client
      const { problems } = await slot.d.call('sync.problems', {})
      for (const p of problems) {
        const superseded = sqlite
          .prepare(
            `SELECT count(*) FROM outbox o, (SELECT participation_id AS p, session_id AS s, seq FROM outbox WHERE op_id = ?) m
             WHERE o.participation_id = m.p AND o.session_id = m.s AND o.seq > m.seq AND o.state <> 'discarded'`
          )
          .pluck()
          .get(p.opId) as number
        const choice = superseded > 0 ? 'discard' : p.state === 'rejected' ? 'retry' : slot.index === 1 ? 'discard' : 'mine'
        const answer = await slot.d.dispatch('sync.resolve', { opId: p.opId, choice })
        const key = `${slot.name} ${p.state} ${p.reason}→${choice}`
        if (answer.ok) tally[key] = (tally[key] ?? 0) + 1
      }
    }

    /** A desk goes away with whatever it had on the wire and comes back on its data. */
    const restart = async (slot: Slot) => {
      slot.d.close()
      slot.d = open(slot, rng)
      if (slot.index === 0) {
        // The hub resumes sharing by itself (lan.json remembers it); its members reconnect on their own.
        await until(() => slot.d.desk.lanDesk.status().hub?.sharing === true, 10_000, tag('the hub to share itself again'))
      }
    }

    // Besides the random ones, every desk restarts at least once.
    const restartAt = slots.map(() => rng.int(OPERATIONS * 0.1, OPERATIONS * 0.9))
    const stationWrites: { pos: number; wixId: string; mark: Mark }[] = []
    const tally: Record<string, number> = {}
    let acknowledged = 0
    const started = Date.now()
    for (let step = 0; step < OPERATIONS; step++) {
      for (const slot of slots) {
        if (slot.healAt === step) {
          slot.proxy.heal()
          slot.healAt = -1
        }
      }
      if (rng.chance(0.015)) {
        const slot = rng.pick(slots)
        if (slot.healAt < 0) {
          slot.proxy.cut(rng.pick(['reset', 'blackhole'] as const))
          slot.healAt = step + rng.int(10, 120)
          const key = slot.index === 0 ? 'partitions hub↔Wix' : 'partitions member↔hub'
          tally[key] = (tally[key] ?? 0) + 1
        }
      }
      const planned = slots.find((x) => restartAt[x.index] === step)
      if (planned || rng.chance(0.006)) {
        const slot = planned ?? rng.pick(slots)
        await restart(slot)
        const key = slot.index === 0 ? 'hub restarts' : 'member restarts'
        tally[key] = (tally[key] ?? 0) + 1
      }
      if (rng.chance(STATION_WRITE)) {
        const p = rng.pick(people)
        const mark: Mark = rng.chance(0.7) ? { status: 'ATTENDED', attendees: rng.int(1, p.partySize) } : { status: 'NOT_ATTENDED', attendees: 0 }
        const current = fake.participations().find((x) => x.id === p.wixId)!
        const data = (current.extendedFields?.namespaces?.[NS] ?? {}) as { sessions?: Record<string, unknown> }
        const sessions = { ...(data.sessions ?? {}), [p.session.eventId]: { ...mark, markedAt: new Date().toISOString(), deskId: 'station-side-door' } }
        fake.updateParticipation(p.wixId, { extendedFields: { namespaces: { [NS]: { ...data, sessions } } } })
        stationWrites.push({ pos: fake.requests().length, wixId: p.wixId, mark })
        tally.stationWrites = (tally.stationWrites ?? 0) + 1
      }
      // As at an entrance: most people come to one desk, some to another (and meet a conflict).
      const slot = rng.pick(slots)
      const person = rng.chance(0.85) ? rng.pick(people.filter((_, i) => i % slots.length === slot.index)) : rng.pick(people)
      const result = await randomMark(slot.d, targetFor(slot, person), rng)
      if (result) acknowledged++
      if (rng.chance(0.3)) await sleep(rng.int(0, 4))
      if (rng.chance(0.02)) void slot.d.desk.sync.requestPull({ kind: 'session', sessionId: rng.pick([...slot.sessionIds.values()]) })
      // Members look at the hub's marks often (what the hub's live push does while the link is up):
      // a member marks on what it has seen, as a desk does.
      else if (slot.index > 0 && rng.chance(0.1)) void slot.d.desk.sync.requestPull({ kind: 'attendance', sessionId: rng.pick([...slot.sessionIds.values()]) })
      if (rng.chance(0.01)) await resolve(rng.pick(slots), tally)
    }
    const runMs = Date.now() - started

    // Heal every link; drain and resolve until all three desks are quiet at once, the members
    // last (what the hub decided reaches them), then download: the hub from Wix, members from the hub.
    for (const slot of slots) slot.proxy.heal()
    for (let round = 0; ; round++) {
      for (const slot of slots) {
        await resolve(slot, tally)
        await bringToRest(slot.d, 120_000, tag(`${slot.name} drain`))
      }
      await pullAll(hub)
      for (const slot of slots.slice(1)) await pullAll(slot)
      const statuses = await Promise.all(slots.map((s) => s.d.call('sync.status', {})))
      if (statuses.every((s) => s.pending === 0 && s.problems === 0)) break
      expect(round, tag('desks keep producing conflicts')).toBeLessThan(10)
    }

    // --- The oracle -------------------------------------------------------------------------
    const byWixId = new Map(people.map((p) => [p.wixId, p]))
    const serverFinal = new Map(people.map((p) => [p.wixId, wixMark(fake, p)]))
    const perDesk = slots.map((s) => opsOf(s))
    const all = perDesk.flat()

    // 0 lost: nothing left behind, and every member operation done at its desk is at the hub.
    const leftovers = all.filter((o) => o.state !== 'done' && o.state !== 'discarded')
    expect(leftovers.map((o) => `desk${o.desk} #${o.seq} ${o.state}`), tag('operations left behind')).toEqual([])
    const atHub = new Map(perDesk[0]!.map((o) => [o.opId, o]))
    const missing: string[] = []
    // A member's mark the hub already held (the same status and count, made by another desk or
    // taken from Wix) is answered done without a write, as a double tap is at one desk: the mark
    // keeps its first desk and time. So a member's done operation is either at the hub, or the
    // same mark was there already: made at or applied by the hub, or written by another station.
    const heldBefore = (o: QueuedOp) =>
      perDesk[0]!.some((h) => h.wixId === o.wixId && sameMark(h.intent, o.intent)) || stationWrites.some((w) => w.wixId === o.wixId && sameMark(w.mark, o.intent))
    for (const o of perDesk.slice(1).flat()) {
      if (o.state !== 'done') continue
      const h = atHub.get(o.opId)
      if (!h && heldBefore(o)) {
        tally['member marks the hub already held'] = (tally['member marks the hub already held'] ?? 0) + 1
        continue
      }
      if (!h) missing.push(`desk${o.desk} #${o.seq} (${showMark(o.intent)} for ${byWixId.get(o.wixId)?.name}) is done at the member but never reached the hub`)
      else if (h.deskId !== o.deskId || !sameMark(h.intent, o.intent) || h.markedAt !== o.markedAt) missing.push(`desk${o.desk} #${o.seq} changed on its way: ${JSON.stringify(o)} → ${JSON.stringify(h)}`)
    }
    expect(missing, tag('member marks lost on the way to the hub')).toEqual([])

    // What Wix accepted, in processing order; the hub's outbox holds every operation that went there.
    const opKey = (deskId: string, wixId: string, markedAt: string | null, m: Mark) => `${deskId}|${wixId}|${markedAt}|${m.status}|${m.attendees}`
    const sent = new Map(perDesk[0]!.map((o) => [opKey(o.deskId, o.wixId, o.markedAt, o.intent), o]))
    type Accepted = { seq: number; wixId: string; mark: Mark; op: QueuedOp | null; station?: true }
    const accepted: Accepted[] = []
    const phantoms: string[] = []
    for (const r of fake.requests((x) => x.method === 'PATCH')) {
      if (!r.processed || r.status !== 200) continue
      const wixId = r.path.split('/').pop()!
      const person = byWixId.get(wixId)
      if (!person) {
        phantoms.push(`write to unknown participation ${wixId}`)
        continue
      }
      const body = r.body as { participation: { extendedFields?: { namespaces?: Record<string, { sessions?: Record<string, Mark & { markedAt: string | null; deskId: string }> }> } } }
      const m = body.participation.extendedFields?.namespaces?.[NS]?.sessions?.[person.session.eventId]
      const mark: Mark = m ? { status: m.status, attendees: m.status === 'ATTENDED' ? m.attendees : 0 } : NOT_SET
      const op = m ? (sent.get(opKey(m.deskId, wixId, m.markedAt, mark)) ?? null) : null
      if (m && !op) phantoms.push(`Wix accepted ${showMark(mark)} for ${person.name} from desk ${m.deskId} at ${m.markedAt}: no desk queued that`)
      if (!m && !all.some((o) => o.wixId === wixId && o.intent.status === 'NOT_SET')) phantoms.push(`Wix accepted a clearing for ${person.name} that no desk queued`)
      accepted.push({ seq: r.seq, wixId, mark, op })
    }
    expect(phantoms, tag('phantom writes')).toEqual([])
    for (const w of stationWrites) accepted.push({ seq: w.pos - 0.5, wixId: w.wixId, mark: w.mark, op: null, station: true })
    accepted.sort((a, b) => a.seq - b.seq)

    // 0 doubled: the same operation is never accepted twice in a row.
    const twice: string[] = []
    const lastWrite = new Map<string, Accepted>()
    for (const w of accepted) {
      const before = lastWrite.get(w.wixId)
      if (before?.op && w.op && before.op === w.op) twice.push(`${w.op.opId} for ${byWixId.get(w.wixId)!.name} (requests ${before.seq}, ${w.seq})`)
      lastWrite.set(w.wixId, w)
    }
    expect(twice, tag('a mark accepted twice in a row')).toEqual([])

    // The serial outcome: the last accepted write per person is what Wix holds, and it survived.
    const notSerial: string[] = []
    for (const p of people) {
      const last = lastWrite.get(p.wixId)
      const want = last?.mark ?? NOT_SET
      const have = serverFinal.get(p.wixId)!
      if (!sameMark(want, have)) notSerial.push(`${p.name}: serial outcome ${showMark(want)}, Wix has ${showMark(have)}`)
      if (last?.op && last.op.state !== 'done') notSerial.push(`${p.name}: the last accepted write (${last.op.opId}) was ${last.op.state} at the hub`)
    }
    expect(notSerial, tag('not the serial outcome')).toEqual([])

    // Convergence: every desk's replica equals Wix.
    const diverged: string[] = []
    for (const slot of slots) {
      for (const p of people) {
        const t = targetFor(slot, p)
        const local = localMark(slot.d.desk.db.$client, t.participationId, t.sessionId)
        const server = serverFinal.get(p.wixId)!
        if (!sameMark(local, server)) diverged.push(`${t.label}: desk ${showMark(local)}, Wix ${showMark(server)}`)
      }
    }
    expect(diverged, tag('replicas did not converge')).toEqual([])

    expect(fake.participations()).toHaveLength(people.length)
    expect(fake.violations(), tag('contract violations')).toEqual([])
    expect(acknowledged, tag('too few marks were made')).toBeGreaterThan(OPERATIONS * 0.8)
    for (const key of ['partitions hub↔Wix', 'partitions member↔hub', 'hub restarts', 'member restarts']) expect(tally[key] ?? 0, tag(`no ${key}`)).toBeGreaterThan(0)
    const fromMembers = perDesk[0]!.filter((o) => o.deskId !== hub.d.desk.info.deskId).length
    expect(fromMembers, tag('too few member marks reached the hub')).toBeGreaterThan(OPERATIONS * 0.15)
    console.log(
      tag(`${acknowledged} marks in ${runMs} ms, ${all.length} operations (${fromMembers} forwarded by the hub), ${accepted.length} accepted writes; ${JSON.stringify(tally)}`)
    )
  }, 420_000)
})
