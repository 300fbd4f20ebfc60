/**
 * The pull's writer: every write a download (and retention) makes to the replica, behind one async
 * interface, so that they can run off the thread that answers the desk.
 *
 * Why: a check-in and a pull page used to share one thread and one connection; a check-in that
 * came while a page was written waited for the whole page (p95 35 ms, max 61 ms at 100,000 people).
 * Now the pages are written by a worker thread (pull-worker.ts) on its own connection, in short
 * IMMEDIATE transactions (see replica.ts relaxed), while the main thread keeps answering the
 * window and committing check-ins — the pattern of Signal Desktop's sql worker. What stays true:
 * - One writer at a time: SQLite's write lock (WAL) serialises the two connections; a check-in
 *   waits at most for the worker's current short transaction (busy_timeout), never for a page
 *   being fetched or parsed.
 * - The desk's intent first: each pull transaction starts IMMEDIATE, so it reads the outbox as the
 *   last commit left it; a check-in committed before it is seen, and that person's row and mark are
 *   not overwritten (replica.ts skips people with unsent marks) — the check-in is ordered before
 *   every later pull row, and the outbox order is the order of the desk's commits, as before.
 * - The sync engine stays the only one that decides what is written when: it awaits each write
 *   before the next, so the pull's own order is kept too.
 * `createInlineWriter` runs the same operations on the calling thread (tests of the engine alone).
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { releaseWriterTurn, type Db, type WriterLaneSide } from '../db'
import type { AttendanceRecord, ParticipationRecord, SessionRecord } from '../providers/types'
import { createReplica, emptyStats, type Replica } from './replica'
import { createRetention } from './retention'

/** Rows a batch's transaction writes between two looks at whether the desk wants the lock. */
export const YIELD_ROWS = 20

/**
 * The operations, as the worker runs them (plain, structured-clonable arguments). `lane`: the
 * worker's side of the desk's write lane (db/write-lane.ts), when the desk shares one.
 */
export function createWriterOps(db: Db, now: () => number, replica: Replica = createReplica(db, now), lane?: Pick<WriterLaneSide, 'wanted'>) {
  const sqlite = db.$client
  const retention = createRetention(db, now)
  type Session = { id: number; providerId: string }
  type Resume = { token: string; startedAt: number }
  type Stats = ReturnType<Replica['applyParticipations']>
  const add = (total: Stats, part: Stats) => {
    for (const key of ['inserted', 'updated', 'unchanged', 'skippedPending'] as const) {
      total[key] += part[key]
      total.marks[key] += part.marks[key]
    }
    for (const id of part.ids) total.ids.push(id)
  }
  /**
   * A batch of pages in as few transactions as the desk allows: one, unless the desk asks for the
   * write lock meanwhile — then the rows so far are committed at the next YIELD_ROWS boundary and
   * the rest follows once the desk's write is done. Fewer, larger commits are what makes a
   * download fast (each commit rewrites every index page its rows touched); yielding is what
   * keeps a check-in's wait to a few rows and one commit. The resume cursor goes with the batch's
   * last rows, as before: a crash between the parts resumes from the batch before, and writing
   * those rows again changes nothing.
   */
  const writeBatch = sqlite.transaction((provider: string, session: Session, records: ParticipationRecord[], from: number, resume: Resume | undefined, total: Stats) => {
    let at = from
    do {
      const part = records.slice(at, at + YIELD_ROWS)
      at += part.length
      const last = at >= records.length
      add(total, replica.applyParticipations(provider, session, part, last && resume ? { ...resume, rows: records.length } : undefined))
    } while (at < records.length && !lane!.wanted())
    return at
  })
  const applyParticipations = (provider: string, session: Session, records: ParticipationRecord[], resume?: Resume): Stats => {
    if (!lane || records.length <= YIELD_ROWS) return replica.applyParticipations(provider, session, records, resume)
    const total: Stats = { ...emptyStats(), ids: [], marks: emptyStats() }
    for (let at = 0; at < records.length; ) at = writeBatch.immediate(provider, session, records, at, resume, total)
    return total
  }
  return {
    applySessions: (provider: string, records: SessionRecord[]) => replica.applySessions(provider, records),
    applyParticipations,
    applyAttendance: (provider: string, sessionId: number, records: AttendanceRecord[]) => replica.applyAttendance(provider, sessionId, records),
    reconcileRoster: (provider: string, session: { id: number; scheduleId: string | null }, seen: string[]) => replica.reconcileRoster(provider, session, new Set(seen)),
    reconcileAttendance: (provider: string, sessionId: number, seen: number[], conflict: { message: string; reason: string }) =>
      replica.reconcileAttendance(provider, sessionId, new Set(seen), conflict),
    clearPullCursor: (provider: string, sessionId: number) => replica.clearPullCursor(provider, sessionId),
    /** Copies the WAL back into the database without blocking any writer (the pull calls it between its transactions). */
    checkpoint: () => {
      if (!sqlite.inTransaction) sqlite.pragma('wal_checkpoint(PASSIVE)')
    },
    pruneStep: (cutoff: number, rows?: number) => retention.step(cutoff, rows)
  }
}

export type WriterOps = ReturnType<typeof createWriterOps>
export type PullWriter = { [K in keyof WriterOps]: (...args: Parameters<WriterOps[K]>) => Promise<ReturnType<WriterOps[K]>> } & {
  /** Whether writes leave this thread (then the engine also checkpoints through the writer). */
  readonly offThread: boolean
  /** The longest operation of each kind on the worker so far (the bench's cause of a check-in's wait). */
  longest(): Record<string, number>
  /** Gets ready for the first write (starts the thread), without waiting for it. */
  warm(): void
  close(): Promise<void>
}

/** The same operations on the calling thread and connection. */
export function createInlineWriter(db: Db, now: () => number, replica?: Replica): PullWriter {
  const ops = createWriterOps(db, now, replica)
  const writer = { offThread: false, warm: () => {}, close: async () => {} } as PullWriter
  for (const name of Object.keys(ops) as (keyof WriterOps)[]) {
    ;(writer as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => (ops[name] as (...a: unknown[]) => unknown)(...args)
  }
  return writer
}

export interface WorkerRequest {
  id: number
  op: keyof WriterOps | 'close'
  args: unknown[]
  /** The desk's clock at the call (tests inject one; the worker has no other). */
  now: number
}
/** `ms`: how long the operation ran on the worker (its transactions hold the write lock meanwhile). */
export type WorkerReply = { id: number; ok: true; value: unknown; ms?: number } | { id: number; ok: false; error: { name: string; message: string; stack?: string } }

export interface WorkerData {
  file: string
  nativeBinding?: string
  /** The desk's write lane (db/write-lane.ts): the worker's transactions give way to the desk's writes. */
  lane?: SharedArrayBuffer
}

/**
 * Where the worker's code is: `pull-worker.js` beside the built main bundle (electron-vite builds
 * it as its own entry, see electron.vite.config.ts), or the TypeScript source when the desk runs
 * from src/ (vitest, tsx: the bench, the test children).
 */
export function findWorkerEntry(from = dirname(fileURLToPath(import.meta.url))): { file: string; typescript: boolean } {
  for (const dir of [from, join(from, '..')]) {
    const built = join(dir, 'pull-worker.js')
    if (existsSync(built)) return { file: built, typescript: false }
  }
  const source = join(from, 'pull-worker.ts')
  if (existsSync(source)) return { file: source, typescript: true }
  throw new Error(`pull-worker.js is missing beside ${from}: build the desk (electron-vite build)`)
}

/**
 * From source: the worker bundled once with esbuild (a dev dependency of the test and bench
 * runners, never needed by a build) into node_modules/.cache, reused while none of its source
 * files changed. Loading tsx in every worker instead cost ~1.4 s of CPU per desk that pulls (a
 * loader thread and every module compiled again): the crash suite starts 15 such desks. Answers
 * null when esbuild is not there (then tsx loads the source).
 */
function bundledWorker(source: string): string | null {
  const require = createRequire(import.meta.url)
  let esbuildMain: string
  try {
    esbuildMain = require.resolve('esbuild')
  } catch {
    return null
  }
  const modules = esbuildMain.slice(0, esbuildMain.lastIndexOf('node_modules') + 'node_modules'.length)
  const root = dirname(modules)
  const dir = join(modules, '.cache', 'rollcall-pull-worker')
  const manifestFile = join(dir, `${createHash('sha1').update(source).digest('hex').slice(0, 12)}.json`)
  const unchanged = (inputs: Record<string, [number, number]>) =>
    Object.entries(inputs).every(([file, [mtime, size]]) => {
      const st = statSync(join(root, file), { throwIfNoEntry: false })
      return st !== undefined && st.mtimeMs === mtime && st.size === size
    })
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { out: string; inputs: Record<string, [number, number]> }
    if (existsSync(manifest.out) && unchanged(manifest.inputs)) return manifest.out
  } catch {
    // No bundle yet, or an unreadable manifest: build one.
  }
  const esbuild = require('esbuild') as typeof import('esbuild')
  const result = esbuild.buildSync({
    entryPoints: [source],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Packages load from node_modules as they are (better-sqlite3 is native); only src/ is bundled.
    packages: 'external',
    write: false,
    metafile: true,
    outfile: join(dir, 'pull-worker.mjs'),
    logLevel: 'silent'
  })
  const code = result.outputFiles[0]!.contents
  const out = join(dir, `pull-worker-${createHash('sha1').update(code).digest('hex').slice(0, 12)}.mjs`)
  mkdirSync(dir, { recursive: true })
  // Written whole under another name first: a desk starting at the same moment never loads half a file.
  const unique = `${process.pid}-${Math.random().toString(36).slice(2)}`
  if (!existsSync(out)) {
    writeFileSync(`${out}.${unique}`, code)
    renameSync(`${out}.${unique}`, out)
  }
  const inputs: Record<string, [number, number]> = {}
  for (const file of Object.keys(result.metafile.inputs)) {
    const st = statSync(join(root, file))
    inputs[file] = [st.mtimeMs, st.size]
  }
  writeFileSync(`${manifestFile}.${unique}`, JSON.stringify({ out, inputs }))
  renameSync(`${manifestFile}.${unique}`, manifestFile)
  return out
}

function startWorker(data: WorkerData): Worker {
  const entry = findWorkerEntry()
  if (!entry.typescript) return new Worker(entry.file, { workerData: data })
  const bundled = bundledWorker(entry.file)
  if (bundled) return new Worker(bundled, { workerData: data })
  // Else through tsx, which the test and bench runners use.
  // Its ESM entry, as package.json exports it (require.resolve would give the CommonJS one).
  const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json')
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> }
  const tsx = pathToFileURL(join(dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href
  const url = pathToFileURL(entry.file).href
  const code = `import(${JSON.stringify(tsx)}).then((m) => (m.tsImport ?? m.default.tsImport)(${JSON.stringify(url)}, ${JSON.stringify(url)}))`
  return new Worker(code, { eval: true, workerData: data })
}

/** The writer on a worker thread with its own connection to `file` (opened and migrated already). */
export function createWorkerWriter(options: WorkerData & { now: () => number; log?: (message: string, err?: unknown) => void }): PullWriter {
  let worker: Worker | null = null
  let nextId = 1
  const waiting = new Map<number, { op: string; resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  let closed = false
  const longest: Record<string, number> = {}

  const failAll = (err: Error) => {
    for (const w of waiting.values()) w.reject(err)
    waiting.clear()
  }
  const ensure = (): Worker => {
    if (worker) return worker
    const w = startWorker({ file: options.file, nativeBinding: options.nativeBinding, lane: options.lane })
    // Nothing keeps the desk alive but its own work: the worker sleeps between pulls.
    w.unref()
    w.on('message', (reply: WorkerReply) => {
      const pending = waiting.get(reply.id)
      if (!pending) return
      waiting.delete(reply.id)
      if (reply.ok && reply.ms !== undefined) longest[pending.op] = Math.max(longest[pending.op] ?? 0, reply.ms)
      if (reply.ok) pending.resolve(reply.value)
      else pending.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name, stack: reply.error.stack }))
    })
    w.on('error', (err) => {
      options.log?.('pull writer failed', err)
      failAll(err instanceof Error ? err : new Error(String(err)))
    })
    w.on('exit', (code) => {
      if (worker === w) worker = null
      if (options.lane) releaseWriterTurn(options.lane)
      failAll(new Error(`the pull writer stopped (exit ${code})`))
    })
    worker = w
    return w
  }
  const call = (op: WorkerRequest['op'], args: unknown[]): Promise<unknown> => {
    if (closed) return Promise.reject(new Error('the desk is closing'))
    const w = ensure()
    const id = nextId++
    return new Promise((resolve, reject) => {
      waiting.set(id, { op, resolve, reject })
      // Referenced while a write is under way, so a script waiting for it does not exit early.
      w.ref()
      w.postMessage({ id, op, args, now: options.now() } satisfies WorkerRequest)
    }).finally(() => {
      if (waiting.size === 0) worker?.unref()
    })
  }

  const writer = {
    offThread: true,
    longest: () => ({ ...longest }),
    warm() {
      if (!closed) ensure()
    },
    async close() {
      if (closed) return
      const w = worker
      if (!w) {
        closed = true
        return
      }
      const done = new Promise<void>((resolve) => w.once('exit', () => resolve()))
      await call('close', []).catch(() => undefined)
      closed = true
      await done
    }
  } as PullWriter
  for (const name of ['applySessions', 'applyParticipations', 'applyAttendance', 'reconcileRoster', 'reconcileAttendance', 'clearPullCursor', 'checkpoint', 'pruneStep'] as const) {
    ;(writer as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => call(name, args)
  }
  return writer
}
