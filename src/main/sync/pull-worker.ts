/**
 * The pull's writer thread (see writer.ts): its own connection to the desk's database, running
 * the writer's operations one message at a time, in the order they were sent. Plain Node: no
 * `electron`, started by the main process, the web transport, the bench and the tests alike.
 */
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
const lane = data.lane ? writerSide(data.lane) : undefined
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
