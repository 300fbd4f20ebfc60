/**
 * The pull's writer thread (see writer.ts): its own connection to the desk's database, running
 * the writer's operations one message at a time, in the order they were sent. Plain Node: no
 * `electron`, started by the main process, the web transport, the bench and the tests alike.
 */
import { closeSync, fdatasyncSync, fstatSync, openSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase, writeInLane, writerSide } from '../db'
import { createWriterOps, type WorkerData, type WorkerReply, type WorkerRequest, type WriterOps } from './writer'

const data = workerData as WorkerData
const port = parentPort
if (!port) throw new Error('pull-worker.ts runs as a worker thread')

let clock = Date.now()
const { db } = openDatabase(data.file, { nativeBinding: data.nativeBinding, secondary: true })
// The pull checkpoints between its own transactions (writer.ts checkpoint): an automatic one would
// run inside whichever commit crossed the threshold, holding the write lock meanwhile.
db.$client.pragma('wal_autocheckpoint = 0')
// Room for the indexes' pages a download reads and rewrites (each new person is looked up by id,
// then touches a leaf of every index): the default 2 MB held a fraction of them at 100,000 people.
db.$client.pragma('cache_size = -32768')

/**
 * The pull commits with synchronous=NORMAL, so its WAL frames reach the disk at the next fsync of
 * the WAL file — which was a check-in's: its durable commit flushed every frame the pull had
 * written since the one before (measured: 4.6 ms of a check-in's 8 ms, p50, during a 100,000
 * pull). The worker syncs its own frames after each of its transactions instead, on its own thread
 * and holding no lock, so a check-in's fsync carries little more than its own rows.
 */
let walFd: number | null = null
function syncWal(): void {
  try {
    // SQLite deletes the WAL file when the last connection closes; a new one is another file.
    if (walFd !== null && fstatSync(walFd).nlink === 0) {
      closeSync(walFd)
      walFd = null
    }
    walFd ??= openSync(`${data.file}-wal`, 'r')
    fdatasyncSync(walFd)
  } catch {
    // No WAL file (yet) or it went away: the next commit of either connection syncs as before.
  }
}
const side = data.lane ? writerSide(data.lane) : undefined
const lane = side && {
  wanted: side.wanted,
  run<T>(write: () => T): T {
    try {
      return side.run(write)
    } finally {
      syncWal()
    }
  }
}
if (lane) writeInLane(db.$client, lane)
const ops = createWriterOps(db, () => clock, undefined, lane)

port.on('message', (request: WorkerRequest) => {
  clock = request.now
  let reply: WorkerReply
  try {
    if (request.op === 'close') {
      if (!db.$client.inTransaction) db.$client.pragma('wal_checkpoint(PASSIVE)')
      db.$client.close()
      port.postMessage({ id: request.id, ok: true, value: null } satisfies WorkerReply)
      port.close()
      return
    }
    const fn = ops[request.op] as (...args: unknown[]) => unknown
    const started = performance.now()
    const value = fn(...request.args)
    reply = { id: request.id, ok: true, value, ms: performance.now() - started }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err))
    reply = { id: request.id, ok: false, error: { name: e.name, message: e.message, stack: e.stack } }
  }
  port.postMessage(reply)
})

export type { WriterOps }
