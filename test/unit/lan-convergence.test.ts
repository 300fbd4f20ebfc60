/**
 * Hub topology convergence (issue 18): a local-only hub with a CSV roster and three members, each
 * member reaching the hub through its own TCP proxy that the simulation cuts (connection reset)
 * and heals at random, with random member restarts and hub restarts (close and reopen on the same
 * data dir: sharing resumes on its port, members reconnect by themselves) between hundreds of
 * random marks — check-ins with counts, undos, no-shows — on one session.
 *
 * At the end: every proxy healed, every member drained; conflicts settled by a fixed rule (Desk 1
 * overrules with "mine", the others "discard"), repeated until every desk is quiet; then every
 * member downloads the session again.
 *
 * The oracle:
 *   1. Nothing doubled: the hub applied each member operation at most once (its audit log names
 *      each operation id once) and no operation id is queued twice in its outbox.
 *   2. Nothing lost: every member operation is `done` or `discarded` (the desk's own choice), and
 *      every `done` one was applied at the hub (its id in the hub's audit log) or answered as a
 *      repeat of one that was.
 *   3. Convergence: each member's marks for the session equal the hub's, person by person.
 * Seeded (ROLLCALL_SIM_SEED replays a run); the seed is printed with every failure.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { importStudio, tempDir, testDesk, waitFor, type TestDesk } from './helpers'
import { startProxy, type CuttableProxy } from './sim/proxy'
import { createRng, suiteSeed } from './sim/random'
import { FAST_SYNC, pullDay, pullSession, rosterOf } from './sync-helpers'

const SEED = suiteSeed(0x1a_4b_18)
const STEPS = 260
const tag = (msg: string) => `[lan-convergence seed=${SEED}] ${msg}`

const closers: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

const open = (deskName: string, dataDir: string) => testDesk({ ...FAST_SYNC, lanDiscovery: null, lanListen: { host: '127.0.0.1', port: 0 }, deskName, dataDir })

interface Member {
  name: string
  dataDir: string
  proxy: CuttableProxy
  t: TestDesk
  sessionId: number
}

const marksOf = (t: TestDesk, provider: string) =>
  new Map(
    (
      t.desk.db.$client
        .prepare(
          `SELECT p.name, a.status, a.attendees FROM attendance a JOIN participations p ON p.id = a.participation_id
           JOIN sessions s ON s.id = a.session_id WHERE s.provider = ? AND s.title = 'Morning Yoga'`
        )
        .all(provider) as { name: string; status: string; attendees: number }[]
    )
      .filter((m) => m.status !== 'NOT_SET')
      .map((m) => [m.name, `${m.status}×${m.attendees}`])
  )

describe('LAN hub topology convergence', () => {
  it('members and hub restarting, links cut and healed: every mark reaches the hub once, every desk ends equal', { timeout: 240_000 }, async () => {
    const rng = createRng(SEED)
    const hubDir = tempDir()
    let hub = open('Entrance', hubDir)
    await importStudio(hub)
    const port = (await hub.desk.lanDesk.startSharing()).hub!.port!

    const members: Member[] = []
    for (const name of ['Desk 1', 'Desk 2', 'Desk 3']) {
      const proxy = await startProxy(port)
      closers.push(() => proxy.close())
      const dataDir = tempDir()
      const t = open(name, dataDir)
      const pairing = hub.desk.lanDesk.openPairing()
      await t.desk.lanDesk.join({ host: '127.0.0.1', port: proxy.port, code: pairing.code, hubKey: pairing.hubKey })
      const yoga = (await pullDay(t)).find((s) => s.title === 'Morning Yoga')!
      await pullSession(t, yoga.id)
      members.push({ name, dataDir, proxy, t, sessionId: yoga.id })
    }
    const people = (await rosterOf(members[0]!.t, members[0]!.sessionId)).map((r) => r.name)

    for (let step = 0; step < STEPS; step++) {
      const what = rng.weighted([
        ['mark', 82],
        ['cut', 5],
        ['heal', 6],
        ['restart-member', 4],
        ['restart-hub', 3]
      ] as const)
      const m = rng.pick(members)
      if (what === 'mark') {
        const who = rng.pick(people)
        const roster = await rosterOf(m.t, m.sessionId)
        const row = roster.find((r) => r.name === who)
        if (!row) throw new Error(tag(`${who} not on ${m.name}'s roster at step ${step} (${what}): ${roster.map((r) => r.name).join(', ')} of ${people.join(', ')}`))
        const at = { sessionId: m.sessionId, participationId: row.participationId }
        const kind = rng.weighted([
          ['checkIn', 6],
          ['undo', 3],
          ['noShow', 1]
        ] as const)
        try {
          if (kind === 'checkIn') await m.t.call('attendance.checkIn', { ...at, attendees: rng.int(1, 3), allowOverParty: true, method: 'scan' })
          else if (kind === 'undo') await m.t.call('attendance.undo', at)
          else await m.t.call('attendance.noShow', at)
        } catch (err) {
          // Nothing to undo, a booking the rules refuse: the desk said no, nothing was queued.
          if (!(err as { code?: string }).code) throw err
        }
      } else if (what === 'cut') m.proxy.cut('reset')
      else if (what === 'heal') m.proxy.heal()
      else if (what === 'restart-member') {
        m.t.desk.close()
        m.t = open(m.name, m.dataDir)
      } else {
        // The hub's desk closes (its port freed) and opens again: sharing resumes on the same port.
        await hub.desk.lanDesk.close()
        hub.desk.close()
        hub = open('Entrance', hubDir)
        await waitFor(async () => hub.desk.lanDesk.status().hub?.sharing === true, 5_000, tag('sharing to resume'))
        expect(hub.desk.lanDesk.status().hub!.port, tag('the hub back on its port')).toBe(port)
      }
      if (rng.chance(0.3)) await new Promise((r) => setTimeout(r, rng.int(0, 30)))
    }

    // Rest: links healed, every member drained, conflicts settled until every desk is quiet.
    for (const m of members) m.proxy.heal()
    for (let round = 0; ; round++) {
      expect(round, tag('conflicts settle')).toBeLessThan(10)
      for (const m of members) {
        void m.t.desk.sync.trigger('manual')
        await waitFor(async () => (await m.t.call('sync.status', {})).pending === 0, 60_000, tag(`${m.name} to drain`))
      }
      let open = 0
      for (const m of members) {
        for (const p of (await m.t.call('sync.problems', {})).problems) {
          open++
          const choice = m.name === 'Desk 1' && p.state === 'conflict' ? 'mine' : 'discard'
          // A mark the same desk replaced since can only be discarded (the desk says so).
          await m.t.call('sync.resolve', { opId: p.opId, choice }).catch(() => m.t.call('sync.resolve', { opId: p.opId, choice: 'discard' }))
        }
      }
      if (open === 0) break
    }

    // 1. Nothing doubled.
    const hubDb = hub.desk.db.$client
    const applied = hubDb.prepare(`SELECT op_id FROM audit_log WHERE op_id IS NOT NULL`).pluck().all() as string[]
    expect(applied.length - new Set(applied).size, tag('operations applied twice at the hub')).toBe(0)
    const queued = hubDb.prepare(`SELECT op_id FROM outbox`).pluck().all() as string[]
    expect(queued.length - new Set(queued).size, tag('operations queued twice at the hub')).toBe(0)

    // 2. Nothing lost.
    const appliedSet = new Set(applied)
    let made = 0
    for (const m of members) {
      const ops = m.t.desk.db.$client.prepare(`SELECT op_id AS opId, state FROM outbox WHERE provider = 'hub'`).all() as { opId: string; state: string }[]
      made += ops.length
      for (const op of ops) {
        expect(['done', 'discarded'], tag(`${m.name} ${op.opId} ends ${op.state}`)).toContain(op.state)
        if (op.state === 'done') expect(appliedSet.has(op.opId), tag(`${m.name} ${op.opId} done but never applied at the hub`)).toBe(true)
      }
    }
    expect(made, tag('the run made marks')).toBeGreaterThan(100)

    // 3. Convergence.
    const truth = marksOf(hub, 'local')
    for (const m of members) {
      await pullSession(m.t, m.sessionId)
      expect(marksOf(m.t, 'hub'), tag(`${m.name} equals the hub`)).toEqual(truth)
    }
  })
})
