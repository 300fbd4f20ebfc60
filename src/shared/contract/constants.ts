/**
 * The contract's plain values, without zod, so the window imports them as they are (importing
 * zod would bundle it into the renderer, whose strict CSP refuses the eval zod probes for).
 * One source for each: main's schemas are built from these.
 */

/**
 * Every booking system the desk can sync with (REMOTE_PROVIDERS), and local-only mode, where a new
 * desk starts. The one list: the contract's enums, the database's provider column, the set-up choices and
 * main's provider registry (providers/registry.ts, which must have a line for each) follow it.
 * `hub`: another Rollcall desk on the LAN this desk joined (issue 18); it is entered by joining a
 * hub, never picked from the set-up list (SETUP_CHOICES).
 */
export const REMOTE_PROVIDERS = ['wix', 'plandocket', 'hub'] as const
export const LOCAL_PROVIDER = 'local'
export const PROVIDERS = [LOCAL_PROVIDER, ...REMOTE_PROVIDERS] as const
/** What set-up offers to choose from (a desk becomes a hub's member by joining it). */
export const SETUP_CHOICES = PROVIDERS.filter((p) => p !== 'hub')
/** A booking system somewhere else (every provider but local-only mode). */
export type RemoteProviderName = (typeof REMOTE_PROVIDERS)[number]

/**
 * How long a desk keeps sessions that ended (retention, sync/retention.ts), in days. Shorter than a
 * week would drop last week's classes while people still ask about them; ten years is "keep all".
 */
export const RETENTION_DAYS = { min: 7, max: 3650, default: 180 } as const

/** Hard caps that keep one call from exhausting main; generous for a real desk. */
export const LIMITS = {
  /**
   * A roster CSV, in characters (the window also refuses a file of more bytes): 100,000 rows of
   * ~160 characters, a large ticketing export. A bigger roster comes from a booking system's sync,
   * not a file. Kept below `requestBytes` so the largest legitimate import always fits a request.
   */
  csvChars: 16 * 1024 * 1024,
  /**
   * The web desk's request body cap, in bytes: the largest import (csvChars, sent as a JSON string)
   * plus 2 MB for JSON's escaping of its quotes and line breaks (an escape per 8 bytes of file)
   * and the call's other fields. Larger bodies are refused before they are read into memory.
   */
  requestBytes: 18 * 1024 * 1024,
  /** One CSV record (a line, or a quoted multi-line record). */
  csvRecordChars: 64 * 1024,
  rosterPage: 500,
  search: 200,
  partySize: 1000,
  name: 200
} as const

/** An admin PIN: 4 to 12 digits. The schema, the kiosk dialogs and the lock screen all test this. */
export const PIN_PATTERN = /^\d{4,12}$/

/** Admin actions that need the PIN in kiosk mode (each call says which one it is, see the contract). */
export const ADMIN_ACTIONS = [
  'mark_no_shows',
  'close_session',
  'see_audit',
  'change_pin',
  'import_roster',
  'export_roster',
  'resolve_sync',
  'open_setup',
  'change_setup',
  'test_connection',
  // Printing (badges, sheets, paper marks).
  'reprint_badge',
  'print_sheet',
  'enter_paper_marks'
] as const
export type AdminActionCode = (typeof ADMIN_ACTIONS)[number]

/** Every call, by channel name (IPC channel `rollcall:<name>`, HTTP route `/api/<name>`). */
export const CALL_NAMES = [
  'desk.info',
  'sessions.forDay',
  'sessions.get',
  'sessions.create',
  'sessions.close',
  'roster.page',
  'roster.counts',
  'attendance.checkIn',
  'attendance.undo',
  'attendance.noShow',
  'attendance.checkOut',
  'attendance.walkIn',
  'attendance.confirm',
  'attendance.scan',
  'import.preview',
  'import.commit',
  'export.roster',
  'stats.session',
  'stats.day',
  'audit.list',
  'kiosk.status',
  'kiosk.enter',
  'kiosk.exit',
  'kiosk.verifyPin',
  'kiosk.setPin',
  'sync.status',
  'sync.now',
  'sync.problems',
  'sync.resolve',
  'settings.get',
  'settings.save',
  'settings.testConnection',
  'history.people',
  'history.person',
  'history.series',
  'history.noShowsCsv',
  'print.badgeSettings',
  'print.saveBadgeSettings',
  'print.badge',
  'print.sheet',
  'print.lastSheet',
  'print.paperMark',
  'print.printer',
  'print.savePrinter',
  'lan.status',
  'lan.share',
  'lan.openPairing',
  'lan.members',
  'lan.revoke',
  'lan.discover',
  'lan.join',
  'lan.leave'
] as const

/**
 * Why a LAN step was refused (sharing, pairing, joining), as main's LAN desk says it: the window
 * words each. The one list: main's LAN protocol (src/main/lan/protocol.ts) takes its codes from it.
 */
export const LAN_REFUSAL_CODES = [
  'lan_wrong_code',
  'lan_code_expired',
  'lan_pairing_closed',
  'lan_rate_limited',
  'lan_unpaired',
  'lan_revoked',
  'lan_replayed',
  'lan_stale_request',
  'lan_invalid_request',
  'lan_too_large',
  'lan_not_found',
  'lan_certificate_mismatch',
  'lan_unreachable',
  'lan_bad_answer',
  'lan_internal',
  /** Another desk with this desk's id is paired already (a cloned computer). */
  'lan_desk_in_use',
  /** This desk joined a hub: it cannot share itself too. */
  'lan_is_member',
  /** This desk shares itself: it cannot join another hub too. */
  'lan_is_hub',
  /** Sharing is off: no pairing code to show. */
  'lan_not_sharing',
  /** The LAN port is taken by another program. */
  'lan_port_in_use',
  /** This desk's LAN part cannot do that yet. */
  'lan_not_ready',
  /** This desk still has marks for its own booking system: they go out before it joins a hub. */
  'lan_unsent_elsewhere',
  /** The pairing link or typed hub key is not one this version reads. */
  'lan_bad_pairing_link'
] as const

export type LanRefusalCode = (typeof LAN_REFUSAL_CODES)[number]

export const IPC_PREFIX = 'rollcall:'

/**
 * What main tells the window without being asked (sync status, changed rows): the IPC channel
 * main sends on, and the web desk's server-sent-events route (same bearer token as the calls).
 */
export const EVENTS_CHANNEL = 'rollcall-events'
export const EVENTS_ROUTE = '/api/events'
