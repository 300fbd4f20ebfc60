/**
 * The desk's local replica. Times are integers (milliseconds since the epoch, UTC): they sort and
 * compare in SQL without parsing, and the zone a session is *in* is kept beside them as IANA text.
 *
 * Changes here are turned into SQL migrations by `npm run db:generate` (drizzle-kit); start-up
 * applies them (see migrate.ts). FTS5 and triggers live in hand-written migrations because
 * drizzle-kit cannot express them.
 */
import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { PERSON_KEY_SQL, SERIES_KEY_SQL } from '../history/identity'
import { PROVIDERS } from '../../shared/contract/constants'

/** Facts about this desk database (its id, name): one row per key. */
export const deskMeta = sqliteTable('desk_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull()
})

export const sessions = sqliteTable(
  'sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    provider: text('provider', { enum: PROVIDERS }).notNull(),
    providerId: text('provider_id').notNull(),
    title: text('title').notNull(),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    timeZone: text('time_zone').notNull(),
    allDay: integer('all_day', { mode: 'boolean' }).notNull().default(false),
    capacity: integer('capacity'),
    /** The course (Wix schedule) this session belongs to: course participations attend every one. */
    scheduleId: text('schedule_id'),
    scheduleName: text('schedule_name'),
    kind: text('kind').notNull().default('DEFAULT'),
    status: text('status', { enum: ['CONFIRMED', 'CANCELLED'] }).notNull().default('CONFIRMED'),
    /**
     * Unread since each provider keeps its own facts in `raw` (Wix's owning app is there); older
     * desks filled it. Kept rather than dropped: dropping it would rewrite the table for nothing.
     */
    appId: text('app_id'),
    revision: text('revision'),
    raw: text('raw', { mode: 'json' }),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** The course or class series a session belongs to (attendance history): see history/identity.ts. */
    seriesKey: text('series_key').generatedAlwaysAs(sql.raw(SERIES_KEY_SQL), { mode: 'virtual' })
  },
  (t) => [
    uniqueIndex('sessions_provider_id').on(t.provider, t.providerId),
    index('sessions_starts_at').on(t.startsAt),
    index('sessions_schedule').on(t.scheduleId),
    index('sessions_series').on(t.seriesKey, t.startsAt),
    check('sessions_ends_after_start', sql`${t.endsAt} >= ${t.startsAt}`)
  ]
)

export const participations = sqliteTable(
  'participations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    provider: text('provider', { enum: PROVIDERS }).notNull(),
    providerId: text('provider_id').notNull(),
    externalId: text('external_id'),
    /** Exactly one of sessionId (one session) or scheduleId (a course: all its sessions). */
    sessionId: integer('session_id').references(() => sessions.id, { onDelete: 'restrict' }),
    scheduleId: text('schedule_id'),
    name: text('name').notNull(),
    /** The name folded by core/text.ts foldText: the roster's sort order and what the search index holds. */
    sortName: text('sort_name').notNull(),
    email: text('email'),
    phone: text('phone'),
    contactId: text('contact_id'),
    customerNumber: text('customer_number'),
    bookingId: text('booking_id'),
    badgeNumber: text('badge_number'),
    /** Every code a person may be found by, compacted forms included; feeds the search index. */
    searchCodes: text('search_codes').notNull().default(''),
    partySize: integer('party_size').notNull().default(1),
    status: text('status', { enum: ['CONFIRMED', 'PENDING_CONFIRMATION', 'CANCELLED'] })
      .notNull()
      .default('CONFIRMED'),
    revision: text('revision'),
    isWalkIn: integer('is_walk_in', { mode: 'boolean' }).notNull().default(false),
    raw: text('raw', { mode: 'json' }),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /**
     * When a complete download from the booking system no longer had this participation: it has
     * left the roster (and the counts), but stays for the audit log and the day's export.
     */
    removedAt: integer('removed_at'),
    /**
     * The roster a participation is on, as one search token ("s12": session 12; "c" + hex: every
     * session of a course). Indexed in the full-text table beside the text, so a search counts its
     * hits on one roster inside the index instead of looking up every hit's row.
     */
    rosterKey: text('roster_key').generatedAlwaysAs(
      sql`CASE WHEN session_id IS NOT NULL THEN 's' || session_id ELSE 'c' || lower(hex(schedule_id)) END`,
      { mode: 'virtual' }
    ),
    /** Who this person is across sessions (attendance history): the rule is in history/identity.ts. */
    personKey: text('person_key').generatedAlwaysAs(sql.raw(PERSON_KEY_SQL), { mode: 'virtual' })
  },
  (t) => [
    uniqueIndex('participations_provider_id').on(t.provider, t.providerId),
    // removed_at rides along in the roster indexes: the roster's pages and counts skip people
    // removed upstream without reading their rows, and the export (which keeps them) still walks
    // the same index in name order.
    index('participations_session_sort').on(t.sessionId, t.sortName, t.removedAt),
    // Partial: most participations are for one session, not a course, and most have no booking
    // id; indexing their NULLs cost every insert of a pull a write at a random place in the index.
    index('participations_schedule_sort').on(t.scheduleId, t.sortName, t.removedAt).where(sql`${t.scheduleId} IS NOT NULL`),
    index('participations_booking').on(t.provider, t.bookingId).where(sql`${t.bookingId} IS NOT NULL`),
    // A selective search filters its hits by roster and sorts them by name: this small index
    // answers that for an id without reading the row (rows carry the provider's raw record).
    index('participations_roster_by_id').on(t.id, t.sessionId, t.scheduleId, t.sortName, t.removedAt),
    // A roster's counts (how many booked, how many people, how many to confirm) read from these
    // small entries instead of every row of the roster: rows carry the provider's raw record, so
    // counting today's 100,000 from the rows read ~100 MB and took most of a desk's start-up.
    index('participations_session_counts').on(t.sessionId, t.removedAt, t.status, t.partySize),
    index('participations_schedule_counts').on(t.scheduleId, t.removedAt, t.status, t.partySize).where(sql`${t.scheduleId} IS NOT NULL`),
    // The few people removed upstream, by roster: a broad search subtracts its hits among them.
    index('participations_removed').on(t.sessionId, t.scheduleId).where(sql`${t.removedAt} IS NOT NULL`),
    // A person's history: their participations in every session, found without a scan.
    index('participations_person').on(t.personKey).where(sql`${t.personKey} IS NOT NULL`),
    check('participations_party_size', sql`${t.partySize} BETWEEN 1 AND 1000`),
    check(
      'participations_one_target',
      sql`(${t.sessionId} IS NULL) <> (${t.scheduleId} IS NULL)`
    )
  ]
)

export const attendance = sqliteTable(
  'attendance',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    participationId: integer('participation_id')
      .notNull()
      .references(() => participations.id, { onDelete: 'restrict' }),
    sessionId: integer('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'restrict' }),
    status: text('status', { enum: ['NOT_SET', 'ATTENDED', 'NOT_ATTENDED'] }).notNull(),
    attendees: integer('attendees').notNull().default(0),
    /** The desk's clock when the desk made the mark; null for marks pulled from a provider. */
    markedAt: integer('marked_at'),
    deskId: text('desk_id'),
    method: text('method', { enum: ['manual', 'scan', 'provider', 'import', 'paper'] }).notNull(),
    /** The state before the last mark, for a one-step undo; null when there is nothing to undo. */
    undoStatus: text('undo_status', { enum: ['NOT_SET', 'ATTENDED', 'NOT_ATTENDED'] }),
    undoAttendees: integer('undo_attendees'),
    undoMarkedAt: integer('undo_marked_at'),
    undoDeskId: text('undo_desk_id'),
    /** The provider's id for this attendance record, once known. */
    providerId: text('provider_id'),
    /**
     * The mark the booking system held the last time this desk saw it (pulled, or answered to this
     * desk's own write); null = none seen. Bookings attendance has no revision: before setting it,
     * the desk compares the booking system's current mark with this one to notice another desk's.
     */
    seenStatus: text('seen_status', { enum: ['NOT_SET', 'ATTENDED', 'NOT_ATTENDED'] }),
    seenAttendees: integer('seen_attendees'),
    updatedAt: integer('updated_at').notNull(),
    /** When the person left again (check-out); null while inside or never arrived. */
    checkedOutAt: integer('checked_out_at'),
    /**
     * The session-local calendar day (YYYY-MM-DD) the mark is for. A multi-day session is checked
     * in daily: this row is the latest day's mark, earlier days move to attendance_days (trigger).
     */
    day: text('day')
  },
  (t) => [
    uniqueIndex('attendance_participation_session').on(t.participationId, t.sessionId),
    index('attendance_session_status').on(t.sessionId, t.status),
    check('attendance_attendees_range', sql`${t.attendees} BETWEEN 0 AND 1000`),
    check(
      'attendance_status_matches_attendees',
      sql`(${t.status} = 'ATTENDED' AND ${t.attendees} >= 1) OR (${t.status} <> 'ATTENDED' AND ${t.attendees} = 0)`
    )
  ]
)

/**
 * Earlier days' marks of multi-day sessions, one row per person and day. Written only by the
 * trigger of migration 0010 when a mark for a later day replaces one in `attendance`, so no day's
 * arrival is lost whichever way the mark came (desk, pull, walk-in).
 */
export const attendanceDays = sqliteTable(
  'attendance_days',
  {
    participationId: integer('participation_id').notNull(),
    sessionId: integer('session_id').notNull(),
    day: text('day').notNull(),
    status: text('status', { enum: ['NOT_SET', 'ATTENDED', 'NOT_ATTENDED'] }).notNull(),
    attendees: integer('attendees').notNull(),
    markedAt: integer('marked_at'),
    deskId: text('desk_id'),
    checkedOutAt: integer('checked_out_at')
  },
  (t) => [primaryKey({ columns: [t.participationId, t.sessionId, t.day] }), index('attendance_days_session_day').on(t.sessionId, t.day)]
)

/**
 * Local changes waiting to reach the booking system, in the order the desk made them. A row is
 * written in the same transaction as the change it records, so a change cannot exist without it.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    /** Unique id of the operation: the idempotency key the provider sees. */
    opId: text('op_id').notNull(),
    kind: text('kind').notNull(),
    provider: text('provider', { enum: PROVIDERS }).notNull(),
    sessionId: integer('session_id').references(() => sessions.id, { onDelete: 'restrict' }),
    participationId: integer('participation_id').references(() => participations.id, { onDelete: 'restrict' }),
    payload: text('payload', { mode: 'json' }).notNull(),
    state: text('state', { enum: ['pending', 'in_flight', 'done', 'rejected', 'conflict', 'discarded'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at'),
    lastError: text('last_error'),
    /** The same failure as a code with its parameters (JSON), so any window can word it. */
    lastErrorReason: text('last_error_reason', { mode: 'json' }),
    deskId: text('desk_id').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [
    uniqueIndex('outbox_op_id').on(t.opId),
    index('outbox_state_seq').on(t.state, t.seq),
    index('outbox_participation').on(t.participationId, t.state),
    // Retention looks up a session's unsent operations and clears its settled ones.
    index('outbox_session').on(t.sessionId, t.state),
    // The sync engine's next operations to send, in order: only the unsent rows, already sorted.
    // Through outbox_state_seq every look sorted all of them (a desk offline for a day with
    // thousands of check-ins to send did that after each new one).
    index('outbox_unsent').on(t.provider, t.seq).where(sql`${t.state} IN ('pending', 'in_flight')`)
  ]
)

/** Append-only history of what happened at the desk (triggers forbid UPDATE and DELETE). */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    deskId: text('desk_id').notNull(),
    action: text('action').notNull(),
    sessionId: integer('session_id'),
    participationId: integer('participation_id'),
    opId: text('op_id'),
    details: text('details', { mode: 'json' })
  },
  (t) => [index('audit_session_at').on(t.sessionId, t.at)]
)

/**
 * What the desk knew of a person's past sessions when their rows left the replica (pruning of old
 * sessions deletes attendance and participations): triggers of migration 0012 copy each one here
 * just before it is deleted, so history figures keep their counts whatever removes the rows. One
 * row per person and session; outcome ATTENDED, NOT_ATTENDED or BOOKED (booked, no mark).
 */
export const personHistory = sqliteTable(
  'person_history',
  {
    personKey: text('person_key').notNull(),
    provider: text('provider').notNull(),
    sessionProviderId: text('session_provider_id').notNull(),
    seriesKey: text('series_key').notNull(),
    seriesName: text('series_name').notNull(),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at').notNull(),
    outcome: text('outcome', { enum: ['ATTENDED', 'NOT_ATTENDED', 'BOOKED'] }).notNull(),
    name: text('name').notNull(),
    email: text('email'),
    phone: text('phone')
  },
  (t) => [
    primaryKey({ columns: [t.personKey, t.provider, t.sessionProviderId] }),
    index('person_history_session').on(t.provider, t.sessionProviderId, t.outcome),
    index('person_history_series').on(t.seriesKey, t.startsAt)
  ]
)

// ---- Printing (badges, attendance sheets, paper marks back in) ----

/**
 * Every badge printed at a desk: who, when, which desk and which layout. A second badge for the
 * same person asks first ("printed at 09:14 at Desk 2"); the audit log and the export show it.
 */
export const badgePrints = sqliteTable(
  'badge_prints',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    participationId: integer('participation_id').notNull(),
    sessionId: integer('session_id').notNull(),
    at: integer('at').notNull(),
    deskId: text('desk_id').notNull(),
    deskName: text('desk_name').notNull(),
    layout: text('layout').notNull()
  },
  (t) => [index('badge_prints_person').on(t.participationId, t.sessionId, t.at), index('badge_prints_session').on(t.sessionId)]
)

/** A session's badge choices: print at check-in (off unless turned on), layout and the extra field. */
export const sessionBadges = sqliteTable('session_badges', {
  sessionId: integer('session_id').primaryKey(),
  printOnCheckIn: integer('print_on_check_in', { mode: 'boolean' }).notNull().default(false),
  layout: text('layout').notNull(),
  field: text('field').notNull()
})

/** Each attendance sheet printed: its time is the default time of the marks entered from it. */
export const printedSheets = sqliteTable(
  'printed_sheets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sessionId: integer('session_id').notNull(),
    at: integer('at').notNull(),
    deskId: text('desk_id').notNull(),
    rows: integer('rows').notNull()
  },
  (t) => [index('printed_sheets_session').on(t.sessionId, t.at)]
)

/**
 * Where an interrupted roster download goes on from: the provider's resume token after the last
 * page this desk committed, written in the same transaction as that page's rows. Removed when the
 * download completes; a session pruned from the replica takes its row with it.
 */
export const pullCursors = sqliteTable(
  'pull_cursors',
  {
    provider: text('provider', { enum: ['local', 'wix', 'plandocket'] }).notNull(),
    sessionId: integer('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    /** Opaque to the desk: only the provider that wrote it reads it. */
    token: text('token').notNull(),
    /** Rows committed by this download so far (shown as progress when it resumes). */
    rows: integer('rows').notNull(),
    startedAt: integer('started_at').notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.provider, t.sessionId] })]
)
