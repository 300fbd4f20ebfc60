/**
 * A desk killed in the middle of a big pull (pull-desk-child.ts: pages of 100 from the fake Wix,
 * applied in batches with synchronous=NORMAL, a walk-in checked in every few ms meanwhile) leaves a
 * consistent database: SQLite and FTS5 integrity checks pass, every participation on the desk is
 * found by search and nothing else is, every mark belongs to a person, the acknowledged check-in is
 * there. A second desk on the same data then completes the pull, and everyone is found.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { DATABASE_FILE } from '../../src/main/core'
import { WORKER_MAX_ROWS } from '../../src/main/sync/engine'
import { startFakeWix, type FakeWix } from '../fakes/wix'
import { sleep, tempDir, testDesk, waitFor } from './helpers'

const ZONE = 'Europe/Berlin'
const DAY = '2026-07-06'
const NS = '@rollcall/checkin'
const OTHER_APP = 'aaaaaaaa-1111-2222-3333-bbbbbbbbbbbb'
const PEOPLE = 3000

const fakes: FakeWix[] = []
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close()
})

/** What must hold of a desk database at any moment, mid-pull included. */
function checkConsistent(file: string) {
  const db = new Database(file)
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    // FTS5's own check: the index holds exactly the rows of its content table, no more, no less.
    db.exec(`INSERT INTO participation_search(participation_search, rank) VALUES ('integrity-check', 1)`)
    const rows = db.prepare('SELECT count(*) FROM participations').pluck().get() as number
    const found = db.prepare(`SELECT count(*) FROM participation_search WHERE participation_search MATCH 'crashperson*'`).pluck().get() as number
    const named = db.prepare(`SELECT count(*) FROM participations WHERE name LIKE 'Crashperson%'`).pluck().get() as number
    expect(found).toBe(named)
    expect(db.pragma('foreign_key_check')).toEqual([])
    const orphanMarks = db.prepare('SELECT count(*) FROM attendance a LEFT JOIN participations p ON p.id = a.participation_id WHERE p.id IS NULL').pluck().get()
    expect(orphanMarks).toBe(0)
    return { rows, named }
  } finally {
    db.close()
  }
}

describe('a crash in the middle of a pull', () => {
  it('leaves a consistent, searchable replica and keeps the acknowledged check-in', async () => {
    const fake = await startFakeWix({ seed: 7, timeZone: ZONE })
    fakes.push(fake)
    const event = fake.addEvent({ title: 'Conference', type: 'CLASS', appId: OTHER_APP, start: `${DAY}T09:00:00`, end: `${DAY}T17:00:00`, timeZone: ZONE, totalCapacity: 5000 })
    fake.seedMany(PEOPLE, (i) => ({
      eventId: event.id,
      participant: { name: `Crashperson ${String(i).padStart(4, '0')}`, email: `p${i}@example.com` },
      partySize: 1,
      ...(i % 10 === 0
        ? { extendedFields: { namespaces: { [NS]: { sessions: { [event.id]: { status: 'ATTENDED', attendees: 1, markedAt: `${DAY}T09:05:00Z`, deskId: 'other', deskName: 'Other' } } } } } }
        : {})
    }))
    // Slow pages, so the kill lands while pages are still being written.
    fake.faults.always({ type: 'delay', ms: 15 }, (r) => r.path.includes('participations/query'))

    const dataDir = tempDir()
    const file = join(dataDir, DATABASE_FILE)
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'pull-desk-child.ts'), dataDir, fake.baseUrl, fake.siteId, fake.apiKey, NS, DAY, ZONE], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    let stderr = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise((r) => child.once('exit', r))
    await waitFor(() => /^READY /m.test(out), 30_000, `the child to start (${stderr})`)
    const [, sessionId, participationId] = /^READY (\d+) (\d+)$/m.exec(out)!
    // Kill once a good part of the roster is in, but not all of it.
    const reader = new Database(file, { readonly: true })
    try {
      await waitFor(() => (reader.prepare('SELECT count(*) FROM participations').pluck().get() as number) > PEOPLE / 4, 30_000, `the pull to get going (${stderr})`)
    } finally {
      reader.close()
    }
    child.kill('SIGKILL')
    await exited
    const acks = [...out.matchAll(/^ACK (\d+)$/gm)].map((m) => Number(m[1]))
    expect(acks.length).toBeGreaterThan(0)

    const mid = checkConsistent(file)
    expect(mid.named, 'the kill came after the whole roster was in: make the pages slower').toBeLessThan(PEOPLE)
    // The last acknowledged check-in is on the desk (or the one after it, if that committed unacknowledged).
    const check = new Database(file, { readonly: true })
    const mark = check.prepare('SELECT attendees FROM attendance WHERE participation_id = ? AND session_id = ?').pluck().get(Number(participationId), Number(sessionId)) as number
    check.close()
    const last = acks.at(-1)!
    expect([last, (last % 1000) + 1]).toContain(mark)
    // Where the download stood: the cursor of the last whole batch on disk. A batch the desk cut
    // short to let a check-in in may have part of its rows on disk ahead of the cursor; the resumed
    // download fetches them again (writing them again changes nothing), so at most one batch.
    const cursorDb = new Database(file, { readonly: true })
    const cursor = cursorDb.prepare('SELECT rows FROM pull_cursors').pluck().get() as number | undefined
    const inAtKill = cursorDb.prepare(`SELECT count(*) FROM participations WHERE name LIKE 'Crashperson%'`).pluck().get() as number
    cursorDb.close()
    expect(cursor).toBeGreaterThan(0)
    expect(cursor!).toBeLessThanOrEqual(inAtKill)
    expect(inAtKill - cursor!).toBeLessThan(WORKER_MAX_ROWS)

    // A new desk on the same data finishes the pull from that cursor: everyone, searchable, marks in.
    fake.faults.clear()
    fake.clearRequests()
    const t = testDesk({ dataDir, syncTimerMs: 0, providerTimeoutMs: 10_000 })
    const { sessions } = await t.call('sessions.forDay', { date: DAY, timeZone: ZONE })
    const conference = sessions.find((s) => s.title === 'Conference')!
    await t.desk.sync.requestPull({ kind: 'session', sessionId: conference.id })
    await t.desk.sync.idle()
    await sleep(10)
    // Its first roster request went on from the cursor (only the cursor, as Wix wants), not from the top.
    const first = fake.requests((r) => r.path === '/calendar/v3/participations/query')[0]!
    expect(Object.keys((first.body as { query: object }).query)).toEqual(['cursorPaging'])
    // The pull checkpoints by itself while it runs; afterwards SQLite's automatic checkpoint is back.
    expect(t.desk.db.$client.pragma('wal_autocheckpoint', { simple: true })).toBe(1000)
    const page = await t.call('roster.page', { sessionId: conference.id, search: 'crashperson', offset: 0, limit: 1 })
    expect(page.total).toBe(PEOPLE)
    const one = await t.call('roster.page', { sessionId: conference.id, search: 'crashperson 2990', offset: 0, limit: 5 })
    expect(one.rows.map((r) => r.name)).toEqual(['Crashperson 2990'])
    expect(one.rows[0]!.attendance.status).toBe('ATTENDED')
    t.desk.close()
    expect(checkConsistent(file)).toEqual({ rows: PEOPLE + 1, named: PEOPLE })
  }, 90_000)
})
