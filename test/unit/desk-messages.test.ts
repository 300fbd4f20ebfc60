/**
 * Main's answers carry a stable code (`reason`) with typed params and no words, so the window can
 * word them in the desk's language: PIN refusals and the lockout, import errors,
 * a scan for another session, refused marks, and sync problems and errors. Every answer also
 * passes the contract's zod schemas.
 */
import { describe, expect, it } from 'vitest'
import { openDesk } from '../../src/main/core'
import { createHttpClient, ProviderError } from '../../src/main/providers/http'
import { createLocalProvider } from '../../src/main/providers/local'
import type { Provider } from '../../src/main/providers/types'
import { createOutbox, createReplica, createSyncEngine } from '../../src/main/sync'
import { explainSyncError } from '../../src/main/sync/engine'
import { AuditEntry, CallError, ImportPreview, ScanOutcome, SyncProblem, SyncStatus } from '../../src/shared/contract'
import { importStudio, tempDir, testDesk, ZONE } from './helpers'

/** The refusal of a call, checked against the contract's error schema. */
async function refusal(t: ReturnType<typeof testDesk>, name: Parameters<typeof t.fail>[0], input: unknown) {
  const error = await t.fail(name, input)
  expect(CallError.safeParse(error).success).toBe(true)
  return error
}

describe('PIN refusals and the lockout', () => {
  it('say how many attempts are left, then until when PIN entry is locked', async () => {
    let clock = Date.parse('2026-07-06T08:00:00Z')
    const t = testDesk({ now: () => clock })
    expect(await refusal(t, 'kiosk.enter', { selfService: false })).toMatchObject({ code: 'refused', reason: 'pin_set_first', params: {} })
    await t.call('kiosk.setPin', { newPin: '2468' })
    await t.call('kiosk.enter', { selfService: false })
    expect(await refusal(t, 'settings.get', {})).toMatchObject({
      reason: 'admin_pin_needed',
      params: { action: 'open_setup' },
      message: 'Enter the admin PIN to open set-up in kiosk mode.'
    })
    for (let left = 4; left >= 1; left--) {
      expect(await refusal(t, 'kiosk.exit', { pin: '0000' })).toMatchObject({
        code: 'refused',
        reason: 'pin_wrong',
        params: { attemptsLeft: left }
      })
    }
    expect(await refusal(t, 'kiosk.exit', { pin: '0000' })).toMatchObject({
      reason: 'pin_wrong_locked',
      params: { until: '2026-07-06T08:01:00.000Z', seconds: 60 }
    })
    clock += 15_000
    expect(await refusal(t, 'kiosk.exit', { pin: '2468' })).toMatchObject({
      reason: 'pin_locked',
      params: { until: '2026-07-06T08:01:00.000Z', seconds: 45 }
    })
  })
})

describe('import errors', () => {
  it('name each problem of a line, and why nothing was imported', async () => {
    const t = testDesk()
    expect(await refusal(t, 'import.preview', { csv: '\n\n', timeZone: ZONE })).toMatchObject({ code: 'invalid_input', reason: 'import_empty' })
    const csv = [
      'Name,Party size,Email,Session,Start',
      'Ann,2,ann@example.com,Yoga,2026-07-06 09:00',
      ',zwei,not-an-email,Yoga,2026-07-06 09:00',
      'Bob,1,,Yoga,someday'
    ].join('\n')
    const preview = await t.call('import.preview', { csv, timeZone: ZONE })
    expect(ImportPreview.safeParse(preview).success).toBe(true)
    expect(preview.errors).toEqual([
      {
        line: 3,
        problems: [
          { reason: 'name_missing', params: {} },
          { reason: 'party_size_invalid', params: { max: 1000, found: 'zwei' } },
          { reason: 'email_invalid', params: { value: 'not-an-email' } }
        ]
      },
      { line: 4, problems: [{ reason: 'session_start_invalid', params: { value: 'someday' } }] }
    ])
    expect(await refusal(t, 'import.commit', { csv, timeZone: ZONE })).toMatchObject({
      code: 'invalid_input',
      reason: 'import_row_errors',
      params: { count: 2, line: 3, problems: [{ reason: 'name_missing' }, { reason: 'party_size_invalid' }, { reason: 'email_invalid' }] }
    })
    expect(await refusal(t, 'import.commit', { csv: 'Email,Session,Start\na@b.de,Yoga,2026-07-06 09:00', timeZone: ZONE })).toMatchObject({
      reason: 'import_no_name_column'
    })
    const unknown = { ...preview.mapping, email: 'E-Mail' }
    expect(await refusal(t, 'import.preview', { csv, mapping: unknown, timeZone: ZONE })).toMatchObject({
      reason: 'import_column_missing',
      params: { column: 'E-Mail', field: 'email' }
    })
  })
})

describe('scans', () => {
  it('a code booked for another session names that session, its start and its own time zone', async () => {
    const t = testDesk()
    const { yoga } = await importStudio(t)
    await t.call('import.commit', {
      csv: 'Name,Booking id,Session,Start,Time zone\nMaya Lin,NY-7,Brooklyn Lecture,2026-07-06 14:00,America/New_York',
      timeZone: ZONE
    })
    const wrong = await t.call('attendance.scan', { sessionId: yoga.id, code: 'NY-7' })
    expect(ScanOutcome.safeParse(wrong).success).toBe(true)
    expect(wrong).toMatchObject({
      outcome: 'wrong_session',
      reason: 'scan_wrong_session',
      params: { name: 'Maya Lin', title: 'Brooklyn Lecture', startsAt: '2026-07-06T18:00:00.000Z', timeZone: 'America/New_York' },
      otherSession: { title: 'Brooklyn Lecture', startsAt: '2026-07-06T18:00:00.000Z', timeZone: 'America/New_York' }
    })
    expect(await t.call('attendance.scan', { sessionId: yoga.id, code: 'NOPE-1' })).toMatchObject({ outcome: 'unknown', reason: 'scan_unknown', params: { code: 'NOPE-1' } })
    expect(await t.call('attendance.scan', { sessionId: yoga.id, code: 'BK-1001' })).toMatchObject({ reason: 'scan_checked_in', params: { name: 'Anna Müller', partySize: 3 } })
    expect(await t.call('attendance.scan', { sessionId: yoga.id, code: 'BK-1001' })).toMatchObject({ reason: 'scan_already', params: { name: 'Anna Müller' } })
  })
})

describe('refused marks', () => {
  it('say why, with who and how many', async () => {
    const t = testDesk()
    const { yoga } = await importStudio(t)
    const { rows } = await t.call('roster.page', { sessionId: yoga.id, search: 'José', offset: 0, limit: 5 })
    const jose = rows[0]!
    expect(await refusal(t, 'attendance.checkIn', { sessionId: yoga.id, participationId: jose.participationId, attendees: 2 })).toMatchObject({
      code: 'refused',
      reason: 'over_party',
      params: { name: 'José Álvarez', booked: 1, attendees: 2 }
    })
    expect(await refusal(t, 'attendance.undo', { sessionId: yoga.id, participationId: jose.participationId })).toMatchObject({ reason: 'nothing_to_undo' })
    expect(await refusal(t, 'sessions.get', { sessionId: 999 })).toMatchObject({ code: 'not_found', reason: 'session_not_found' })
  })

  it('an input error has no reason, and still passes the schema', async () => {
    const t = testDesk()
    const error = await refusal(t, 'sessions.get', { sessionId: -1 })
    expect(error.code).toBe('invalid_input')
    expect(error).not.toHaveProperty('reason')
  })
})

describe('sync problems and errors', () => {
  function wixDesk() {
    const desk = openDesk({ dataDir: tempDir(), syncTimerMs: 0 })
    const sqlite = desk.db.$client
    const now = Date.now()
    sqlite
      .prepare(
        `INSERT INTO sessions (id, provider, provider_id, title, starts_at, ends_at, time_zone, kind, app_id, created_at, updated_at)
         VALUES (1, 'wix', 'ev-1', 'Spin', ?, ?, 'UTC', 'CLASS', 'other-app', ?, ?)`
      )
      .run(now, now + 3600_000, now, now)
    const insert = sqlite.prepare(
      `INSERT INTO participations (id, provider, provider_id, session_id, name, sort_name, party_size, revision, created_at, updated_at)
       VALUES (?, 'wix', ?, 1, ?, ?, 2, '1', ?, ?)`
    )
    for (let i = 1; i <= 3; i++) insert.run(i, `p-${i}`, `Person ${i}`, `person ${i}`, now, now)
    return desk
  }

  function engine(desk: ReturnType<typeof wixDesk>, push: Provider['push'], log?: (message: string) => void) {
    const provider: Provider = {
      name: 'wix',
      testConnection: async () => ({ ok: true, reason: 'connected', params: { service: 'wix', where: 'test' } }),
      async *pullSessions() {},
      async *pullRoster() {},
      async *pullAttendance() {},
      push
    }
    const now = () => 1_000_000
    return createSyncEngine({
      outbox: createOutbox(desk.db, now),
      replica: createReplica(desk.db, now),
      provider: () => provider,
      local: createLocalProvider(),
      atomically: (fn) => desk.db.$client.transaction(fn)(),
      desk: { deskId: desk.context.deskId, deskName: 'Desk A' },
      now,
      timerMs: 0,
      backoff: { baseMs: 1000, capMs: 60_000, random: () => 0.5 },
      log
    })
  }

  const mark = (desk: ReturnType<typeof wixDesk>, participationId: number, attendees = 1) =>
    desk.handlers['attendance.checkIn']({ sessionId: 1, participationId, attendees, allowOverParty: false, method: 'manual' })

  it('a rejected mark keeps the booking system’s words, and says what the desk wanted as a code', async () => {
    const desk = wixDesk()
    const logged: string[] = []
    const sync = engine(desk, async (op) => {
      if (op.participation.id === 2) throw new ProviderError('rejected', 'partySize: must be at most 1000', 400)
      if (op.participation.id === 3) return { result: 'conflict', why: { reason: 'sync_other_desk', params: { service: 'wix', status: 'ATTENDED', attendees: 1 } } }
      return { result: 'done' }
    }, (line) => logged.push(line))
    mark(desk, 1)
    mark(desk, 2, 2)
    mark(desk, 3, 2)
    await sync.trigger('mark')
    const problems = sync.problems()
    for (const p of problems) expect(SyncProblem.safeParse(p).success).toBe(true)
    expect(problems).toEqual([
      expect.objectContaining({
        state: 'rejected',
        reason: 'provider_said',
        params: { text: 'partySize: must be at most 1000' },
        intent: { kind: 'check_in', attendees: 2 }
      }),
      expect.objectContaining({
        state: 'conflict',
        reason: 'sync_other_desk',
        params: { service: 'wix', status: 'ATTENDED', attendees: 1 },
        intent: { kind: 'check_in', attendees: 2 }
      })
    ])
    // The log says why in English, from the one wording of the codes.
    expect(logged).toEqual([
      expect.stringMatching(/^mark \S+ refused: partySize: must be at most 1000$/),
      expect.stringMatching(/^mark \S+ in conflict: Another desk checked in 1 in Wix since this desk's mark\.$/)
    ])
    desk.close()
  })

  it('a mark for someone no longer on the desk is set aside with a code of its own', async () => {
    const desk = wixDesk()
    mark(desk, 1)
    desk.db.$client.exec('PRAGMA foreign_keys = OFF; DELETE FROM attendance; DELETE FROM participations WHERE id = 1')
    const sync = engine(desk, async () => ({ result: 'done' }))
    await sync.trigger('mark')
    expect(sync.problems()).toEqual([expect.objectContaining({ state: 'rejected', reason: 'sync_gone', params: {} })])
    // The audit log words the same stored message from its code, too.
    const { entries } = desk.handlers['audit.list']({ sessionId: null, beforeId: null, limit: 50 }) as { entries: AuditEntry[] }
    expect(entries.map((e) => e.sync)).toContainEqual(expect.objectContaining({ state: 'rejected', errorReason: { reason: 'sync_gone', params: {} } }))
    for (const e of entries) expect(AuditEntry.safeParse(e).success).toBe(true)
    desk.close()
  })

  it('a mark that failed before codes were stored shows its old English words through a code', async () => {
    const desk = wixDesk()
    mark(desk, 1)
    // As an older desk left it: English words, no reason.
    desk.db.$client.exec(`UPDATE outbox SET state = 'rejected', last_error = 'Wix refused this mark.', last_error_reason = NULL`)
    const sync = engine(desk, async () => ({ result: 'done' }))
    const [problem] = sync.problems()
    expect(problem).toMatchObject({ state: 'rejected', reason: 'stored_words', params: { text: 'Wix refused this mark.' } })
    expect(SyncProblem.safeParse(problem).success).toBe(true)
    const { entries } = desk.handlers['audit.list']({ sessionId: null, beforeId: null, limit: 50 }) as { entries: AuditEntry[] }
    expect(entries.map((e) => e.sync)).toContainEqual(expect.objectContaining({ errorReason: { reason: 'stored_words', params: { text: 'Wix refused this mark.' } } }))
    desk.close()
  })

  it('the status says why sending failed and why sign-in is needed, as codes', async () => {
    const desk = wixDesk()
    let failure: ProviderError = new ProviderError('network', 'POST /x: connect ECONNREFUSED', null)
    const sync = engine(desk, async () => {
      throw failure
    })
    mark(desk, 1)
    await sync.trigger('mark')
    const offline = sync.status()
    expect(SyncStatus.safeParse(offline).success).toBe(true)
    expect(offline).toMatchObject({
      state: 'offline',
      errors: [{ stage: 'send', reason: 'sync_no_connection', params: { service: 'wix' } }]
    })
    expect(offline).not.toHaveProperty('lastError')
    expect(offline.errors[0]).not.toHaveProperty('message')
    failure = new ProviderError('server', 'POST /x: 503', 503)
    await sync.trigger('manual')
    expect(sync.status().errors).toEqual([expect.objectContaining({ stage: 'send', reason: 'sync_server_error', params: { service: 'wix', status: '503' } })])
    failure = new ProviderError('auth', 'bad key', 401)
    await sync.trigger('manual')
    expect(sync.status()).toMatchObject({ state: 'sign_in_needed', errors: [{ stage: 'sign_in', reason: 'sync_auth', params: { service: 'wix' } }] })
    desk.close()
  })
})

describe('network failures', () => {
  it('say whether the service was unreachable, too slow or cut off, as codes', async () => {
    const failing = (err: Error) => createHttpClient({ baseUrl: 'http://127.0.0.1:9', headers: () => ({}), timeoutMs: 2000, fetch: async () => Promise.reject(err) })
    const timeout = Object.assign(new Error('The operation timed out.'), { name: 'TimeoutError' })
    const slow = await failing(timeout).get('/x').catch((e: unknown) => e)
    expect(slow).toMatchObject({ kind: 'network', network: { cause: 'timeout', seconds: 2 } })
    const refused = await failing(new TypeError('fetch failed')).get('/x').catch((e: unknown) => e)
    expect(refused).toMatchObject({ kind: 'network', network: { cause: 'no_connection' } })
    const wix = { name: 'wix' } as Provider
    expect(explainSyncError(wix, slow as ProviderError)).toMatchObject({ reason: 'sync_timeout', params: { service: 'wix' } })
    expect(explainSyncError(wix, refused as ProviderError)).toMatchObject({ reason: 'sync_no_connection' })
    // "Slow down" is the service's (429); a read the desk's own hourly budget holds back says so.
    const plandocket = { name: 'plandocket' } as Provider
    expect(explainSyncError(plandocket, new ProviderError('rate_limited', 'limit used up', 429, 1000))).toMatchObject({ reason: 'sync_rate_limited' })
    expect(explainSyncError(plandocket, new ProviderError('rate_limited', 'kept for sending', null, 1000))).toMatchObject({ reason: 'sync_budget_held', params: { service: 'plandocket' } })
  })
})
