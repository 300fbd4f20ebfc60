/**
 * The desk's services as the call handlers see them. The composition root (index.ts) builds one
 * of these; each domain's handlers file takes what it needs from it.
 */
import type { DeskInfo } from '../../shared/contract'
import type { createRosterExport } from '../export'
import type { createLocalImport } from '../providers/local'
import type { ProviderDeps } from '../providers/registry'
import type { Provider } from '../providers/types'
import type { Settings } from '../settings'
import type { Freshness } from '../sync/freshness'
import type { Outbox, SyncEngine } from '../sync'
import type { AttendanceService } from './attendance'
import type { CoreContext } from './context'
import type { DeskEvents } from './events'
import type { createAuditLog } from './audit'
import type { PersonHistoryService } from '../history'
import type { Kiosk } from './kiosk'
import type { RosterService } from './roster'
import type { createScanner } from './scan'
import type { SessionService } from './sessions'
import type { createRosterWatch } from './watch'

export interface DeskParts {
  events: DeskEvents
  ctx: CoreContext
  info: DeskInfo
  sessions: SessionService
  roster: RosterService
  attendance: AttendanceService
  scanner: ReturnType<typeof createScanner>
  audit: ReturnType<typeof createAuditLog>
  personHistory: PersonHistoryService
  kiosk: Kiosk
  localImport: ReturnType<typeof createLocalImport>
  exporter: ReturnType<typeof createRosterExport>
  settings: Settings
  outbox: Outbox
  engine: SyncEngine
  freshness: Freshness
  watch: ReturnType<typeof createRosterWatch>
  provider: () => Provider | null
  providerDeps: ProviderDeps
  /** Whether this desk is a LAN hub's member (lan.json): its provider is the hub, and only the hub. */
  isMember: () => boolean
}
