/**
 * A full pull of a conference roster from the loopback fake Wix (in a child process), through the
 * real Wix provider and the real sync engine into a fresh desk, pages of 100.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance as nodePerformance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { DateTime } from 'luxon'
import { openDesk } from '../../src/main/core'
import { createDispatcher } from '../../src/main/ipc/dispatcher'
import { createWixProvider, type WixEvent } from '../../src/main/providers/wix'
import type { SessionRef } from '../../src/main/providers/types'

export interface FakeInfo {
  baseUrl: string
  apiKey: string
  siteId: string
  eventId: string
  namespace: string
  seededMs: number
  rss: number
  historyDays: number
  historyBookings: number
}

export async function startFakeChild(root: string, size: number, day: string, zone: string, delayMs = 0): Promise<{ child: ChildProcess; info: FakeInfo }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test', 'bench', 'fake-wix-child.ts'), String(size), day, zone, String(delayMs)], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit']
  })
  const info = await new Promise<FakeInfo>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the fake Wix did not start within 180 s')), 180_000)
    child.once('exit', (code) => reject(new Error(`the fake Wix exited early (code ${code})`)))
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer)
      child.removeAllListeners('exit')
      resolve(JSON.parse(line) as FakeInfo)
    })
  })
  return { child, info }
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.stdin?.end()
    child.kill('SIGTERM')
  })
}

/** Bytes this process passed to write() and read() so far (Linux /proc/self/io), or null. */
function processIo(): { wchar: number; rchar: number } | null {
  try {
    const text = readFileSync('/proc/self/io', 'utf8')
    const get = (key: string) => Number(new RegExp(`^${key}: (\\d+)`, 'm').exec(text)?.[1] ?? NaN)
    return { wchar: get('wchar'), rchar: get('rchar') }
  } catch {
    return null
  }
}

/**
 * `delayMs`: the fake answers every query that much later (a real service's ~100 ms a page);
 * `measureProvider`: also time the same pages through the provider alone (no database).
 */
export async function benchPull(root: string, dataDir: string, size: number, day: string, zone: string, options: { delayMs?: number; measureProvider?: boolean } = {}) {
  const { child, info } = await startFakeChild(root, size, day, zone, options.delayMs ?? 0)
  const desk = openDesk({ dataDir, env: {}, syncTimerMs: 0, providerTimeoutMs: 60_000 })
  try {
    const dispatch = createDispatcher(desk.handlers, (message, err) => process.stderr.write(`[desk] ${message} ${err instanceof Error ? (err.stack ?? err.message) : String(err ?? "")}\n`))
    const saved = await dispatch('settings.save', { provider: 'wix', wix: { siteId: info.siteId, apiKey: info.apiKey, baseUrl: info.baseUrl, namespace: info.namespace } })
    if (!saved.ok) throw new Error(`settings.save failed: ${JSON.stringify(saved.error)}`)
    await desk.sync.idle()
    // The writer's thread is up (a desk that syncs starts it at once): the pull is timed, not its start.
    await desk.sync.writerReady()
    const sqlite = desk.db.$client

    // The timed part: a first sync of the day, as a new desk does it — the day's sessions, then
    // every roster of the day (here the one conference roster), from the first request to idle.
    const start = DateTime.fromISO(day, { zone })
    const dayPull = { kind: 'day' as const, from: start.toMillis(), to: start.plus({ days: 1 }).toMillis(), timeZone: zone }
    // Check-ins during the pull, on a session of this desk (a walk-in checked in and undone in
    // turn), one every ~25 ms: each is timed from the moment it was due (its timer) to its durable
    // commit, so the time it waited for the pull's synchronous writes to let go is included.
    const dispatchCall = async (name: string, input: unknown) => {
      const answer = await dispatch(name, input)
      if (!answer.ok) throw new Error(`${name} failed: ${JSON.stringify(answer.error)}`)
      return answer.value as { id: number; participationId: number }
    }
    const startsAt = DateTime.fromISO(`${day}T08:00:00`, { zone })
    const desks = await dispatchCall('sessions.create', { title: 'Bench walk-ins', startsAt: startsAt.toUTC().toISO()!, endsAt: startsAt.plus({ hours: 1 }).toUTC().toISO()!, timeZone: zone, capacity: null })
    const walkIn = await dispatchCall('attendance.walkIn', { sessionId: desks.id, name: 'Bench Walk-In', checkIn: false })
    const checkInLatency: number[] = []
    const checkInFailures: string[] = []
    /** Each check-in's time, in parts: its timer fired late (this thread busy), it waited for the writer's transaction (the lane), the rest (its own commit, fsync included). */
    const checkInParts: { late: number; lane: number; rest: number }[] = []
    const rssBeforeMb = process.memoryUsage().rss / 2 ** 20
    let rssPeakMb = rssBeforeMb
    let probing = true
    let checkedIn = false
    const probe = async () => {
      while (probing) {
        const due = performance.now() + 25
        await new Promise((r) => setTimeout(r, 25))
        if (!probing) break
        const input = { sessionId: desks.id, participationId: walkIn.participationId }
        const started = performance.now()
        const waited = desk.lane.waitedMs()
        try {
          await dispatchCall(checkedIn ? 'attendance.undo' : 'attendance.checkIn', checkedIn ? input : { ...input, attendees: 1 })
          checkedIn = !checkedIn
        } catch (err) {
          // A refused check-in is a finding of the run (counted and printed), not the end of it.
          checkInFailures.push(err instanceof Error ? err.message : String(err))
        }
        const ended = performance.now()
        checkInLatency.push(ended - due)
        const lane = desk.lane.waitedMs() - waited
        checkInParts.push({ late: started - due, lane, rest: ended - started - lane })
        rssPeakMb = Math.max(rssPeakMb, process.memoryUsage().rss / 2 ** 20)
      }
    }

    const io0 = processIo()
    const t0 = performance.now()
    const elu0 = nodePerformance.eventLoopUtilization()
    const probing$ = probe()
    // The first page of the roster on the desk: what the window can show (polled on this thread's
    // own connection, as the window's roster.page would read it).
    let firstPageMs: number | null = null
    const anyRow = sqlite.prepare(`SELECT 1 FROM participations WHERE session_id = (SELECT id FROM sessions WHERE provider = 'wix' AND provider_id = ?) LIMIT 1`).pluck()
    const watching = setInterval(() => {
      if (firstPageMs === null && anyRow.get(info.eventId) !== undefined) {
        firstPageMs = performance.now() - t0
        clearInterval(watching)
      }
    }, 5)
    await desk.sync.requestPull(dayPull)
    await desk.sync.idle()
    const pullMs = performance.now() - t0
    clearInterval(watching)
    // Not seen by the poll (a very quick pull): at the latest when the pull ended.
    if (firstPageMs === null && anyRow.get(info.eventId) !== undefined) firstPageMs = pullMs
    const io1 = processIo()
    const writtenBytes = io0 && io1 ? io1.wchar - io0.wchar : null
    probing = false
    await probing$
    // This process's event loop during the pull: busy = applying pages, parsing, mapping (all
    // synchronous); idle = waiting for the fake Wix to answer.
    const elu = nodePerformance.eventLoopUtilization(elu0)
    const status = desk.sync.status()
    // The longest write of each kind on the writer's thread: what a check-in may have waited for.
    const writerLongestMs = desk.sync.writerLongest()
    const sessionId = sqlite.prepare('SELECT id FROM sessions WHERE provider = ? AND provider_id = ?').pluck().get('wix', info.eventId) as number | undefined
    if (sessionId === undefined) throw new Error(`the day pull did not bring the event: ${JSON.stringify(status)}`)
    const rows = sqlite.prepare('SELECT count(*) FROM participations WHERE session_id = ?').pluck().get(sessionId) as number
    const marks = sqlite.prepare('SELECT count(*) FROM attendance WHERE session_id = ?').pluck().get(sessionId) as number

    // The same again: nothing changed on Wix, so nothing is rewritten.
    const t2 = performance.now()
    await desk.sync.requestPull({ kind: 'session', sessionId })
    await desk.sync.idle()
    const repullMs = performance.now() - t2

    // The pull alone (a slow service's run): neither history nor the provider alone is timed.
    if (options.measureProvider === false) {
      return { history: null, pullMs, firstPageMs, busyMs: elu.active, idleMs: elu.idle, repullMs, rows, marks, pages: Math.ceil(rows / 100), fetched: rows, providerOnlyMs: null, lastError: status.errors.length ? JSON.stringify(status.errors) : null, seededMs: info.seededMs, fakeRss: info.rss, checkInLatency, checkInParts, checkInFailures, writerLongestMs, writtenBytes, rssBeforeMb, rssPeakMb }
    }

    // A first pull's history: the past 60 days of a Bookings class (four a day, 25 bookings each),
    // as a new desk's first day pull brings it after the day itself (timed on its own here).
    const historyRange = { from: start.minus({ days: info.historyDays }).toMillis(), to: start.toMillis() }
    const th = performance.now()
    await desk.sync.requestPull({ ...dayPull, rosters: false, history: () => historyRange })
    await desk.sync.idle()
    const historyMs = performance.now() - th
    const historySessions = sqlite.prepare(`SELECT count(*) FROM sessions WHERE starts_at >= ? AND starts_at < ?`).pluck().get(historyRange.from, historyRange.to) as number
    const historyBookings = sqlite
      .prepare(`SELECT count(*) FROM participations p JOIN sessions s ON s.id = p.session_id WHERE s.starts_at >= ? AND s.starts_at < ?`)
      .pluck()
      .get(historyRange.from, historyRange.to) as number
    const historyMarks = sqlite
      .prepare(`SELECT count(*) FROM attendance a JOIN sessions s ON s.id = a.session_id WHERE s.starts_at >= ? AND s.starts_at < ?`)
      .pluck()
      .get(historyRange.from, historyRange.to) as number

    // The same pages through the provider alone (HTTP, the fake, JSON, mapping; no database).
    const provider = createWixProvider({ baseUrl: info.baseUrl, siteId: info.siteId, apiKey: info.apiKey, namespace: info.namespace, timeoutMs: 60_000 })
    const row = sqlite
      .prepare('SELECT id, provider_id AS providerId, schedule_id AS scheduleId, kind, time_zone AS timeZone, raw FROM sessions WHERE id = ?')
      .get(sessionId) as Omit<SessionRef, 'raw'> & { raw: string }
    const ref: SessionRef<WixEvent> = { ...row, raw: JSON.parse(row.raw) as WixEvent }
    const t1 = performance.now()
    let fetched = 0
    let pages = 0
    for await (const page of provider.pullRoster(ref)) {
      fetched += page.length
      pages++
    }
    const providerOnlyMs = performance.now() - t1
    return { history: { ms: historyMs, sessions: historySessions, bookings: historyBookings, marks: historyMarks, seeded: info.historyBookings }, pullMs, firstPageMs, busyMs: elu.active, idleMs: elu.idle, repullMs, rows, marks, pages, fetched, providerOnlyMs, lastError: status.errors.length ? JSON.stringify(status.errors) : null, seededMs: info.seededMs, fakeRss: info.rss, checkInLatency, checkInParts, checkInFailures, writerLongestMs, writtenBytes, rssBeforeMb, rssPeakMb }
  } finally {
    await desk.sync.stop()
    desk.close()
    await stopChild(child)
  }
}
