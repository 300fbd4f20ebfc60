/**
 * The desk's core services in plain Node (no `electron` import), wired to the contract's handlers.
 * Electron main and the web transport both open a desk through here.
 */
import { join } from 'node:path'
import type { DeskInfo, KioskStatus, RosterRow, SessionCounts } from '../../shared/contract'
import { openDatabase, type Db, type MigrationReport } from '../db'
import { createRosterExport } from '../export'
import type { Handlers } from '../ipc/dispatcher'
import { createLocalImport, createLocalProvider } from '../providers/local'
import type { Provider } from '../providers/types'
import { createPlandocketProvider } from '../providers/plandocket'
import { RequestBudget } from '../providers/budget'
import { createRosterWatch } from './watch'
import { createWixProvider } from '../providers/wix'
import { createFileSecretBox, createNodeSettingsStore, createSettings, type KeyValueStore, type SecretBox, type StoredSettings } from '../settings'
import { createOutbox, createReplica, createSyncEngine, type BackoffPolicy, type PullRequest } from '../sync'
import { DateTime } from 'luxon'
import { createAttendanceService } from './attendance'
import { createContext, type CoreContext } from './context'
import { createHistory } from './history'
import { createKiosk, maskEmail, maskPhone, type Kiosk } from './kiosk'
import { createScanner } from './scan'
import { createRosterService } from './roster'
import { createSessionService } from './sessions'
import { createPersonHistory } from '../history'
import { createHistoryPulled } from '../history/pulled'

import { DeskError } from './errors'
import { createPrintHandlers, createPrintService, type PrintService } from '../print'

export { DeskError }
export { foldText, toFtsQuery } from './text'

export const VERSION = '0.1.0'

export interface DeskOptions {
  dataDir: string
  nativeBinding?: string
  /** Injected clock (tests). */
  now?: () => number
  /** Where settings and secrets live; plain-Node defaults in the data dir. */
  settingsStore?: KeyValueStore
  secretBox?: SecretBox
  env?: NodeJS.ProcessEnv
  /** Sync: background timer period (0 = only on triggers) and backoff policy (tests). */
  syncTimerMs?: number
  backoff?: BackoffPolicy
  /** Client timeout for provider requests. */
  providerTimeoutMs?: number
  /** How often the day on screen is fully downloaded again on the desk's own (0 = never; tests). */
  reconcileMs?: number
  log?: (message: string, err?: unknown) => void
  /** Told when kiosk mode starts or ends (Electron makes the window a full-screen kiosk). */
  onKioskChange?: (status: KioskStatus) => void
}

/** How long a pulled day or roster counts as fresh before reading it asks for another pull. */
const DAY_FRESH_MS = 60_000
const ROSTER_FRESH_MS = 30_000
/**
 * The day on screen is downloaded again at least this often even when the window asks for nothing
 * (hidden, minimised, throttled): every download is complete, so it also takes away what was
 * deleted in the booking system, which no "changed since" answer reports (see the README).
 */
export const RECONCILE_MS = 5 * 60_000
/** With a request budget (Plandocket): the day's events and a whole roster every 20 minutes. */
const BUDGETED_FRESH_MS = 20 * 60_000

export interface Desk {
  handlers: Handlers
  info: DeskInfo
  db: Db
  context: CoreContext
  migrations: MigrationReport
  sync: ReturnType<typeof createSyncEngine>
  kiosk: Kiosk
  /** Badges, sheets and paper marks (the carriers print its documents). */
  print: PrintService
  close(): void
}

export const DATABASE_FILE = 'rollcall.sqlite'

export function openDesk(options: DeskOptions): Desk {
  const { db, migrations } = openDatabase(join(options.dataDir, DATABASE_FILE), { nativeBinding: options.nativeBinding })
  const ctx = createContext(db, { now: options.now })
  const now = ctx.now
  const sessions = createSessionService(ctx)
  const roster = createRosterService(ctx, sessions)
  const attendance = createAttendanceService(ctx, sessions, roster)
  const localImport = createLocalImport(ctx, sessions)
  const exporter = createRosterExport(db)
  const store = options.settingsStore ?? createNodeSettingsStore(options.dataDir)
  const settings = createSettings(store, options.secretBox ?? createFileSecretBox(options.dataDir), options.env ?? process.env)
  const kiosk = createKiosk(store, now, options.onKioskChange)
  const scanner = createScanner(ctx, sessions, roster, attendance)
  const history = createHistory(ctx, sessions)
  const personHistory = createPersonHistory(ctx)
  const historyPulled = createHistoryPulled(ctx)
  const print = createPrintService(ctx, sessions, roster, attendance)

  // Closing the desk stops every provider request, sent or not yet sent.
  const closing = new AbortController()
  // One count of the hour's requests for the desk, whichever provider object is current.
  const budget = new RequestBudget(now)
  // The provider follows the settings; rebuilt only when they change.
  let provider: Provider | null = null
  let providerKey = ''
  const buildProvider = (s: StoredSettings): Provider | null => {
    if (s.provider === 'wix' && s.wix.apiKey && s.wix.siteId) {
      return createWixProvider({
        baseUrl: s.wix.baseUrl,
        siteId: s.wix.siteId,
        apiKey: s.wix.apiKey,
        namespace: s.wix.namespace,
        timeoutMs: options.providerTimeoutMs,
        signal: closing.signal,
        onServerDate: (server, local) => engine.noteServerDate(server, local)
      })
    }
    if (s.provider === 'plandocket' && s.plandocket.apiKey && s.plandocket.baseUrl) {
      budget.perHour = s.plandocket.requestsPerHour
      return createPlandocketProvider({
        baseUrl: s.plandocket.baseUrl,
        apiKey: s.plandocket.apiKey,
        showHidden: s.plandocket.showHidden,
        budget,
        now,
        timeoutMs: options.providerTimeoutMs,
        signal: closing.signal,
        onServerDate: (server, local) => engine.noteServerDate(server, local)
      })
    }
    return null
  }
  const currentProvider = (): Provider | null => {
    const s = settings.current()
    const key = JSON.stringify(s)
    if (key !== providerKey) {
      providerKey = key
      provider = buildProvider(s)
    }
    return provider
  }

  const outbox = createOutbox(db, now)
  const replica = createReplica(db, now)
  const engine = createSyncEngine({
    outbox,
    replica,
    provider: currentProvider,
    local: createLocalProvider(),
    atomically: (fn) => db.$client.transaction(fn)(),
    desk: { deskId: ctx.deskId, deskName: ctx.deskName },
    now,
    backoff: options.backoff,
    timerMs: options.syncTimerMs,
    log: options.log,
    onHistoryPulled: (_provider, range) => historyPulled.pulled(settings.current(), range)
  })

  // Reading a day or a roster asks for a fresh copy in the background: the desk never waits.
  const pulledAt = new Map<string, number>()
  let lastDay: PullRequest | null = null
  const pullIfStale = (key: string, freshMs: number, request: PullRequest) => {
    const p = currentProvider()
    if (!p) return
    // A provider with an hourly request limit: the day's events and whole rosters less often, and
    // the open roster's check-ins by a cheap poll of their own (see watch.ts).
    if (p.requestBudget) {
      freshMs = Math.max(freshMs, BUDGETED_FRESH_MS)
      if (request.kind === 'day') request = { ...request, rosters: false }
    }
    const at = pulledAt.get(key)
    if (at !== undefined && now() - at < freshMs) return
    pulledAt.set(key, now())
    void engine.requestPull(request)
  }
  const dayRequest = (date: string, timeZone: string): PullRequest => {
    const start = DateTime.fromISO(date, { zone: timeZone }).startOf('day')
    // The desk's past (attendance history) comes along with today, never with another day.
    const today = date === DateTime.fromMillis(now(), { zone: timeZone }).toISODate()
    const history = () => historyPulled.rangeFor(settings.current(), start)
    return { kind: 'day', from: start.toMillis(), to: start.plus({ days: 1 }).toMillis(), timeZone, ...(today ? { history } : {}) }
  }
  const masked = (row: RosterRow): RosterRow => ({
    ...row,
    email: row.email && maskEmail(row.email),
    phone: row.phone && maskPhone(row.phone)
  })
  /** Rows answered to a self-service kiosk never carry contact details. */
  const kioskRow = (row: RosterRow): RosterRow => (kiosk.selfService() ? masked(row) : row)
  const marked = <T>(row: T): T => {
    void engine.trigger('mark')
    return row
  }

  const info: DeskInfo = { deskId: ctx.deskId, deskName: ctx.deskName, provider: settings.current().provider, version: VERSION }

  const handlers: Handlers = {
    'desk.info': () => ({ ...info, provider: settings.current().provider }),
    'sessions.forDay': ({ date, timeZone }) => {
      lastDay = dayRequest(date, timeZone)
      pullIfStale(`day:${date}:${timeZone}`, DAY_FRESH_MS, lastDay)
      return { sessions: sessions.forDay(date, timeZone) }
    },
    'sessions.get': ({ sessionId }) => sessions.get(sessionId),
    'sessions.create': (input) => sessions.create(input),
    'roster.page': (input) => {
      watch.viewing(input.sessionId)
      if (input.offset === 0) pullIfStale(`session:${input.sessionId}`, ROSTER_FRESH_MS, { kind: 'session', sessionId: input.sessionId })
      if (kiosk.selfService()) {
        // Self-service: nobody browses the list; a person finds themselves by typing their name.
        if (input.search.trim().length < 3) return { total: 0, rows: [] }
        const page = roster.page(input)
        return { ...page, rows: page.rows.map(masked) }
      }
      return roster.page(input)
    },
    'roster.counts': ({ sessionId }) => sessions.counts(sessions.require(sessionId)),
    'attendance.checkIn': (input) => kioskRow(marked(attendance.checkIn(input))),
    'attendance.undo': (input) => kioskRow(marked(attendance.undo(input))),
    'attendance.checkOut': (input) => kioskRow(marked(attendance.checkOut(input))),
    'attendance.noShow': (input) => {
      kiosk.requireAdmin('mark no-shows')
      return marked(attendance.noShow(input))
    },
    'attendance.walkIn': (input) => kioskRow(marked(attendance.walkIn(input))),
    'attendance.confirm': (input) => kioskRow(marked(attendance.confirm(input))),
    'attendance.scan': (input) => {
      const result = scanner.scan(input)
      if (result.outcome === 'checked_in' || result.outcome === 'checked_out') void engine.trigger('mark')
      return { ...result, row: result.row && kioskRow(result.row) }
    },
    'sessions.close': ({ sessionId }) => {
      kiosk.requireAdmin('close a session')
      const { marked: count } = marked(attendance.closeSession({ sessionId }))
      return { marked: count, counts: sessions.counts(sessions.require(sessionId)) }
    },
    'stats.session': ({ sessionId, slotMinutes }) => ({
      counts: sessions.counts(sessions.require(sessionId)),
      arrivals: history.arrivals(sessionId, slotMinutes)
    }),
    'stats.day': ({ date, timeZone }) => {
      const day = sessions.forDay(date, timeZone)
      const totals: SessionCounts = { arrivedPeople: 0, expectedPeople: 0, capacity: null, participations: 0, checkedIn: 0, insideNow: 0, noShows: 0, pendingConfirmations: 0 }
      for (const s of day) {
        for (const key of ['arrivedPeople', 'expectedPeople', 'participations', 'checkedIn', 'insideNow', 'noShows', 'pendingConfirmations'] as const) totals[key] += s.counts[key]
        if (s.counts.capacity !== null) totals.capacity = (totals.capacity ?? 0) + s.counts.capacity
      }
      return { sessions: day, totals }
    },
    'audit.list': (input) => {
      kiosk.requireAdmin('see the audit log')
      return { entries: history.audit(input) }
    },
    'kiosk.status': () => kiosk.status(),
    'kiosk.enter': ({ selfService }) => kiosk.enter(selfService),
    'kiosk.exit': ({ pin }) => kiosk.exit(pin),
    'kiosk.verifyPin': ({ pin }) => kiosk.verify(pin),
    'kiosk.setPin': ({ currentPin, newPin }) => {
      kiosk.requireAdmin('change the PIN')
      return kiosk.setPin(currentPin, newPin)
    },
    'import.preview': (input) => {
      kiosk.requireAdmin('import a roster')
      return localImport.preview(input)
    },
    'import.commit': (input) => {
      kiosk.requireAdmin('import a roster')
      return localImport.commit(input)
    },
    'export.roster': (input) => {
      kiosk.requireAdmin('export a roster')
      if ('sessionId' in input) return exporter.session(sessions.require(input.sessionId), input.columns, input.language)
      return exporter.sessions(input.date, sessions.forDay(input.date, input.timeZone).map((s) => s.id), input.columns, input.language)
    },
    'sync.status': () => engine.status(),
    'sync.now': () => {
      pulledAt.clear()
      if (lastDay) void engine.requestPull(lastDay)
      void engine.trigger('manual')
      return engine.status()
    },
    'sync.problems': () => ({ problems: engine.problems() }),
    'sync.resolve': ({ opId, choice }) => {
      kiosk.requireAdmin('resolve sync problems')
      const op = outbox.get(opId)
      if (!op || (op.state !== 'rejected' && op.state !== 'conflict')) {
        throw DeskError.because('not_found', { reason: 'problem_resolved', params: {} }, 'That sync problem is already resolved.')
      }
      // Sending an older mark again would overwrite the newer one the desk made since.
      if (choice !== 'discard' && outbox.supersededBy(opId)) {
        throw DeskError.because('refused', { reason: 'problem_superseded', params: {} }, 'A later mark for this person replaced this one: discard it.')
      }
      if (choice === 'discard') {
        outbox.discard(opId)
        // The booking system's version is the truth again: fetch it.
        if (op.sessionId !== null) void engine.requestPull({ kind: 'session', sessionId: op.sessionId })
      } else outbox.requeue(opId, choice === 'mine')
      void engine.trigger('manual')
      return engine.status()
    },
    'settings.get': () => {
      kiosk.requireAdmin('open set-up')
      return settings.view(ctx.deskName)
    },
    'settings.save': (input) => {
      kiosk.requireAdmin('change set-up')
      const candidate = settings.merged(input)
      if (candidate.provider === 'wix' && !candidate.wix.apiKey) {
        throw DeskError.because('invalid_input', { reason: 'api_key_needed', params: { provider: 'wix' } }, 'Enter the Wix API key.', [{ path: 'wix.apiKey', message: 'required' }])
      }
      if (candidate.provider === 'plandocket' && !candidate.plandocket.apiKey) {
        throw DeskError.because('invalid_input', { reason: 'api_key_needed', params: { provider: 'plandocket' } }, 'Enter the Plandocket API key.', [
          { path: 'plandocket.apiKey', message: 'required' }
        ])
      }
      settings.save(input)
      pulledAt.clear()
      if (lastDay) void engine.requestPull(lastDay)
      void engine.trigger('settings')
      return settings.view(ctx.deskName)
    },
    'settings.testConnection': async (input) => {
      kiosk.requireAdmin('test the connection')
      const candidate = settings.merged(input)
      if (candidate.provider === 'local') return { ok: true, reason: 'local_needs_no_connection', params: {}, message: 'Local-only mode needs no connection.' }
      if (candidate.provider === 'wix' && !candidate.wix.apiKey) {
        return { ok: false, reason: 'api_key_needed', params: { provider: 'wix' }, message: 'Enter the API key.' }
      }
      if (candidate.provider === 'plandocket' && !candidate.plandocket.apiKey) {
        return { ok: false, reason: 'api_key_needed', params: { provider: 'plandocket' }, message: 'Enter the API key.' }
      }
      if (candidate.provider === 'plandocket' && !candidate.plandocket.baseUrl) {
        return { ok: false, reason: 'tenant_address_needed', params: {}, message: 'Enter the tenant address, e.g. https://yourname.plandocket.com/api/v1.' }
      }
      const p = buildProvider(candidate)
      if (!p) return { ok: false, reason: 'connection_incomplete', params: {}, message: 'Fill in every field of the connection first.' }
      return p.testConnection()
    },

    // Attendance history (issue 20). A self-service kiosk shows nobody's history (privacy).
    'history.people': ({ sessionId, participationIds }) => {
      sessions.require(sessionId)
      if (kiosk.selfService()) return { people: participationIds.map(() => null) }
      return { people: personHistory.people(participationIds, sessionId) }
    },
    'history.person': ({ sessionId, participationId }) => {
      sessions.require(sessionId)
      return kiosk.selfService() ? null : personHistory.person(participationId, sessionId)
    },
    'history.series': ({ sessionId, days }) => {
      sessions.require(sessionId)
      if (kiosk.selfService()) return { seriesName: '', days, sessions: [], repeated: [] }
      return personHistory.series(sessionId, days)
    },
    'history.noShowsCsv': ({ sessionId, days, language, timeZone }) => {
      kiosk.requireAdmin('export a roster')
      sessions.require(sessionId)
      return personHistory.noShowsCsv(sessionId, days, language, timeZone)
    },
    ...createPrintHandlers(print, kiosk, () => void engine.trigger('mark'))
  }

  const watch = createRosterWatch({
    now,
    poll: (sessionId) => {
      const p = currentProvider()
      if (!p?.requestBudget) return null
      void engine.requestPull({ kind: 'attendance', sessionId })
      return p.requestBudget.pollIntervalMs()
    }
  })

  void engine.trigger('start')
  let lastBudgetedReconcile = now()
  const reconcileMs = options.reconcileMs ?? RECONCILE_MS
  const reconcile =
    reconcileMs > 0
      ? setInterval(() => {
          const p = currentProvider()
          if (!lastDay || !p) return
          // Within a request budget (Plandocket) the day's events only, every 20 minutes: the open
          // roster is downloaded whole on that pace too, and polled for check-ins in between.
          if (p.requestBudget) {
            if (now() - lastBudgetedReconcile < BUDGETED_FRESH_MS) return
            lastBudgetedReconcile = now()
            void engine.requestPull({ ...lastDay, rosters: false })
          } else void engine.requestPull(lastDay)
        }, reconcileMs)
      : null
  reconcile?.unref?.()

  return {
    handlers,
    info,
    db,
    context: ctx,
    migrations,
    sync: engine,
    kiosk,
    print,
    close: () => {
      if (reconcile) clearInterval(reconcile)
      watch.stop()
      closing.abort()
      void engine.stop()
      db.$client.close()
    }
  }
}
