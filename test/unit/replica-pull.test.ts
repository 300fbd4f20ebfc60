/**
 * The pull's fast paths (src/main/sync/replica.ts, engine.ts readAhead) keep the old semantics:
 * a page's new people are inserted with one statement, marks of a just-inserted person are written
 * without lookups, pull transactions commit with synchronous=NORMAL and give FULL back, and pages
 * read ahead arrive in order, batched, with a failure after every page before it.
 */
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/main/db'
import { createReplica } from '../../src/main/sync'
import { readAhead } from '../../src/main/sync/engine'
import { formerKeys } from '../../src/main/sync/former-keys'
import { participationRecord, sessionRecord, testDesk } from './helpers'

const session = sessionRecord
const person = participationRecord

const mark = (who: string, sessionProviderId: string, status: 'ATTENDED' | 'NOT_ATTENDED' | 'NOT_SET', attendees = status === 'ATTENDED' ? 2 : 0) => ({
  participationProviderId: who,
  sessionProviderId,
  status,
  attendees,
  providerId: null,
  markedAt: Date.parse('2026-07-06T09:05:00Z'),
  deskId: 'other-desk'
})

function setup() {
  const t = testDesk({ syncTimerMs: 0 })
  const sqlite = t.desk.db.$client
  const replica = createReplica(t.desk.db, () => Date.parse('2026-07-06T08:00:00Z'))
  const [s1, s2] = replica.applySessions('wix', [session('ev-1', { scheduleId: 'sch', kind: 'COURSE' }), session('ev-2', { scheduleId: 'sch', kind: 'COURSE' })]).ids as [number, number]
  const marksOf = (providerId: string) =>
    sqlite
      .prepare(`SELECT s.provider_id AS session, a.status, a.attendees FROM attendance a JOIN participations p ON p.id = a.participation_id JOIN sessions s ON s.id = a.session_id WHERE p.provider_id = ? ORDER BY s.provider_id`)
      .all(providerId)
  return { t, sqlite, replica, s1, s2, marksOf }
}

describe('applyParticipations', () => {
  it('inserts a page of new people at once, in order, and handles a person repeated in the page like before', () => {
    const { sqlite, replica, s1, marksOf } = setup()
    const stats = replica.applyParticipations('wix', { id: s1, providerId: 'ev-1' }, [
      person('a', { attendance: [mark('a', 'ev-1', 'ATTENDED')] }),
      person('b'),
      person('a', { name: 'a renamed', revision: '2', attendance: [mark('a', 'ev-1', 'NOT_ATTENDED')] }),
      person('b'),
      person('c', { attendance: [] })
    ])
    const id = (p: string) => sqlite.prepare(`SELECT id FROM participations WHERE provider_id = ?`).pluck().get(p) as number
    expect(stats.ids).toEqual([id('a'), id('b'), id('a'), id('b'), id('c')])
    expect(id('a')).toBeLessThan(id('b'))
    expect(id('b')).toBeLessThan(id('c'))
    expect(stats).toMatchObject({ inserted: 3, updated: 1, unchanged: 1, skippedPending: 0 })
    expect(sqlite.prepare(`SELECT name, revision FROM participations WHERE provider_id = 'a'`).get()).toEqual({ name: 'a renamed', revision: '2' })
    // The repeat's marks were applied after the first's: the later word wins.
    expect(marksOf('a')).toEqual([{ session: 'ev-1', status: 'NOT_ATTENDED', attendees: 0 }])
    expect(stats.marks).toMatchObject({ inserted: 1, updated: 1 })
    // Everyone is in the search index.
    expect(sqlite.prepare(`SELECT count(*) FROM participation_search WHERE participation_search MATCH 'renamed'`).pluck().get()).toBe(1)
    expect(sqlite.prepare(`SELECT count(*) FROM participation_search`).pluck().get()).toBe(3)
  })

  it("writes a new person's marks for every known session of the course, and none for an unknown one", () => {
    const { replica, s1, marksOf } = setup()
    const stats = replica.applyParticipations('wix', { id: s1, providerId: 'ev-1' }, [
      person('k', { sessionProviderId: null, scheduleId: 'sch', attendance: [mark('k', 'ev-2', 'ATTENDED', 3), mark('k', 'ev-9', 'ATTENDED'), mark('k', 'ev-1', 'NOT_SET')] }),
      person('m', { attendance: [mark('m', 'ev-2', 'NOT_ATTENDED')] })
    ])
    expect(marksOf('k')).toEqual([{ session: 'ev-2', status: 'ATTENDED', attendees: 3 }])
    expect(marksOf('m')).toEqual([{ session: 'ev-2', status: 'NOT_ATTENDED', attendees: 0 }])
    expect(stats.marks).toMatchObject({ inserted: 2, updated: 0 })
    // Pulled again unchanged: nothing written, nothing lost.
    const again = replica.applyParticipations('wix', { id: s1, providerId: 'ev-1' }, [person('k', { sessionProviderId: null, scheduleId: 'sch' }), person('m')])
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 })
    expect(marksOf('k')).toHaveLength(1)
  })

  it('commits with synchronous=NORMAL and gives the connection FULL back, also after a failure', () => {
    const { sqlite, replica, s1 } = setup()
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(2)
    const seen: number[] = []
    const original = sqlite.pragma.bind(sqlite)
    const spy = (sql: string, options?: { simple?: boolean }) => {
      const result = original(sql, options as never)
      if (/^synchronous = /.test(sql)) seen.push(sqlite.pragma('synchronous', { simple: true }) as number)
      return result
    }
    ;(sqlite as unknown as { pragma: typeof spy }).pragma = spy
    try {
      replica.applyParticipations('wix', { id: s1, providerId: 'ev-1' }, [person('x')])
      expect(seen).toEqual([1, 2])
      expect(() => replica.applyParticipations('wix', { id: s1, providerId: 'ev-1' }, [person('y', { partySize: Number.NaN, name: null as never })])).toThrow()
      expect(seen).toEqual([1, 2, 1, 2])
      // Inside a caller's transaction the setting is left alone (SQLite would refuse to change it).
      sqlite.transaction(() => replica.applyParticipations('wix', { id: s1, providerId: 'ev-1' }, [person('z')]))()
      expect(seen).toEqual([1, 2, 1, 2])
    } finally {
      ;(sqlite as unknown as { pragma: typeof original }).pragma = original
    }
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(2)
  })
})

describe('bulkPull', () => {
  it('turns the automatic checkpoint off for a pull, says when one is due, and puts it back', () => {
    const { sqlite, replica } = setup()
    const auto = () => sqlite.pragma('wal_autocheckpoint', { simple: true })
    expect(auto()).toBe(1000)
    const bulk = replica.bulkPull(300)
    expect(auto()).toBe(0)
    expect(bulk.wrote(200)).toBe(false)
    expect(bulk.wrote(100)).toBe(true)
    bulk.checkpoint()
    expect(bulk.wrote(200)).toBe(false)
    bulk.end()
    bulk.end()
    expect(auto()).toBe(1000)
  })
})

describe('readAhead', () => {
  async function* pages(n: number, size: number, failAt = -1) {
    for (let i = 0; i < n; i++) {
      await new Promise((r) => setTimeout(r, 1))
      if (i === failAt) throw new Error(`page ${i} failed`)
      yield Array.from({ length: size }, (_, k) => i * size + k)
    }
  }

  it('hands pages over in order, in batches of at most the asked size', async () => {
    const batches: number[][] = []
    for await (const batch of readAhead(pages(10, 3), () => 7)) batches.push(batch)
    expect(batches.flat()).toEqual(Array.from({ length: 30 }, (_, i) => i))
    for (const b of batches) expect(b.length).toBeLessThanOrEqual(9)
    expect(batches.length).toBeLessThan(10)
  })

  it('ends cleanly when the last batch took every page read ahead, the end included', async () => {
    // Read ahead 3 deep, batches of up to 100 rows: the first batch reads the end into itself.
    // The bench's first full pull with batches of 10 pages failed here ("reading 'result'").
    async function* ready(n: number, size: number) {
      for (let i = 0; i < n; i++) yield Array.from({ length: size }, (_, k) => i * size + k)
    }
    for (const n of [1, 2, 3, 5]) {
      const batches: number[][] = []
      for await (const batch of readAhead(ready(n, 3), () => 100, 3)) batches.push(batch)
      expect(batches.flat()).toEqual(Array.from({ length: n * 3 }, (_, i) => i))
    }
  })

  it('one page per batch when asked for one row', async () => {
    const batches: number[][] = []
    for await (const batch of readAhead(pages(4, 3), () => 1)) batches.push(batch)
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]])
  })

  it('a failed page surfaces after every page before it was handed over', async () => {
    const got: number[] = []
    await expect(
      (async () => {
        for await (const batch of readAhead(pages(6, 2, 4), () => 100)) got.push(...batch)
      })()
    ).rejects.toThrow('page 4 failed')
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
  })
})

/**
 * The bench's check-in during a full pull failed with an internal error (SQLITE_BUSY after the
 * 5 s busy_timeout): the end of a 100,000-person download compared the whole roster inside one
 * write transaction on the pull's connection, holding the lock for seconds on a loaded machine.
 * The desk's connection here waits for no lock at all (busy_timeout 0), and it writes exactly
 * while the download's end compares who is on the roster.
 */
describe('reconciling a complete download', () => {
  it('lets a check-in commit while it compares the roster, and does not remove the person checked in', () => {
    const { t, sqlite: desk, s1 } = setup()
    const file = desk.name
    // The pull's own connection, as the writer's thread has it.
    const pullDb = openDatabase(file, { secondary: true })
    const replica = createReplica(pullDb.db, () => Date.parse('2026-07-06T08:00:00Z'))
    const people = Array.from({ length: 1200 }, (_, i) => person(`p${i}`))
    for (let i = 0; i < people.length; i += 100) replica.applyParticipations('wix', { id: s1, providerId: 'ev-1' }, people.slice(i, i + 100))
    const idOf = (providerId: string) => desk.prepare('SELECT id FROM participations WHERE provider_id = ?').pluck().get(providerId) as number

    desk.pragma('busy_timeout = 0')
    const checkIn = desk.prepare(
      `INSERT INTO outbox (op_id, kind, provider, session_id, participation_id, payload, state, desk_id, created_at, updated_at)
       VALUES ('op-during', 'attendance.set', 'wix', ?, ?, '{"status":"ATTENDED","attendees":1}', 'pending', 'desk', 1, 1)`
    )
    // The download saw the first 1,000; p1100 is checked in at the desk while the roster is compared.
    const seen = new Set(people.slice(0, 1000).map((p) => p.providerId))
    let committed: boolean | string = false
    const comparing = new Set(seen)
    comparing.has = (value: string) => {
      if (committed === false) {
        try {
          checkIn.run(s1, idOf('p1100'))
          committed = true
        } catch (err) {
          committed = (err as { code?: string }).code ?? String(err)
        }
      }
      return seen.has(value)
    }
    const removed = replica.reconcileRoster('wix', { id: s1, scheduleId: 'sch' }, comparing)
    expect(committed).toBe(true)
    // Everyone the download lacked leaves, except the person with a mark still to send.
    expect(removed).toBe(199)
    expect(desk.prepare('SELECT removed_at FROM participations WHERE id = ?').pluck().get(idOf('p1100'))).toBeNull()
    expect(desk.prepare('SELECT count(*) FROM participations WHERE session_id = ? AND removed_at IS NULL').pluck().get(s1)).toBe(1001)
    pullDb.db.$client.close()
    t.desk.close()
  })
})

/**
 * A walk-in is `walk-in:<uuid>` until its booking system gives it an id; a LAN hub keeps the first
 * key (sync/former-keys.ts) and tells members, who rename the row they hold instead of adding the
 * person twice (issue 18).
 */
describe('a person the provider renamed', () => {
  const queue = (sqlite: import('better-sqlite3').Database, sessionId: number, participationId: number) =>
    sqlite
      .prepare(
        `INSERT INTO outbox (op_id, kind, provider, session_id, participation_id, payload, state, desk_id, created_at, updated_at)
         VALUES ('op-unsent', 'attendance.set', 'hub', ?, ?, '{"status":"NOT_SET","attendees":0,"undo":true}', 'pending', 'desk', 1, 1)`
      )
      .run(sessionId, participationId)
  const rows = (sqlite: import('better-sqlite3').Database) => sqlite.prepare(`SELECT id, provider_id AS key, removed_at AS removedAt FROM participations ORDER BY id`).all()

  it('a roster page naming the former key renames the row held under it: same row, its marks and unsent operations kept', () => {
    const { sqlite, replica, s1, marksOf } = setup()
    replica.applyParticipations('wix', { id: s1, providerId: 'ev-1' }, [person('walk-in:abc', { attendance: [mark('walk-in:abc', 'ev-1', 'ATTENDED')] })])
    const [{ id }] = rows(sqlite) as [{ id: number }]
    queue(sqlite, s1, id)
    const stats = replica.applyParticipations('wix', { id: s1, providerId: 'ev-1' }, [person('p-77', { revision: '2', formerProviderId: 'walk-in:abc' })])
    expect(rows(sqlite)).toEqual([{ id, key: 'p-77', removedAt: null }])
    expect(stats.ids).toEqual([id])
    expect(marksOf('p-77')).toEqual([{ session: 'ev-1', status: 'ATTENDED', attendees: 2 }])
    expect(sqlite.prepare(`SELECT participation_id FROM outbox WHERE op_id = 'op-unsent'`).pluck().get()).toBe(id)
    // Told again (every download carries it): nothing more happens.
    replica.applyParticipations('wix', { id: s1, providerId: 'ev-1' }, [person('p-77', { revision: '2', formerProviderId: 'walk-in:abc' })])
    expect(rows(sqlite)).toEqual([{ id, key: 'p-77', removedAt: null }])
  })

  it('a row already under the new key is not overwritten by the renamed one', () => {
    const { sqlite, replica, s1 } = setup()
    replica.applyParticipations('wix', { id: s1, providerId: 'ev-1' }, [person('walk-in:abc'), person('p-77')])
    replica.applyParticipations('wix', { id: s1, providerId: 'ev-1' }, [person('p-77', { revision: '2', formerProviderId: 'walk-in:abc' })])
    expect((rows(sqlite) as { key: string }[]).map((r) => r.key)).toEqual(['walk-in:abc', 'p-77'])
  })

  it('a mark naming the new key with the former one renames the row and lands on it', () => {
    const { sqlite, replica, s1, marksOf } = setup()
    replica.applyParticipations('wix', { id: s1, providerId: 'ev-1' }, [person('walk-in:abc')])
    const [{ id }] = rows(sqlite) as [{ id: number }]
    const stats = replica.applyAttendance('wix', s1, [{ ...mark('p-77', 'ev-1', 'ATTENDED'), formerParticipationProviderId: 'walk-in:abc' }])
    expect(stats.ids).toEqual([id])
    expect(rows(sqlite)).toEqual([{ id, key: 'p-77', removedAt: null }])
    expect(marksOf('p-77')).toEqual([{ session: 'ev-1', status: 'ATTENDED', attendees: 2 }])
    // Unknown under both keys: nobody is made up.
    replica.applyAttendance('wix', s1, [{ ...mark('p-88', 'ev-1', 'ATTENDED'), formerParticipationProviderId: 'walk-in:zzz' }])
    expect(rows(sqlite)).toHaveLength(1)
  })

  it('a walk-in the service answers with its own id keeps its first key on the desk, both ways; another person renamed does not', () => {
    const { sqlite, replica, s1 } = setup()
    replica.applyParticipations('wix', { id: s1, providerId: 'ev-1' }, [person('walk-in:abc'), person('old-id')])
    const [walkIn, other] = (rows(sqlite) as { id: number }[]).map((r) => r.id) as [number, number]
    sqlite.prepare(`UPDATE participations SET is_walk_in = 1 WHERE id = ?`).run(walkIn)
    replica.recordPushResult(walkIn, { id: s1, providerId: 'ev-1' }, 'wix', person('p-77'), undefined)
    replica.recordPushResult(other, { id: s1, providerId: 'ev-1' }, 'wix', person('p-78'), undefined)
    const former = formerKeys(sqlite)
    expect(former.find('wix', 'walk-in:abc')).toBe(walkIn)
    expect(former.of(walkIn)).toBe('walk-in:abc')
    expect(former.find('wix', 'old-id')).toBeUndefined()
    expect(former.of(other)).toBeUndefined()
    // Answered again (a resend): the first key stays the one remembered.
    replica.recordPushResult(walkIn, { id: s1, providerId: 'ev-1' }, 'wix', person('p-77'), undefined)
    expect(former.of(walkIn)).toBe('walk-in:abc')
  })
})
