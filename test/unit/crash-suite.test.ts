/**
 * Crash safety: a syncing desk process (sim/crash-desk-child.ts) marks people at random — check-ins
 * with party sizes, undos, no-shows — on a calendar event (marks in Wix extended fields, revision
 * checked) and a Bookings event (Attendance API, bulk), and is SIGKILLed at random moments, many
 * times, often while a request is on the wire or committed by Wix with its answer still delayed.
 *
 * After every kill: the database passes `PRAGMA integrity_check`, and every acknowledged mark is
 * there — each person's local mark equals the last ACK the process printed for them. The one call
 * in flight at the kill (TRY without ACK) may or may not have committed; if it did, its result
 * (checked against the audit entry written in the same transaction) becomes the person's state.
 *
 * At the end a desk drains against a healthy Wix: Wix holds exactly each person's final mark, no
 * operation was written twice (no second participation, no attendance duplicate, no two accepted
 * writes of one mark), nothing is left pending or set aside.
 *
 * Seeded (ROLLCALL_SIM_SEED replays a run); the seed is in every failure message.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { DATABASE_FILE } from '../../src/main/core'
import { startFakeWix, type FakeWix, type Fault } from '../fakes/wix'
import { tempDir } from './helpers'
import { createRng, suiteSeed, type Rng } from './sim/random'
import { connectWix, localMark, NOT_SET, NS, openSimDesk, pullEverything, sameMark, seedWorld, showMark, until, wixMark, ZONE, type Mark, type WorldPerson } from './sim/wix-world'

const SEED = suiteSeed(0x5eed_c4a5)
/**
 * The sync engine records a push's answer (replica: new revision) and marks the operation done in
 * two commits. A kill between them leaves the operation in flight with the NEW revision stored, so
 * the resend passes Wix's revision check and the same mark is written twice. Until settle() commits
 * both together, the random suite only reports such duplicates; the settle test pins the bug.
 */
const SETTLE_IS_ATOMIC = true
const ROUNDS = 15
const rng = createRng(SEED)
const tag = (msg: string) => `[crash-suite seed=${SEED}] ${msg}`

interface Line {
  kind: 'READY' | 'TRY' | 'ACK' | 'NACK' | 'DONE'
  pid: number
  a: string
  b: string
}

/** Runs the child until the kill plan says so; returns every line it printed. */
function runChild(dataDir: string, childSeed: number, plan: { afterAcks: number; extraMs: number }): Promise<Line[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'sim', 'crash-desk-child.ts'), dataDir, String(childSeed)], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const lines: Line[] = []
    let acks = 0
    let buffer = ''
    let stderr = ''
    let killing = false
    const kill = () => {
      if (killing) return
      killing = true
      setTimeout(() => child.kill('SIGKILL'), plan.extraMs)
    }
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.stderr.on('data', (d) => (stderr += d))
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      let nl: number
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const [kind, pid, a = '', b = ''] = buffer.slice(0, nl).split(' ') as [Line['kind'], string, string?, string?]
        buffer = buffer.slice(nl + 1)
        lines.push({ kind, pid: Number(pid), a, b })
        if (kind === 'ACK' && ++acks >= plan.afterAcks) kill()
        if (kind === 'READY' && plan.afterAcks === 0) kill()
      }
    })
    child.on('exit', (code, signal) => {
      clearTimeout(guard)
      if (signal === 'SIGKILL') resolve(lines)
      else reject(new Error(tag(`child ended with ${code}/${signal} before the kill: ${stderr}`)))
    })
  })
}

/** Faults that make a kill land at the worst moments: committed on Wix, answer not back yet. */
function armFaults(fake: FakeWix, r: Rng): string {
  const write = (req: { method: string; path: string }) => req.method !== 'GET' && !req.path.endsWith('/query')
  const options: [string, Fault][] = [
    ['none', { type: 'status', status: 200 }],
    ['slow answer after commit', { type: 'delay', ms: r.int(50, 400), when: 'after' }],
    ['slow request before commit', { type: 'delay', ms: r.int(50, 300) }],
    ['503', { type: 'status', status: 503 }],
    ['reset after commit', { type: 'reset', when: 'after' }],
    ['truncated answer', { type: 'truncated' }]
  ]
  const [label, fault] = r.pick(options)
  // Its own stream: how many requests a round makes depends on timing, the kill plans must not.
  const coin = r.fork()
  if (label !== 'none') fake.faults.always(fault, (req) => write(req) && coin.chance(0.5))
  return label
}

const fakes: FakeWix[] = []
afterAll(async () => {
  for (const f of fakes) await f.close()
})

describe('crash safety', () => {
  it(`keeps every acknowledged mark through ${ROUNDS} SIGKILLs and ends with exactly the desk's intents on Wix`, async () => {
    const fake = await startFakeWix({ seed: SEED, timeZone: ZONE })
    fakes.push(fake)
    const { people } = seedWorld(fake, [
      { title: 'Spin', bookings: false, people: 14, hour: 9 },
      { title: 'Yoga', bookings: true, people: 10, hour: 11 }
    ])
    const dataDir = tempDir()
    const setup = openSimDesk(dataDir)
    await connectWix(setup, fake)
    const ids = await pullEverything(setup)
    setup.close()
    const localId = (p: WorldPerson) => ids.participationIds.get(p.wixId)!
    const sessionOf = (p: WorldPerson) => ids.sessionIds.get(p.session.eventId)!
    const byLocalId = new Map(people.map((p) => [localId(p), p]))
    expect(byLocalId.size).toBe(24)

    /** The last acknowledged (or proven committed) mark per local participation id. */
    const acked = new Map<number, Mark>(people.map((p) => [localId(p), NOT_SET]))
    let totalAcks = 0
    let inDoubtCommitted = 0
    const faultsUsed: string[] = []

    for (let round = 0; round < ROUNDS; round++) {
      faultsUsed.push(armFaults(fake, rng))
      const plan = { afterAcks: rng.chance(0.15) ? 0 : rng.int(1, 45), extraMs: rng.int(0, 60) }
      const lines = await runChild(dataDir, rng.int(1, 2 ** 31), plan)
      fake.faults.clear()

      // What the process acknowledged, and the one call that may have been cut short.
      let inDoubt: { pid: number; kind: string; attendees: number } | null = null
      for (const line of lines) {
        if (line.kind === 'TRY') inDoubt = { pid: line.pid, kind: line.a, attendees: Number(line.b) }
        if (line.kind === 'ACK') {
          acked.set(line.pid, { status: line.a as Mark['status'], attendees: Number(line.b) })
          totalAcks++
          inDoubt = null
        }
        if (line.kind === 'NACK') inDoubt = null
      }

      const db = new Database(join(dataDir, DATABASE_FILE))
      try {
        expect(db.pragma('integrity_check', { simple: true }), tag(`round ${round}: integrity`)).toBe('ok')
        expect(db.pragma('foreign_key_check'), tag(`round ${round}: foreign keys`)).toEqual([])
        for (const [pid, want] of acked) {
          const person = byLocalId.get(pid)!
          const have = localMark(db, pid, sessionOf(person))
          if (sameMark(have, want)) continue
          // Only the call in flight at the kill may differ, and only by having committed.
          expect(inDoubt?.pid, tag(`round ${round}: ${person.name} is ${showMark(have)} locally, last ACK was ${showMark(want)}`)).toBe(pid)
          const last = db
            .prepare<[number], { action: string; details: string }>('SELECT action, details FROM audit_log WHERE participation_id = ? ORDER BY id DESC LIMIT 1')
            .get(pid)!
          const to = (JSON.parse(last.details) as { to: Mark }).to
          expect(sameMark(to, have), tag(`round ${round}: ${person.name}'s mark has no audit entry`)).toBe(true)
          const expectedAction = { checkIn: 'check_in', noShow: 'no_show', undo: 'undo' }[inDoubt!.kind]
          expect(last.action, tag(`round ${round}: ${person.name}`)).toBe(expectedAction)
          if (inDoubt!.kind === 'checkIn') expect(have).toEqual({ status: 'ATTENDED', attendees: inDoubt!.attendees })
          if (inDoubt!.kind === 'noShow') expect(have).toEqual({ status: 'NOT_ATTENDED', attendees: 0 })
          acked.set(pid, have)
          inDoubtCommitted++
        }
        // Every mark has the operation that syncs it: no attendance change without its outbox row.
        const orphans = db
          .prepare(
            `SELECT count(*) FROM audit_log l WHERE l.action IN ('check_in', 'no_show', 'undo')
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.op_id = l.op_id)`
          )
          .pluck()
          .get()
        expect(orphans, tag(`round ${round}: audit entries without outbox rows`)).toBe(0)
      } finally {
        db.close()
      }
    }
    expect(totalAcks, tag('the children acknowledged too few marks to mean anything')).toBeGreaterThan(ROUNDS * 5)

    // The final drain, Wix healthy.
    const final = openSimDesk(dataDir)
    try {
      await final.call('sync.now', {})
      await until(async () => (await final.call('sync.status', {})).pending === 0, 30_000, tag('the final drain'))
      const status = await final.call('sync.status', {})
      expect(status.problems, tag(`problems left: ${JSON.stringify((await final.call('sync.problems', {})).problems)}`)).toBe(0)

      const mismatches: string[] = []
      for (const person of people) {
        const want = acked.get(localId(person))!
        const onWix = wixMark(fake, person) // throws on a duplicate attendance record
        const local = localMark(final.desk.db.$client, localId(person), sessionOf(person))
        if (!sameMark(onWix, want) || !sameMark(local, want)) {
          mismatches.push(`${person.name}: wanted ${showMark(want)}, Wix has ${showMark(onWix)}, desk has ${showMark(local)}`)
        }
      }
      expect(mismatches, tag(`faults per round: ${faultsUsed.join(', ')}`)).toEqual([])

      // No double write: no new participation, and no mark accepted twice by Wix.
      expect(fake.participations()).toHaveLength(people.length)
      expect(fake.violations(), tag('contract violations')).toEqual([])
      const accepted = fake
        .requests((r) => r.method === 'PATCH')
        .filter((r) => r.processed && r.status === 200)
        .map((r) => {
          const body = r.body as { participation: { extendedFields: { namespaces: Record<string, { sessions: Record<string, Mark & { markedAt: string | null; deskId: string }> }> } } }
          const marks = Object.values(body.participation.extendedFields.namespaces[NS]?.sessions ?? {})
          return `${r.path}|${marks.map((m) => `${m.deskId}@${m.markedAt}:${m.status}×${m.attendees}`).join(',')}`
        })
        .filter((key) => !key.endsWith('|'))
      const twice = accepted.filter((key, i) => accepted.indexOf(key) !== i)
      if (SETTLE_IS_ATOMIC) expect(twice, tag('a mark Wix accepted twice')).toEqual([])
      else if (twice.length > 0) console.warn(tag(`known bug (see the settle test below): ${twice.length} mark(s) accepted twice: ${twice.join('; ')}`))
      expect(final.desk.db.$client.pragma('integrity_check', { simple: true })).toBe('ok')
      console.log(tag(`${ROUNDS} kills, ${totalAcks} acknowledged marks, ${inDoubtCommitted} in-flight calls committed, ${accepted.length} accepted writes; faults: ${faultsUsed.join(', ')}`))
    } finally {
      final.close()
    }
  }, 90_000)

  // Pins the non-atomic settle (see SETTLE_IS_ATOMIC): passes while the bug exists. When the
  // engine commits recordPushResult + markDone in one transaction, turn `it.fails` into `it` and
  // set SETTLE_IS_ATOMIC = true.
  it('a desk dying between storing the answer and marking the operation done does not write the mark twice', async () => {
    const fake = await startFakeWix({ seed: 1, timeZone: ZONE })
    fakes.push(fake)
    const { people } = seedWorld(fake, [{ title: 'Spin', bookings: false, people: 1, hour: 9 }])
    const dataDir = tempDir()
    // No background timer: the one mark is sent once, by its own trigger.
    const first = openSimDesk(dataDir, { syncTimerMs: 0 })
    await connectWix(first, fake)
    const ids = await pullEverything(first)
    const person = people[0]!
    // The process "dies" exactly after the answer was stored: the commit that marks it done never happens.
    first.desk.db.$client.exec(
      `CREATE TEMP TRIGGER simulated_crash BEFORE UPDATE OF state ON outbox WHEN NEW.state IN ('done', 'rejected')
       BEGIN SELECT RAISE(ABORT, 'simulated crash'); END`
    )
    await first.call('attendance.checkIn', { sessionId: ids.sessionIds.get(person.session.eventId)!, participationId: ids.participationIds.get(person.wixId)!, attendees: 1 })
    const accepted = () => fake.requests((r) => r.method === 'PATCH').filter((r) => r.processed && r.status === 200)
    await until(() => accepted().length === 1, 10_000, 'the first write')
    await first.desk.sync.idle()
    first.close()

    const second = openSimDesk(dataDir)
    try {
      await second.call('sync.now', {})
      await until(async () => (await second.call('sync.status', {})).pending === 0, 10_000, 'the drain')
      expect(wixMark(fake, person)).toEqual({ status: 'ATTENDED', attendees: 1 })
      expect(accepted()).toHaveLength(1)
    } finally {
      second.close()
    }
  })
})
