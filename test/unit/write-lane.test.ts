/**
 * The write lane (src/main/db/write-lane.ts): the desk's writes go before the pull writer's, and
 * every transaction of a connection goes through it, whichever way it is started.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { buildSync } from 'esbuild'
import { afterEach, describe, expect, it } from 'vitest'
import { createWriteLane, deskSide, openDatabase, releaseWriterTurn, writeInLane, type LaneSide } from '../../src/main/db'
import { createReplica, createWorkerWriter } from '../../src/main/sync'
import { participationRecord, sessionRecord, tempDir } from './helpers'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function database() {
  const dir = mkdtempSync(join(tmpdir(), 'write-lane-'))
  dirs.push(dir)
  const file = join(dir, 'lane.db')
  const sqlite = new Database(file)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.exec('CREATE TABLE log (seq INTEGER PRIMARY KEY, who TEXT NOT NULL)')
  return { file, sqlite }
}

function startWriterThread(file: string, lane: SharedArrayBuffer | undefined) {
  // Inside the project, so that the bundle finds better-sqlite3 in node_modules.
  const out = join(import.meta.dirname, '..', '..', 'node_modules', '.cache', 'rollcall-lane-test', `lane-worker-${process.pid}.mjs`)
  buildSync({ entryPoints: [join(import.meta.dirname, 'fixtures', 'lane-worker.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: out, logLevel: 'silent' })
  const flags = new SharedArrayBuffer(8)
  const worker = new Worker(out, { workerData: { file, lane, flags } })
  const done = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve())
    worker.once('error', reject)
  })
  return { worker, done, aboutToWrite: new Int32Array(flags) }
}

/** The desk announces a write, lets the writer thread try its own meanwhile, then writes. */
async function deskWritesWhileTheWriterTries(lane: SharedArrayBuffer | undefined) {
  const { file, sqlite } = database()
  const writer = startWriterThread(file, lane)
  const side: LaneSide = lane ? deskSide(lane) : { run: (write) => write() }
  side.run(() => {
    writer.worker.postMessage('pull')
    // The writer thread is about to start its transaction …
    Atomics.wait(writer.aboutToWrite, 0, 0, 5000)
    // … and is given every chance to take the database first.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150)
    sqlite.prepare('INSERT INTO log (who) VALUES (?)').run('desk')
  })
  await writer.done
  await writer.worker.terminate()
  const order = sqlite.prepare('SELECT who FROM log ORDER BY seq').pluck().all()
  sqlite.close()
  return order
}

describe('the write lane', () => {
  it('lets a desk write that was asked for go before the pull writer starts its next transaction', async () => {
    expect(await deskWritesWhileTheWriterTries(createWriteLane())).toEqual(['desk', 'pull'])
  })

  it('is what orders them: without it the writer thread would have written first', async () => {
    expect(await deskWritesWhileTheWriterTries(undefined)).toEqual(['pull', 'desk'])
  })

  it('gives the turn of a dead writer thread back: the desk does not wait for a transaction that will never end', async () => {
    const { file, sqlite } = database()
    const lane = createWriteLane()
    const writer = startWriterThread(file, lane)
    const desk = deskSide(lane, 5000)
    writer.worker.postMessage('hold')
    Atomics.wait(writer.aboutToWrite, 0, 0, 5000)
    expect(desk.writerBusy()).toBe(true)
    await writer.worker.terminate()
    // What createWorkerWriter does when its thread exits.
    releaseWriterTurn(lane)
    expect(desk.writerBusy()).toBe(false)
    desk.run(() => sqlite.prepare('INSERT INTO log (who) VALUES (?)').run('desk'))
    // The desk went at once (it would have waited out the 5 s), and the dead transaction left nothing.
    expect(desk.waitedMs()).toBeLessThan(1000)
    expect(sqlite.prepare('SELECT who FROM log ORDER BY seq').pluck().all()).toEqual(['held', 'desk'])
    sqlite.close()
  })

  it('puts every kind of transaction of a connection through it once, nested ones included', () => {
    const { sqlite } = database()
    const turns: string[] = []
    writeInLane(sqlite, { run: (write) => (turns.push('turn'), write()) })
    const insert = sqlite.prepare('INSERT INTO log (who) VALUES (?)')
    const inner = sqlite.transaction((who: string) => insert.run(who))
    const outer = sqlite.transaction((who: string) => {
      inner(`${who} inner`)
      insert.run(who)
    })
    outer('default')
    outer.immediate('immediate')
    outer.deferred('deferred')
    outer.exclusive('exclusive')
    inner.immediate('alone')
    expect(turns).toHaveLength(5)
    expect(sqlite.prepare('SELECT count(*) FROM log').pluck().get()).toBe(9)
    // A transaction that fails still gives its turn back and changes nothing.
    const failing = sqlite.transaction(() => {
      insert.run('lost')
      throw new Error('refused')
    })
    expect(() => failing.immediate()).toThrow('refused')
    expect(sqlite.prepare(`SELECT count(*) FROM log WHERE who = 'lost'`).pluck().get()).toBe(0)
    sqlite.close()
  })
})

describe('a batch on the pull writer thread', () => {
  const person = (n: number) => participationRecord(`p-${n}`, { name: `Guest ${String(n).padStart(5, '0')}`, raw: { id: n } })

  it('commits the rows it has and lets a desk write in when the desk asks, then writes the rest', async () => {
    const file = join(tempDir(), 'desk.db')
    const { db } = openDatabase(file)
    const sqlite = db.$client
    const sessionId = createReplica(db, Date.now).applySessions('wix', [sessionRecord('ev-1', { title: 'Conference' })]).ids[0]!
    const lane = createWriteLane()
    const desk = deskSide(lane)
    writeInLane(sqlite, desk)
    const writer = createWorkerWriter({ file, lane, now: Date.now })
    try {
      const records = Array.from({ length: 4000 }, (_, i) => person(i))
      const onRoster = sqlite.prepare('SELECT count(*) FROM participations WHERE session_id = ?').pluck()
      const written = writer.applyParticipations('wix', { id: sessionId, providerId: 'ev-1' }, records, { token: 'after-batch', startedAt: 1 })
      // The worker is inside the batch's transaction …
      const idle = new Int32Array(new SharedArrayBuffer(4))
      for (let i = 0; i < 10_000 && !desk.writerBusy(); i++) Atomics.wait(idle, 0, 0, 1)
      expect(desk.writerBusy()).toBe(true)
      // … when the desk writes: it gets in before the batch ends, after the rows committed so far.
      sqlite.transaction(() => sqlite.prepare(`INSERT INTO desk_meta (key, value) VALUES ('lane-test', 'desk')`).run()).immediate()
      const seenByTheDesk = onRoster.get(sessionId) as number
      expect(seenByTheDesk).toBeGreaterThan(0)
      expect(seenByTheDesk).toBeLessThan(records.length)

      const stats = await written
      expect(stats.inserted).toBe(records.length)
      expect(stats.ids).toHaveLength(records.length)
      expect(onRoster.get(sessionId)).toBe(records.length)
      // The resume cursor counts the whole batch, written in parts.
      expect(sqlite.prepare(`SELECT token, rows FROM pull_cursors WHERE session_id = ?`).get(sessionId)).toEqual({ token: 'after-batch', rows: records.length })
    } finally {
      await writer.close()
      sqlite.close()
    }
  })
})
