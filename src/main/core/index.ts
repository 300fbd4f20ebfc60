/**
 * The desk's core services in plain Node (no `electron` import), wired to the contract's handlers.
 * Electron main and the web transport both open a desk through here.
 */
import { LOCAL_PROVIDER } from '../../shared/contract/constants'
import { join } from 'node:path'
import { contract, type CallSpec, type DeskInfo, type KioskStatus } from '../../shared/contract'
import { createWriteLane, deskSide, openDatabase, writeInLane, type Db, type DeskLaneSide, type MigrationReport } from '../db'
import { createRosterExport } from '../export'
import type { Handlers } from '../ipc/dispatcher'
import { exportHandlers } from '../export/handlers'
import { createLocalImport, createLocalProvider } from '../providers/local'
import { importHandlers } from '../providers/local/handlers'
import { RequestBudget } from '../providers/budget'
import { createProviderSource, type ProviderDeps } from '../providers/registry'
import { createRosterWatch } from './watch'
import { createFileSecretBox, createNodeSettingsStore, createSettings, type KeyValueStore, type SecretBox } from '../settings'
import { settingsHandlers } from '../settings/handlers'
import { createOutbox, createReplica, createSyncEngine, createWorkerWriter, type BackoffPolicy } from '../sync'
import { createFreshness } from '../sync/freshness'
import { syncHandlers } from '../sync/handlers'
import { createAttendanceService, type AttendanceService } from './attendance'
import { createLanStore, type LanStore } from '../lan/store'
import { createLanDesk, lanPort, type LanDesk } from '../lan/desk'
import { lanHandlers } from '../lan/handlers'
import { createBonjourDiscovery, type Discovery } from '../lan/discovery'
import { attendanceHandlers } from './attendance.handlers'
import { createContext, type CoreContext } from './context'
import { createAuditLog } from './audit'
import { statsHandlers } from './stats.handlers'
import { createDeskEvents, type DeskEvents } from './events'
import { createKiosk, maskRow, type Kiosk } from './kiosk'
import { kioskHandlers } from './kiosk.handlers'
import type { DeskParts } from './parts'
import { rosterHandlers } from './roster.handlers'
import { scanHandlers } from './scan.handlers'
import { sessionHandlers } from './sessions.handlers'
import { createScanner } from './scan'
import { createRosterService } from './roster'
import { createSessionService } from './sessions'
import { createPersonHistory } from '../history'
import { createHistoryPulled } from '../history/pulled'
import { personHistoryHandlers } from '../history/handlers'

import { DeskError } from './errors'
import { createPrintHandlers, createPrintService, type PrintService } from '../print'

export { DeskError }
export { foldText, toFtsQuery } from './text'

export const VERSION = '0.1.0'

export interface DeskOptions {
  dataDir: string
  nativeBinding?: string
  /** Another migrations folder (tests of a future release's migration). */
  migrationsFolder?: string
  /** Injected clock (tests). */
  now?: () => number
  /** This desk's name for this run (tests with several desks; otherwise the stored name). */
  deskName?: string
  /** Where settings and secrets live; plain-Node defaults in the data dir. */
  settingsStore?: KeyValueStore
  secretBox?: SecretBox
  /** LAN sharing's store (default: lan.json in the data dir). */
  lanStore?: LanStore
  /** DNS-SD for LAN sharing (default: bonjour-service, unless ROLLCALL_MDNS=off; null: none). */
  lanDiscovery?: Discovery | null
  /** Where a sharing desk listens (default: ROLLCALL_LAN_HOST or every interface, ROLLCALL_LAN_PORT or a free port). */
  lanListen?: { host: string; port: number }
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

export { RECONCILE_MS } from '../sync/freshness'

export interface Desk {
  handlers: Handlers
  info: DeskInfo
  db: Db
  context: CoreContext
  migrations: MigrationReport
  sync: ReturnType<typeof createSyncEngine>
  /** The marks (a LAN hub applies its members' through it). */
  attendance: AttendanceService
  /** LAN sharing's stored state (lan.json). */
  lan: LanStore
  /** LAN sharing as the window drives it: share this desk, or join another. */
  lanDesk: LanDesk
  kiosk: Kiosk
  /** What changed, as it happens: Electron sends it to the window, the web desk streams it. */
  events: DeskEvents
  /** Badges, sheets and paper marks (the carriers print its documents). */
  print: PrintService
  /** The desk's side of the write lane it shares with the pull's writer thread (db/write-lane.ts). */
  lane: DeskLaneSide
  close(): void
}

export const DATABASE_FILE = 'rollcall.sqlite'

/** Calls the contract marks `admin` ask the kiosk for a fresh PIN before their handler runs. */
function guardAdmin(handlers: Handlers, kiosk: Kiosk): Handlers {
  const guarded: Record<string, (input: unknown) => unknown> = { ...(handlers as unknown as Record<string, (input: unknown) => unknown>) }
  for (const [name, spec] of Object.entries(contract) as [keyof Handlers, CallSpec][]) {
    const action = spec.admin
    if (!action) continue
    const when = spec.adminWhen as ((input: unknown) => boolean) | undefined
    const handler = handlers[name] as (input: unknown) => unknown
    guarded[name] = (input) => {
      if (!when || when(input)) kiosk.requireAdmin(action)
      return handler(input)
    }
  }
  return guarded as unknown as Handlers
}

export function openDesk(options: DeskOptions): Desk {
  const file = join(options.dataDir, DATABASE_FILE)
  const { db, migrations } = openDatabase(file, { nativeBinding: options.nativeBinding, migrationsFolder: options.migrationsFolder })
  // The desk's writes go before the pull's (db/write-lane.ts): a check-in never queues behind a download.
  const lane = createWriteLane()
  const laneSide = deskSide(lane)
  writeInLane(db.$client, laneSide)
  const ctx = createContext(db, { now: options.now, ...(options.deskName ? { deskName: options.deskName } : {}) })
  const now = ctx.now
  const sessions = createSessionService(ctx)
  const roster = createRosterService(ctx, sessions)
  const attendance = createAttendanceService(ctx, sessions, roster)
  const localImport = createLocalImport(ctx, sessions)
  const exporter = createRosterExport(db)
  const store = options.settingsStore ?? createNodeSettingsStore(options.dataDir)
  const secrets = options.secretBox ?? createFileSecretBox(options.dataDir)
  const settings = createSettings(store, secrets, options.env ?? process.env)
  // LAN sharing's file (lan.json): the hub provider reads the hub this desk joined from it.
  const lan = options.lanStore ?? createLanStore(options.dataDir, secrets)
  const kiosk = createKiosk(store, now, options.onKioskChange)
  const scanner = createScanner(ctx, sessions, roster, attendance)
  const audit = createAuditLog(ctx, sessions)
  const personHistory = createPersonHistory(ctx)
  const historyPulled = createHistoryPulled(ctx)
  const print = createPrintService(ctx, sessions, roster, attendance)

  const outbox = createOutbox(db, now)
  const replica = createReplica(db, now)
  // Closing the desk stops every provider request, sent or not yet sent.
  const closing = new AbortController()
  const providerDeps: ProviderDeps = {
    budget: new RequestBudget(now),
    signal: closing.signal,
    now,
    timeoutMs: options.providerTimeoutMs,
    onServerDate: (server, local) => engine.noteServerDate(server, local),
    lan
  }
  const provider = createProviderSource(() => settings.current(), providerDeps)
  // What changed, told to the window as it happens (engine.status is read only when sending).
  const events = createDeskEvents({
    status: () => engine.status(),
    row: (sessionId, participationId) => {
      const row = roster.rowIfPresent(sessionId, participationId)
      return row && kiosk.selfService() ? maskRow(row) : row
    },
    log: options.log
  })
  // Downloads and retention write from a worker thread with its own connection (sync/writer.ts).
  const writer = createWorkerWriter({ file, nativeBinding: options.nativeBinding, lane, now, log: options.log })
  const engine = createSyncEngine({
    notify: events,
    outbox,
    replica,
    provider,
    writer,
    retentionDays: () => settings.retentionDays(),
    local: createLocalProvider(),
    atomically: (fn) => db.$client.transaction(fn).immediate(),
    desk: { deskId: ctx.deskId, deskName: ctx.deskName },
    // A hub forwards its members' marks under their names, as they paired (lan.json).
    deskNameOf: (deskId) => lan.read().hub?.members.find((m) => m.deskId === deskId)?.deskName ?? null,
    now,
    backoff: options.backoff,
    timerMs: options.syncTimerMs,
    log: options.log,
    onHistoryPulled: (_provider, range) => historyPulled.pulled(settings.current(), range)
  })
  // A provider with an hourly request limit polls the open roster's check-ins on its own pace.
  const watch = createRosterWatch({
    now,
    poll: (sessionId) => {
      const p = provider()
      if (!p?.requestBudget) return null
      void engine.requestPull({ kind: 'attendance', sessionId })
      return p.requestBudget.pollIntervalMs()
    }
  })
  const freshness = createFreshness({
    engine,
    provider,
    now,
    reconcileMs: options.reconcileMs,
    shown: () => events.listening(),
    onRosterShown: (sessionId) => watch.viewing(sessionId),
    historyBefore: (start) => historyPulled.rangeFor(settings.current(), start)
  })

  const info: DeskInfo = { deskId: ctx.deskId, deskName: ctx.deskName, provider: settings.current().provider, version: VERSION }
  const isMember = () => lan.read().membership !== null
  const parts: DeskParts = { events, ctx, info, sessions, roster, attendance, scanner, audit, personHistory, kiosk, localImport, exporter, settings, outbox, engine, freshness, watch, provider, providerDeps, isMember }
  const handlers = guardAdmin(
    {
      ...sessionHandlers(parts),
      ...rosterHandlers(parts),
      ...attendanceHandlers(parts),
      ...scanHandlers(parts),
      ...statsHandlers(parts),
      ...kioskHandlers(parts),
      ...importHandlers(parts),
      ...exportHandlers(parts),
      ...syncHandlers(parts),
      ...settingsHandlers(parts),
      ...personHistoryHandlers(parts),
      ...createPrintHandlers(print, () => void engine.trigger('mark')),
      // The LAN desk is made below, with the engine and settings it switches: the handlers reach it when called.
      ...lanHandlers(() => lanDesk)
    },
    kiosk
  )

  const env = options.env ?? process.env
  const lanDesk = createLanDesk(
    { context: ctx, lan, attendance, db, events, sync: engine },
    {
      discovery: options.lanDiscovery !== undefined ? options.lanDiscovery : env.ROLLCALL_MDNS === 'off' ? null : createBonjourDiscovery(),
      listen: options.lanListen ?? { host: env.ROLLCALL_LAN_HOST || '0.0.0.0', port: lanPort(env) },
      useHub(on) {
        settings.save(on ? { provider: 'hub' } : { provider: 'local' })
        freshness.refresh()
        void engine.trigger('settings')
        events.sessions(null)
      },
      unsent() {
        const counts = outbox.counts()
        return counts.pending + counts.in_flight
      },
      unsettledElsewhere: () =>
        db.$client
          .prepare(`SELECT count(*) FROM outbox WHERE provider NOT IN ('hub', '${LOCAL_PROVIDER}') AND state IN ('pending', 'in_flight', 'conflict', 'rejected')`)
          .pluck()
          .get() as number,
      env,
      log: options.log
    }
  )
  // A desk that shared itself when it closed shares itself again (members reconnect on their own).
  if (lan.read().hub?.sharing) void lanDesk.startSharing().catch((err: unknown) => options.log?.('LAN: sharing could not resume', err))

  void engine.trigger('start')

  return {
    handlers,
    info,
    db,
    context: ctx,
    migrations,
    sync: engine,
    attendance,
    lan,
    lanDesk,
    kiosk,
    events,
    print,
    lane: laneSide,
    close: () => {
      void lanDesk.close()
      events.close()
      freshness.stop()
      watch.stop()
      closing.abort()
      void engine.stop()
      void writer.close()
      db.$client.close()
    }
  }
}
