/**
 * Multi-desk convergence: three desks (three data dirs, in-process `openDesk`s) against one fake
 * Wix, each behind its own TCP proxy that the simulation cuts (reset or blackhole) and heals at
 * random, with random restarts (close + reopen on the same data dir, often with a request on the
 * wire) and thousands of random marks — check-ins with counts, undos, no-shows — on two calendar
 * events whose marks live in the participations' extended fields (revision-checked writes, so
 * desks meet each other's changes as 409s and conflicts).
 *
 * Meanwhile the booking system moves on its own: other stations write marks straight into Wix
 * (no desk queued them; they bump the revision like any write, so desks meet them as 409s), and
 * people are removed from the events upstream (a desk's later write for them gets 404).
 *
 * At the end: every proxy healed, every desk drained, conflicts resolved by a fixed rule (a mark
 * superseded by the same desk's later mark, or for a person removed upstream → discard; otherwise
 * desk 0 and desk 2 choose "mine", desk 1 chooses "discard"), repeated until all three desks are
 * quiet; then every desk pulls.
 *
 * The oracle. Let W be the writes Wix accepted (PATCH answered 200 after processing) and the other
 * stations' writes, in the order Wix processed them (its request log; no fault delays a request
 * inside the fake here, so arrival order is processing order, and a station's write is placed
 * after every request logged before it). Every write in W sets one person's mark for one event.
 *   1. No phantom state: every accepted non-empty mark is exactly the intent (desk id, time, status,
 *      count) of an operation some desk queued; every accepted clearing is the intent of some
 *      NOT_SET operation for that person.
 *   2. Serial equivalence: for each person, Wix's final mark equals what one serial desk produces
 *      applying the surviving intents in the order Wix accepted them — i.e. the intent of the LAST
 *      accepted write for that person (NOT_SET if none) — and the operation behind that write
 *      survived (it is `done`, not discarded).
 *   3. Convergence: after the final pull, each desk's replica equals Wix's marks for every person.
 *   4. Nothing is left behind: every operation of every desk is `done` or `discarded`; no mark was
 *      accepted twice; no participation was created; no contract violation.
 * Seeded (ROLLCALL_SIM_SEED replays a run); the seed is printed with every failure.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { FakeWix, LoggedRequest } from '../fakes/wix'
import { tempDir } from './helpers'
import { fakeWix } from './sync-helpers'
import { bringToRest, randomMark, type Target } from './sim/drive'
import { startProxy, type CuttableProxy } from './sim/proxy'
import { createRng, suiteSeed } from './sim/random'
import { connectWix, localMark, NOT_SET, NS, openSimDesk, pullEverything, sameMark, seedWorld, showMark, sleep, wixMark, ZONE, type Mark, type SimDesk, type WorldPerson } from './sim/wix-world'

const SEED = suiteSeed(0xc0_4e46)
const OPERATIONS = 4000
const BOOKINGS_OPERATIONS = 1500
const DESKS = 3
/** People removed upstream during the run, and the chance per step of another station's write. */
const REMOVALS = 3
const STATION_WRITE = 0.005
const tag = (msg: string) => `[convergence seed=${SEED}] ${msg}`

const closers: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

interface DeskSlot {
  index: number
  dataDir: string
  proxy: CuttableProxy
  d: SimDesk
  /** Local ids by Wix participation id (stable across restarts: same database). */
  ids: { sessionIds: Map<string, number>; participationIds: Map<string, number> }
  healAt: number
  restarts: number
}

interface QueuedOp {
  desk: number
  deskId: string
  wixId: string
  intent: Mark
  markedAt: string
  state: string
  seq: number
}

const DESK_OPTIONS = { providerTimeoutMs: 300, syncTimerMs: 25 }

describe('multi-desk convergence', () => {
  it(`three desks, ${OPERATIONS} random marks, partitions and restarts converge to the serial outcome`, async () => {
    const rng = createRng(SEED)
    const fake: FakeWix = await fakeWix({ seed: SEED, timeZone: ZONE })
    const { people } = seedWorld(fake, [
      { title: 'Spin', bookings: false, people: 8, hour: 9 },
      { title: 'Pilates', bookings: false, people: 8, hour: 17 }
    ])

    const open = (slot: Pick<DeskSlot, 'dataDir' | 'index'>) =>
      openSimDesk(slot.dataDir, { ...DESK_OPTIONS, backoff: { baseMs: 5, capMs: 80, random: rng.fork().next } })
    const slots: DeskSlot[] = []
    for (let index = 0; index < DESKS; index++) {
      const proxy = await startProxy(fake.port)
      closers.push(() => proxy.close())
      const dataDir = tempDir()
      const d = open({ dataDir, index })
      await connectWix(d, fake, proxy.url)
      const ids = await pullEverything(d)
      slots.push({ index, dataDir, proxy, d, ids, healAt: -1, restarts: 0 })
    }
    closers.push(() => slots.forEach((s) => s.d.close()))
    const targetFor = (slot: DeskSlot, p: WorldPerson): Target => ({
      sessionId: slot.ids.sessionIds.get(p.session.eventId)!,
      participationId: slot.ids.participationIds.get(p.wixId)!,
      partySize: p.partySize,
      label: `${p.name} @desk${slot.index}`
    })

    /** The fixed resolution rule (see the header). */
    const resolve = async (slot: DeskSlot, tally: Record<string, number>) => {
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
        const gone = p.reason === 'sync_removed_upstream'
        const choice = superseded > 0 || gone ? 'discard' : p.state === 'rejected' ? 'retry' : slot.index % 2 === 0 ? 'mine' : 'discard'
        const answer = await slot.d.dispatch('sync.resolve', { opId: p.opId, choice })
        if (answer.ok) tally[`desk${slot.index} ${p.state}→${choice}`] = (tally[`desk${slot.index} ${p.state}→${choice}`] ?? 0) + 1
      }
    }

    /** Other stations' writes, each placed after the requests Wix had logged when it was made. */
    const stationWrites: { pos: number; wixId: string; mark: Mark }[] = []
    const removed = new Set<string>()
    const removeAt = new Set(Array.from({ length: REMOVALS }, () => rng.int(OPERATIONS * 0.1, OPERATIONS * 0.8)))
    const present = () => people.filter((p) => !removed.has(p.wixId))

    const tally: Record<string, number> = {}
    let acknowledged = 0
    const started = Date.now()
    for (let step = 0; step < OPERATIONS; step++) {
      // Partitions: cut a desk off (reset or blackhole) for a while, then heal it.
      for (const slot of slots) {
        if (slot.healAt === step) {
          slot.proxy.heal()
          slot.healAt = -1
        }
      }
      if (rng.chance(0.012)) {
        const slot = rng.pick(slots)
        if (slot.healAt < 0) {
          slot.proxy.cut(rng.pick(['reset', 'blackhole'] as const))
          slot.healAt = step + rng.int(10, 150)
          tally.partitions = (tally.partitions ?? 0) + 1
        }
      }
      // Restarts: the desk goes away with whatever it had on the wire and comes back on its data.
      if (rng.chance(0.006)) {
        const slot = rng.pick(slots)
        slot.d.close()
        slot.d = open(slot)
        slot.restarts++
        tally.restarts = (tally.restarts ?? 0) + 1
      }
      // The booking system moves on its own: another station marks someone, someone is removed.
      if (rng.chance(STATION_WRITE)) {
        const p = rng.pick(present())
        const mark: Mark = rng.chance(0.7) ? { status: 'ATTENDED', attendees: rng.int(1, p.partySize) } : rng.chance(0.5) ? { status: 'NOT_ATTENDED', attendees: 0 } : NOT_SET
        const current = fake.participations().find((x) => x.id === p.wixId)!
        const data = (current.extendedFields?.namespaces?.[NS] ?? {}) as { sessions?: Record<string, unknown> }
        const sessions = { ...(data.sessions ?? {}) }
        if (mark.status === 'NOT_SET') delete sessions[p.session.eventId]
        else sessions[p.session.eventId] = { ...mark, markedAt: new Date().toISOString(), deskId: 'station-side-door' }
        fake.updateParticipation(p.wixId, { extendedFields: { namespaces: { [NS]: { ...data, sessions } } } })
        stationWrites.push({ pos: fake.requests().length, wixId: p.wixId, mark })
        tally.stationWrites = (tally.stationWrites ?? 0) + 1
      }
      if (removeAt.has(step)) {
        const p = rng.pick(present())
        fake.removeParticipation(p.wixId)
        removed.add(p.wixId)
        tally.removedUpstream = (tally.removedUpstream ?? 0) + 1
      }
      const slot = rng.pick(slots)
      const result = await randomMark(slot.d, targetFor(slot, rng.pick(people)), rng)
      if (result) acknowledged++
      if (rng.chance(0.3)) await sleep(rng.int(0, 4))
      if (rng.chance(0.02)) void slot.d.desk.sync.requestPull({ kind: 'session', sessionId: rng.pick([...slot.ids.sessionIds.values()]) })
      if (rng.chance(0.01)) await resolve(rng.pick(slots), tally)
    }
    const runMs = Date.now() - started

    // Heal everything; drain and resolve desk by desk until all three are quiet at once.
    for (const slot of slots) slot.proxy.heal()
    for (let round = 0; ; round++) {
      for (const slot of slots) {
        await resolve(slot, tally)
        // Generous: under CPU load a desk with hundreds of overruled conflicts takes a while.
        await bringToRest(slot.d, 120_000, tag(`desk ${slot.index} drain`))
      }
      const statuses = await Promise.all(slots.map((s) => s.d.call('sync.status', {})))
      if (statuses.every((s) => s.pending === 0 && s.problems === 0)) break
      expect(round, tag('desks keep producing conflicts')).toBeLessThan(10)
    }
    for (const slot of slots) await pullEverything(slot.d)

    // --- The oracle -------------------------------------------------------------------------
    const byWixId = new Map(people.map((p) => [p.wixId, p]))
    const serverFinal = new Map(people.map((p) => [p.wixId, wixMark(fake, p)]))

    // Every operation every desk queued, with the intent it carried.
    const ops: QueuedOp[] = []
    for (const slot of slots) {
      const sqlite = slot.d.desk.db.$client
      const deskId = slot.d.desk.info.deskId
      const rows = sqlite
        .prepare<[], { seq: number; state: string; payload: string; providerId: string }>(
          `SELECT o.seq, o.state, o.payload, p.provider_id AS providerId FROM outbox o JOIN participations p ON p.id = o.participation_id
           WHERE o.kind = 'attendance.set' ORDER BY o.seq`
        )
        .all()
      for (const r of rows) {
        const payload = JSON.parse(r.payload) as { status: Mark['status']; attendees: number; markedAt: number }
        ops.push({
          desk: slot.index,
          deskId,
          wixId: r.providerId,
          intent: { status: payload.status, attendees: payload.status === 'ATTENDED' ? payload.attendees : 0 },
          markedAt: new Date(payload.markedAt).toISOString(),
          state: r.state,
          seq: r.seq
        })
      }
    }
    const opKey = (deskId: string, wixId: string, markedAt: string | null, m: Mark) => `${deskId}|${wixId}|${markedAt}|${m.status}|${m.attendees}`
    const opsByKey = new Map(ops.map((o) => [opKey(o.deskId, o.wixId, o.markedAt, o.intent), o]))

    // (4) nothing left behind.
    const leftovers = ops.filter((o) => o.state !== 'done' && o.state !== 'discarded')
    expect(leftovers.map((o) => `desk${o.desk} #${o.seq} ${o.state}`), tag('operations left behind')).toEqual([])

    // W: the writes Wix accepted, in processing order (other stations' writes placed among them).
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
      const op = m ? (opsByKey.get(opKey(m.deskId, wixId, m.markedAt, mark)) ?? null) : null
      // (1) no phantom state.
      if (m && !op) phantoms.push(`Wix accepted ${showMark(mark)} for ${person.name} from desk ${m.deskId} at ${m.markedAt}: no desk queued that`)
      if (!m && !ops.some((o) => o.wixId === wixId && o.intent.status === 'NOT_SET')) phantoms.push(`Wix accepted a clearing for ${person.name} that no desk queued`)
      accepted.push({ seq: r.seq, wixId, mark, op })
    }
    expect(phantoms, tag('phantom writes')).toEqual([])
    // A station's write made when the log held `pos` requests comes after request pos - 1.
    for (const w of stationWrites) accepted.push({ seq: w.pos - 0.5, wixId: w.wixId, mark: w.mark, op: null, station: true })
    accepted.sort((a, b) => a.seq - b.seq)

    // (2) serial equivalence: the last accepted intent per person, and it survived.
    const serial = new Map<string, Accepted>()
    for (const w of accepted) serial.set(w.wixId, w) // in processing order: the last one stays
    const notSerial: string[] = []
    for (const p of present()) {
      const last = serial.get(p.wixId)
      const want = last?.mark ?? NOT_SET
      const have = serverFinal.get(p.wixId)!
      if (!sameMark(want, have)) notSerial.push(`${p.name}: serial outcome ${showMark(want)}, Wix has ${showMark(have)}`)
      if (last?.op && last.op.state !== 'done') notSerial.push(`${p.name}: the last accepted write (desk${last.op.desk} #${last.op.seq}) was ${last.op.state}`)
      if (last && !last.op && !last.station && !ops.some((o) => o.wixId === p.wixId && o.intent.status === 'NOT_SET' && o.state === 'done')) {
        notSerial.push(`${p.name}: the last accepted write cleared the mark, but no clearing survived`)
      }
    }
    expect(notSerial, tag('not the serial outcome')).toEqual([])

    // (3) convergence: every desk's replica equals Wix, and whoever was removed upstream is off
    // every desk's roster (their rows and marks kept for the audit log).
    const diverged: string[] = []
    for (const slot of slots) {
      for (const p of people.filter((x) => removed.has(x.wixId))) {
        const t = targetFor(slot, p)
        const gone = slot.d.desk.db.$client.prepare('SELECT removed_at IS NOT NULL FROM participations WHERE id = ?').pluck().get(t.participationId)
        if (!gone) diverged.push(`${t.label}: removed upstream, still on the desk's roster`)
      }
      for (const p of present()) {
        const t = targetFor(slot, p)
        const local = localMark(slot.d.desk.db.$client, t.participationId, t.sessionId)
        const server = serverFinal.get(p.wixId)!
        if (!sameMark(local, server)) diverged.push(`${t.label}: desk ${showMark(local)}, Wix ${showMark(server)}`)
      }
    }
    expect(diverged, tag('replicas did not converge')).toEqual([])

    // (4) no double write, nothing created, no violations.
    // The same operation may be accepted again only when another write came in between (a
    // conflict overruled with "mine"); back to back it would be a duplicate write.
    const twice: string[] = []
    const lastWrite = new Map<string, Accepted>()
    for (const w of accepted) {
      const before = lastWrite.get(w.wixId)
      if (before?.op && w.op && before.op === w.op) twice.push(`desk${w.op.desk} #${w.op.seq} for ${byWixId.get(w.wixId)!.name} (requests ${before.seq}, ${w.seq})`)
      lastWrite.set(w.wixId, w)
    }
    expect(twice, tag('a mark accepted twice in a row')).toEqual([])
    expect(fake.participations()).toHaveLength(people.length - removed.size)
    expect(removed.size, tag('no one was removed upstream')).toBeGreaterThan(0)
    expect(stationWrites.length, tag('no other station wrote')).toBeGreaterThan(0)
    expect(fake.violations(), tag('contract violations')).toEqual([])
    expect(acknowledged, tag('too few marks were made')).toBeGreaterThan(OPERATIONS * 0.8)
    const conflicts = Object.entries(tally).filter(([k]) => k.includes('conflict')).reduce((n, [, v]) => n + v, 0)
    console.log(
      tag(
        `${acknowledged} marks in ${runMs} ms, ${ops.length} operations, ${accepted.length} accepted writes, ${conflicts} conflicts resolved; ${JSON.stringify(tally)}`
      )
    )
  }, 420_000)

  /**
   * The same storm on two Wix Bookings classes, whose attendance has no revision: every mark goes
   * through the desk's check-and-set (read the bookings' attendance, compare with what the desk
   * last saw, write only if nobody else changed it). Each desk reaches Wix from its own loopback
   * address, so Wix's log tells which desk sent each request.
   *
   * The oracle replays Wix's log in processing order: every accepted set, bulk set and delete (a
   * write), every attendance query (a read: by event = a pull, by booking ids = a check).
   *   - 0 silently overwritten: when desk D's write replaces another desk's different mark, D
   *     must have pulled after that mark was written, or a person at D chose "keep this desk's
   *     mark" (a forced operation with that intent). A write whose own check read came before
   *     the other desk's write is the documented read-then-set window: counted apart.
   *   - 0 lost: every operation is done or discarded by a decision; Wix's final attendance is the
   *     replay's; every desk's replica equals Wix after the final pull.
   *   - Bookings' rules: no participation written, no contract violation.
   */
  it(`Bookings classes: three desks, ${BOOKINGS_OPERATIONS} random marks with check-and-set: 0 lost, 0 silently overwritten`, async () => {
    const rng = createRng(SEED ^ 0xb00c)
    const fake: FakeWix = await fakeWix({ seed: SEED + 1, timeZone: ZONE })
    const { people } = seedWorld(fake, [
      { title: 'Yoga', bookings: true, people: 6, hour: 9 },
      { title: 'Barre', bookings: true, people: 6, hour: 17 }
    ])
    const open = (slot: Pick<DeskSlot, 'dataDir' | 'index'>) =>
      openSimDesk(slot.dataDir, { ...DESK_OPTIONS, backoff: { baseMs: 5, capMs: 80, random: rng.fork().next } })
    const addressOf = (index: number) => `127.0.0.${31 + index}`
    const slots: DeskSlot[] = []
    for (let index = 0; index < DESKS; index++) {
      const proxy = await startProxy(fake.port, '127.0.0.1', addressOf(index))
      closers.push(() => proxy.close())
      const dataDir = tempDir()
      const d = open({ dataDir, index })
      await connectWix(d, fake, proxy.url)
      const ids = await pullEverything(d)
      slots.push({ index, dataDir, proxy, d, ids, healAt: -1, restarts: 0 })
    }
    closers.push(() => slots.forEach((s) => s.d.close()))
    const targetFor = (slot: DeskSlot, p: WorldPerson): Target => ({
      sessionId: slot.ids.sessionIds.get(p.session.eventId)!,
      participationId: slot.ids.participationIds.get(p.wixId)!,
      partySize: p.partySize,
      label: `${p.name} @desk${slot.index}`
    })
    const tally: Record<string, number> = {}
    const resolve = async (slot: DeskSlot) => {
      const { problems } = await slot.d.call('sync.problems', {})
      for (const p of problems) {
        const superseded = slot.d.desk.db.$client
          .prepare(
            `SELECT count(*) FROM outbox o, (SELECT participation_id AS p, session_id AS s, seq FROM outbox WHERE op_id = ?) m
             WHERE o.participation_id = m.p AND o.session_id = m.s AND o.seq > m.seq AND o.state <> 'discarded'`
          )
          .pluck()
          .get(p.opId) as number
        const choice = superseded > 0 ? 'discard' : p.state === 'rejected' ? 'retry' : slot.index % 2 === 0 ? 'mine' : 'discard'
        const answer = await slot.d.dispatch('sync.resolve', { opId: p.opId, choice })
        if (answer.ok) tally[`desk${slot.index} ${p.state}→${choice}`] = (tally[`desk${slot.index} ${p.state}→${choice}`] ?? 0) + 1
      }
    }

    // What each desk's replica held as "last seen on Wix" for a booking when each of its writes
    // arrived at Wix: the mark its check-and-set compared with (read as the request arrives, while
    // the desk waits for the answer).
    const seenAtWrite = new Map<string, Mark>() // `${seq}|${bookingId}`
    const seenOf = (slot: DeskSlot, bookingId: string): Mark => {
      const row = slot.d.desk.db.$client
        .prepare<[string], { status: Mark['status'] | null; attendees: number | null }>(
          `SELECT a.seen_status AS status, a.seen_attendees AS attendees FROM attendance a JOIN participations p ON p.id = a.participation_id WHERE p.booking_id = ?`
        )
        .get(bookingId)
      return row?.status ? { status: row.status, attendees: row.status === 'ATTENDED' ? (row.attendees ?? 0) : 0 } : NOT_SET
    }
    // The desk's operations for the booking at that moment, for a failure's story.
    const queuedAtWrite = new Map<string, string>()
    const queuedOf = (slot: DeskSlot, bookingId: string): string =>
      slot.d.desk.db.$client
        .prepare<[string], { seq: number; state: string; payload: string; attempts: number }>(
          `SELECT o.seq, o.state, o.payload, o.attempts FROM outbox o JOIN participations p ON p.id = o.participation_id WHERE p.booking_id = ? ORDER BY o.seq DESC LIMIT 3`
        )
        .all(bookingId)
        .map((o) => `op${o.seq} ${o.state} ${o.payload} tries ${o.attempts}`)
        .join('; ')
    closers.push(
      fake.onArrival((r) => {
        const slot = slots.find((s) => addressOf(s.index) === (r.remoteAddress ?? '').replace(/^::ffff:/, ''))
        if (!slot || !slot.d.desk.db.$client.open) return
        const body = r.body as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- the logged JSON
        const bookingIds: string[] =
          r.path === '/bookings/v2/attendance/set'
            ? [body?.attendance?.bookingId]
            : r.path === '/bookings/v2/bulk/attendance/set'
              ? ((body?.attendanceDetails ?? []) as { attendance: { bookingId: string } }[]).map((d) => d.attendance.bookingId)
              : r.method === 'DELETE' && r.path.startsWith('/bookings/v2/attendance/')
                ? [fake.attendances().find((a) => a.id === decodeURIComponent(r.path.split('/').pop()!))?.bookingId ?? '']
                : []
        for (const b of bookingIds) {
          if (!b) continue
          seenAtWrite.set(`${r.seq}|${b}`, seenOf(slot, b))
          queuedAtWrite.set(`${r.seq}|${b}`, queuedOf(slot, b))
        }
      })
    )
    let acknowledged = 0
    for (let step = 0; step < BOOKINGS_OPERATIONS; step++) {
      for (const slot of slots) {
        if (slot.healAt === step) {
          slot.proxy.heal()
          slot.healAt = -1
        }
      }
      if (rng.chance(0.012)) {
        const slot = rng.pick(slots)
        if (slot.healAt < 0) {
          slot.proxy.cut(rng.pick(['reset', 'blackhole'] as const))
          slot.healAt = step + rng.int(10, 150)
          tally.partitions = (tally.partitions ?? 0) + 1
        }
      }
      if (rng.chance(0.006)) {
        const slot = rng.pick(slots)
        slot.d.close()
        slot.d = open(slot)
        tally.restarts = (tally.restarts ?? 0) + 1
      }
      const slot = rng.pick(slots)
      if (await randomMark(slot.d, targetFor(slot, rng.pick(people)), rng)) acknowledged++
      if (rng.chance(0.3)) await sleep(rng.int(0, 4))
      if (rng.chance(0.03)) void slot.d.desk.sync.requestPull({ kind: 'session', sessionId: rng.pick([...slot.ids.sessionIds.values()]) })
      if (rng.chance(0.01)) await resolve(rng.pick(slots))
    }
    for (const slot of slots) slot.proxy.heal()
    for (let round = 0; ; round++) {
      for (const slot of slots) {
        await resolve(slot)
        await bringToRest(slot.d, 30_000, tag(`bookings desk ${slot.index} drain`), tally)
      }
      const statuses = await Promise.all(slots.map((s) => s.d.call('sync.status', {})))
      if (statuses.every((s) => s.pending === 0 && s.problems === 0)) break
      expect(round, tag('bookings desks keep producing conflicts')).toBeLessThan(10)
    }
    for (const slot of slots) await pullEverything(slot.d)

    // --- The oracle -------------------------------------------------------------------------
    const deskByAddress = new Map(slots.map((s) => [addressOf(s.index), s.index]))
    const deskOf = (r: LoggedRequest) => deskByAddress.get((r.remoteAddress ?? '').replace(/^::ffff:/, ''))
    const byBooking = new Map(people.map((p) => [p.bookingId!, p]))
    const bookingsOfEvent = (eventId: string) => people.filter((p) => p.session.eventId === eventId).map((p) => p.bookingId!)
    const markOf = (status: Mark['status'], attendees: number): Mark => (status === 'ATTENDED' ? { status, attendees } : { status: status === 'NOT_ATTENDED' ? status : 'NOT_SET', attendees: 0 })

    // Forced operations: a person at that desk chose to overrule, for that booking and mark.
    const forced = new Set<string>()
    // Every mark each desk itself made for each booking.
    const intended = new Set<string>()
    const leftovers: string[] = []
    for (const slot of slots) {
      const rows = slot.d.desk.db.$client
        .prepare<[], { state: string; payload: string; bookingId: string; seq: number }>(
          `SELECT o.state, o.payload, p.booking_id AS bookingId, o.seq FROM outbox o JOIN participations p ON p.id = o.participation_id ORDER BY o.seq`
        )
        .all()
      for (const r of rows) {
        const payload = JSON.parse(r.payload) as { status: Mark['status']; attendees: number; force?: boolean }
        if (payload.force) forced.add(`${slot.index}|${r.bookingId}|${showMark(markOf(payload.status, payload.attendees))}`)
        intended.add(`${slot.index}|${r.bookingId}|${showMark(markOf(payload.status, payload.attendees))}`)
        if (r.state !== 'done' && r.state !== 'discarded') leftovers.push(`desk${slot.index} #${r.seq} ${r.state}`)
      }
    }
    expect(leftovers, tag('bookings operations left behind')).toEqual([])

    interface State { mark: Mark; desk: number | null; seq: number }
    const state = new Map<string, State>(people.map((p) => [p.bookingId!, { mark: NOT_SET, desk: null, seq: -1 }]))
    const lastPull = new Map<string, number>() // `${desk}|${booking}` → seq
    const lastCheck = new Map<string, number>()
    // Each booking's story, for a failure message that shows how it came about.
    const story = new Map<string, string[]>()
    const tell = (bookingId: string, line: string) => {
      const lines = story.get(bookingId) ?? []
      lines.push(line)
      story.set(bookingId, lines.slice(-10))
    }
    const attendanceBooking = new Map<string, string>()
    const silent: string[] = []
    let windowRaces = 0
    let abaSeen = 0
    let writes = 0
    let overrules = 0
    const write = (r: LoggedRequest, desk: number, bookingId: string, mark: Mark) => {
      writes++
      const prior = state.get(bookingId)!
      const key = `${desk}|${bookingId}`
      if (prior.desk !== null && prior.desk !== desk && !sameMark(prior.mark, mark)) {
        const name = byBooking.get(bookingId)!.name
        const checkedAfter = (lastCheck.get(key) ?? -1) > prior.seq
        if ((lastPull.get(key) ?? -1) > prior.seq) {
          // Desk D had pulled the other desk's mark before replacing it.
        } else if (checkedAfter && intended.has(`${desk}|${bookingId}|${showMark(prior.mark)}`)) {
          // Desk D read Wix after that mark and found the very mark it had made itself (the same
          // mark at two desks): D knew it, and later changed its own mark.
        } else if (checkedAfter && seenAtWrite.has(`${r.seq}|${bookingId}`) && sameMark(seenAtWrite.get(`${r.seq}|${bookingId}`)!, prior.mark)) {
          // D's check found exactly the mark D held as last seen, so D's rule let it write. D saw
          // that mark, but not the changes in between: the other desk changed it and changed it
          // back (A→B→A), or D's own write landed with its answer lost to a cut, so D still held
          // the mark from before. Only a revision could tell these apart; Bookings has none
          // (docs/wix-bookings.md).
          abaSeen++
        } else if (forced.has(`${desk}|${bookingId}|${showMark(mark)}`)) overrules++
        else if (!checkedAfter) windowRaces++
        else {
          silent.push(
            `#${r.seq}: desk${desk} wrote ${showMark(mark)} for ${name} over desk${prior.desk}'s ${showMark(prior.mark)} (#${prior.seq}) unseen, holding ${seenAtWrite.has(`${r.seq}|${bookingId}`) ? showMark(seenAtWrite.get(`${r.seq}|${bookingId}`)!) : '?'} as last seen, with [${queuedAtWrite.get(`${r.seq}|${bookingId}`) ?? '?'}]; before: ${(story.get(bookingId) ?? []).join(', ')}`
          )
        }
      }
      state.set(bookingId, { mark, desk, seq: r.seq })
      tell(bookingId, `#${r.seq} desk${desk} wrote ${showMark(mark)}`)
    }
    const participationWrites: string[] = []
    for (const r of fake.requests() as LoggedRequest[]) {
      if (r.path.startsWith('/calendar/v3/participations') && !r.path.endsWith('/query')) participationWrites.push(`${r.method} ${r.path}`)
      if (r.answer === undefined) continue // refused, or never reached a handler
      const desk = deskOf(r)
      if (desk === undefined) continue
      const body = r.body as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- the logged JSON
      const answer = r.answer as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- the logged JSON
      if (r.path === '/bookings/v2/attendance/query') {
        const filter = body.query?.filter ?? {}
        if (filter.eventId) {
          const shown = new Map<string, Mark>()
          for (const a of (answer.attendances ?? []) as { bookingId: string; status: Mark['status']; numberOfAttendees: number }[]) {
            shown.set(a.bookingId, markOf(a.status, a.numberOfAttendees))
          }
          for (const b of bookingsOfEvent(filter.eventId.$eq)) {
            lastPull.set(`${desk}|${b}`, r.seq)
            tell(b, `#${r.seq} desk${desk} pulled ${showMark(shown.get(b) ?? NOT_SET)}`)
          }
        }
        if (filter.bookingId) {
          for (const b of filter.bookingId.$in as string[]) {
            lastCheck.set(`${desk}|${b}`, r.seq)
            const found = ((answer.attendances ?? []) as { bookingId: string; status: Mark['status']; numberOfAttendees: number }[]).find((a) => a.bookingId === b)
            tell(b, `#${r.seq} desk${desk} checked: ${showMark(found ? markOf(found.status, found.numberOfAttendees) : NOT_SET)}`)
          }
        }
      } else if (r.path === '/bookings/v2/attendance/set') {
        attendanceBooking.set(answer.attendance.id, body.attendance.bookingId)
        write(r, desk, body.attendance.bookingId, markOf(body.attendance.status, body.attendance.numberOfAttendees))
      } else if (r.path === '/bookings/v2/bulk/attendance/set') {
        ;(body.attendanceDetails as { attendance: { bookingId: string; status: Mark['status']; numberOfAttendees: number } }[]).forEach((d, i) => {
          attendanceBooking.set(answer.results[i].itemMetadata.id, d.attendance.bookingId)
          write(r, desk, d.attendance.bookingId, markOf(d.attendance.status, d.attendance.numberOfAttendees))
        })
      } else if (r.method === 'DELETE' && r.path.startsWith('/bookings/v2/attendance/')) {
        const bookingId = attendanceBooking.get(decodeURIComponent(r.path.split('/').pop()!))
        if (bookingId) write(r, desk, bookingId, NOT_SET)
      }
    }
    expect(participationWrites, tag('writes to Bookings-managed participations')).toEqual([])
    expect(fake.violations(), tag('contract violations')).toEqual([])
    expect(silent, tag('marks silently overwritten')).toEqual([])

    // The replay is Wix's state; every desk shows it.
    const diverged: string[] = []
    for (const p of people) {
      const server = wixMark(fake, p)
      if (!sameMark(state.get(p.bookingId!)!.mark, server)) diverged.push(`${p.name}: replay ${showMark(state.get(p.bookingId!)!.mark)}, Wix ${showMark(server)}`)
      for (const slot of slots) {
        const t = targetFor(slot, p)
        const local = localMark(slot.d.desk.db.$client, t.participationId, t.sessionId)
        if (!sameMark(local, server)) diverged.push(`${t.label}: desk ${showMark(local)}, Wix ${showMark(server)}`)
      }
    }
    expect(diverged, tag('bookings replicas did not converge')).toEqual([])
    expect(acknowledged, tag('too few marks were made')).toBeGreaterThan(BOOKINGS_OPERATIONS * 0.8)
    expect(writes, tag('too few writes reached Wix')).toBeGreaterThan(50)
    const conflicts = Object.entries(tally).filter(([k]) => k.includes('conflict')).reduce((n, [, v]) => n + v, 0)
    console.log(
      tag(`bookings: ${acknowledged} marks, ${writes} accepted writes, ${conflicts} conflicts resolved, ${overrules} overrules by decision, ${windowRaces} in the read-then-set window, ${abaSeen} over the very mark the desk last saw (changed and changed back, or an answer lost); ${JSON.stringify(tally)}`)
    )
  }, 120_000)

  /**
   * KNOWN BUG, pinned (why the rule above discards superseded conflicts instead of overruling
   * them): desk A marks a no-show that conflicts with desk B's check-in, then checks the person in
   * itself (done: Wix already had that). Overruling the OLD conflict with "mine" then
   *   1. writes the stale no-show over A's own later check-in on Wix, and
   *   2. leaves A showing "checked in 2" for good: the push answer's revision is stored without its
   *      marks, and later pulls skip a participation whose revision did not change.
   * When sync.resolve refuses (or discards) a superseded operation and recordPushResult applies the
   * answered marks, turn `it.fails` into `it`.
   */
  it('overruling a conflict that a later mark superseded neither reverts that mark nor leaves the desk diverged', async () => {
    const fake = await fakeWix({ seed: 5, timeZone: ZONE })
    const { people } = seedWorld(fake, [{ title: 'Spin', bookings: false, people: 1, hour: 9 }])
    const person = people[0]!
    const [a, b] = [openSimDesk(tempDir()), openSimDesk(tempDir())]
    closers.push(() => a.close(), () => b.close())
    const at = async (d: SimDesk) => {
      await connectWix(d, fake)
      const ids = await pullEverything(d)
      return { sessionId: ids.sessionIds.get(person.session.eventId)!, participationId: ids.participationIds.get(person.wixId)! }
    }
    const [atA, atB] = [await at(a), await at(b)]
    const quiet = (d: SimDesk, what: string) => bringToRest(d, 5_000, what).catch(() => undefined)
    await b.call('attendance.checkIn', { ...atB, attendees: 2 })
    await quiet(b, 'B')
    await a.call('attendance.noShow', atA)
    for (let i = 0; i < 100 && (await a.call('sync.status', {})).problems === 0; i++) await sleep(20)
    const [stale] = (await a.call('sync.problems', {})).problems
    expect(stale).toMatchObject({ state: 'conflict' })
    await a.call('attendance.checkIn', { ...atA, attendees: 2 })
    for (let i = 0; i < 100 && (await a.call('sync.status', {})).pending > 0; i++) await sleep(20)
    // The desk is told the old mark was replaced; sending it again is refused.
    await expect(a.call('sync.resolve', { opId: stale!.opId, choice: 'mine' })).rejects.toThrow('A later mark for this person replaced this one: discard it.')
    await a.call('sync.resolve', { opId: stale!.opId, choice: 'discard' })
    for (let i = 0; i < 100 && (await a.call('sync.status', {})).pending > 0; i++) await sleep(20)
    await pullEverything(a)
    const local = localMark(a.desk.db.$client, atA.participationId, atA.sessionId)
    expect(wixMark(fake, person), 'Wix and desk A disagree').toEqual(local)
    expect(local, 'desk A lost its latest mark').toEqual({ status: 'ATTENDED', attendees: 2 })
  })
})
