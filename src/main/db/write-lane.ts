/**
 * Who writes next, when the desk's thread and the pull's writer thread (sync/pull-worker.ts) share
 * one database: the desk's writes (a check-in, an undo, a walk-in) go first.
 *
 * Why not only SQLite's busy timeout: a connection that finds the write lock taken sleeps 1, 2, 5,
 * 10, 15, 20… ms between tries, whatever the other side does. A check-in that came 1 ms into an
 * 8 ms pull transaction tried at 1, 3 and 8 ms (just too early) and then at 18 ms: the sleeps, not
 * the pull's work, were most of its wait (p95 23 ms at 100,000 people). Here the two threads tell
 * each other instead, through two shared cells:
 * - WANT: the desk has a write to make. The writer thread starts no transaction while it is set.
 * - HELD: the writer thread is in a transaction. The desk waits for it to clear (Atomics.wait: woken
 *   the moment the writer commits, not at the next sleep's end), then takes the lock at once.
 * Each side sets its own cell before reading the other's (sequentially consistent atomics), so the
 * two can never both go ahead; at worst one of them waits on SQLite's lock as before. SQLite's
 * lock stays the guarantee: the lane only decides who asks first, and every wait here is bounded
 * (a stuck side falls back to busy_timeout), so a bug in it can slow a write, never lose one.
 */
import type Database from 'better-sqlite3'

const WANT = 0
const HELD = 1

/** The shared cells; created by the desk, handed to the writer thread in its workerData. */
export function createWriteLane(): SharedArrayBuffer {
  return new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)
}

export interface LaneSide {
  /** Runs one write transaction in its turn. */
  run<T>(write: () => T): T
}

/** Waits while `cells[at]` holds `value`, at most until `until` (performance.now()); true if it changed. */
function waitWhile(cells: Int32Array, at: number, value: number, until: number): boolean {
  for (;;) {
    if (Atomics.load(cells, at) !== value) return true
    const left = until - performance.now()
    if (left <= 0) return false
    Atomics.wait(cells, at, value, left)
  }
}

export interface DeskLaneSide extends LaneSide {
  /** The writer thread is in a transaction (tests and the bench look). */
  writerBusy(): boolean
  /** How long the desk's writes have waited for the writer thread, in all (the bench's cause of a wait). */
  waitedMs(): number
}

/**
 * The desk's side: announces its write, waits for the writer thread's transaction under way (at
 * most `waitMs`, then SQLite's busy timeout takes over) and writes.
 */
export function deskSide(lane: SharedArrayBuffer, waitMs = 1000): DeskLaneSide {
  const cells = new Int32Array(lane)
  let waitedMs = 0
  return {
    writerBusy: () => Atomics.load(cells, HELD) === 1,
    waitedMs: () => waitedMs,
    run(write) {
      Atomics.add(cells, WANT, 1)
      try {
        const asked = performance.now()
        waitWhile(cells, HELD, 1, asked + waitMs)
        waitedMs += performance.now() - asked
        return write()
      } finally {
        if (Atomics.sub(cells, WANT, 1) === 1) Atomics.notify(cells, WANT)
      }
    }
  }
}

export interface WriterLaneSide extends LaneSide {
  /** The desk has a write waiting: a transaction under way ends at its next safe point. */
  wanted(): boolean
}

/**
 * The writer thread's side: starts a transaction only while the desk wants none (waiting at most
 * `waitMs` for it: a burst of check-ins never starves the download for good), and says when it ends.
 */
export function writerSide(lane: SharedArrayBuffer, waitMs = 250): WriterLaneSide {
  const cells = new Int32Array(lane)
  return {
    wanted: () => Atomics.load(cells, WANT) > 0,

    run(write) {
      const until = performance.now() + waitMs
      for (;;) {
        const wanted = Atomics.load(cells, WANT)
        if (wanted > 0 && waitWhile(cells, WANT, wanted, until)) continue
        Atomics.store(cells, HELD, 1)
        // The desk may have asked between the look above and the store: it goes first.
        if (Atomics.load(cells, WANT) > 0 && performance.now() < until) {
          Atomics.store(cells, HELD, 0)
          Atomics.notify(cells, HELD)
          continue
        }
        break
      }
      try {
        return write()
      } finally {
        Atomics.store(cells, HELD, 0)
        Atomics.notify(cells, HELD)
      }
    }
  }
}

/**
 * The writer thread is gone (it exited, or was stopped mid-transaction, where its own release never
 * ran): its turn is given back, or every desk write would wait the whole `waitMs` for it. SQLite
 * rolled its transaction back with its connection.
 */
export function releaseWriterTurn(lane: SharedArrayBuffer): void {
  const cells = new Int32Array(lane)
  Atomics.store(cells, HELD, 0)
  Atomics.notify(cells, HELD)
}

type Transaction = ReturnType<Database.Database['transaction']>

/**
 * Puts every transaction this connection makes through `sqlite.transaction(...)` (all its variants)
 * in the lane, so no write path can forget it. A transaction nested in another (a savepoint) is
 * already in its turn.
 */
export function writeInLane(sqlite: Database.Database, side: LaneSide): void {
  const make = sqlite.transaction.bind(sqlite)
  const inTurn = <T>(write: () => T): T => (sqlite.inTransaction ? write() : side.run(write))
  sqlite.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const tx = make(fn)
    const guarded = ((...args: unknown[]) => inTurn(() => tx(...args))) as Transaction
    for (const variant of ['default', 'deferred', 'immediate', 'exclusive'] as const) {
      guarded[variant] = (...args: unknown[]) => inTurn(() => tx[variant](...args))
    }
    return guarded
  }) as Database.Database['transaction']
}
