/**
 * The desk's core services in plain Node (no `electron` import), wired to the contract's handlers.
 * Electron main and the web transport both open a desk through here.
 */
import { join } from 'node:path'
import type { DeskInfo } from '../../shared/contract'
import { openDatabase, type Db, type MigrationReport } from '../db'
import { createRosterExport } from '../export'
import type { Handlers } from '../ipc/dispatcher'
import { createLocalImport } from '../providers/local'
import { createAttendanceService } from './attendance'
import { createContext, type CoreContext } from './context'
import { createRosterService } from './roster'
import { createSessionService } from './sessions'

export { DeskError } from './errors'
export { foldText, toFtsQuery } from './text'

export const VERSION = '0.1.0'

export interface DeskOptions {
  dataDir: string
  nativeBinding?: string
  /** Injected clock (tests). */
  now?: () => number
}

export interface Desk {
  handlers: Handlers
  info: DeskInfo
  db: Db
  context: CoreContext
  migrations: MigrationReport
  close(): void
}

export const DATABASE_FILE = 'rollcall.sqlite'

export function openDesk(options: DeskOptions): Desk {
  const { db, migrations } = openDatabase(join(options.dataDir, DATABASE_FILE), { nativeBinding: options.nativeBinding })
  const ctx = createContext(db, { now: options.now })
  const sessions = createSessionService(ctx)
  const roster = createRosterService(ctx, sessions)
  const attendance = createAttendanceService(ctx, sessions, roster)
  const localImport = createLocalImport(ctx, sessions)
  const exporter = createRosterExport(db)
  const info: DeskInfo = { deskId: ctx.deskId, deskName: ctx.deskName, provider: 'local', version: VERSION }

  const handlers: Handlers = {
    'desk.info': () => info,
    'sessions.forDay': ({ date, timeZone }) => ({ sessions: sessions.forDay(date, timeZone) }),
    'sessions.get': ({ sessionId }) => sessions.get(sessionId),
    'sessions.create': (input) => sessions.create(input),
    'roster.page': (input) => roster.page(input),
    'roster.counts': ({ sessionId }) => sessions.counts(sessions.require(sessionId)),
    'attendance.checkIn': (input) => attendance.checkIn(input),
    'attendance.undo': (input) => attendance.undo(input),
    'attendance.noShow': (input) => attendance.noShow(input),
    'import.preview': (input) => localImport.preview(input),
    'import.commit': (input) => localImport.commit(input),
    'export.roster': (input) => {
      if ('sessionId' in input) return exporter.session(sessions.require(input.sessionId))
      return exporter.sessions(input.date, sessions.forDay(input.date, input.timeZone).map((s) => s.id))
    }
  }

  return {
    handlers,
    info,
    db,
    context: ctx,
    migrations,
    close: () => db.$client.close()
  }
}
