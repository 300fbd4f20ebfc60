/**
 * Front-desk features as main enforces them: scans by any code, kiosk PIN and lockout,
 * self-service masking, export with chosen columns, stats.
 */
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { importStudio, testDesk } from './helpers'

describe('scanning', () => {
  it('checks in the whole booking by booking id, with or without separators, and says when it is already done', async () => {
    const t = testDesk()
    const { yoga } = await importStudio(t)
    const first = await t.call('attendance.scan', { sessionId: yoga.id, code: 'BK-1001' })
    expect(first).toMatchObject({ outcome: 'checked_in', reason: 'scan_checked_in', params: { name: 'Anna Müller', partySize: 3 }, row: { attendance: { status: 'ATTENDED', attendees: 3 } } })
    const again = await t.call('attendance.scan', { sessionId: yoga.id, code: 'bk1001' })
    expect(again).toMatchObject({ outcome: 'already', reason: 'scan_already', params: { name: 'Anna Müller' } })
    expect(again.row!.attendance.deskId).toBe(t.desk.info.deskId)
    expect(t.desk.db.$client.prepare(`SELECT json_extract(payload, '$.method') FROM outbox`).pluck().all()).toEqual(['scan'])
  })

  it('answers an unknown code and a code of another session without changing anything', async () => {
    const t = testDesk()
    const { yoga } = await importStudio(t)
    const before = t.desk.db.$client.prepare('SELECT count(*) FROM outbox').pluck().get()
    expect(await t.call('attendance.scan', { sessionId: yoga.id, code: 'NOPE-999' })).toMatchObject({ outcome: 'unknown', row: null })
    const wrong = await t.call('attendance.scan', { sessionId: yoga.id, code: 'BK-1004' })
    expect(wrong).toMatchObject({ outcome: 'wrong_session', reason: 'scan_wrong_session', params: { name: 'Søren Kierkegaard', title: 'Evening Spin' }, otherSession: { title: 'Evening Spin' } })
    // Search syntax in a scan is just text.
    expect(await t.call('attendance.scan', { sessionId: yoga.id, code: '" OR *' })).toMatchObject({ outcome: 'unknown' })
    expect(t.desk.db.$client.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(before)
  })
})

describe('kiosk mode', () => {
  it('needs a PIN to leave or to open set-up, and locks PIN entry for a minute after 5 wrong PINs', async () => {
    let clock = Date.parse('2026-07-06T08:00:00Z')
    const t = testDesk({ now: () => clock })
    await importStudio(t)
    expect(await t.fail('kiosk.enter', { selfService: false })).toMatchObject({ reason: 'pin_set_first' })
    await t.call('kiosk.setPin', { newPin: '2468' })
    expect(await t.call('kiosk.enter', { selfService: false })).toMatchObject({ enabled: true, pinSet: true, attemptsLeft: 5 })

    expect(await t.fail('settings.get', {})).toMatchObject({ reason: 'admin_pin_needed', params: { action: 'open_setup' }, message: 'Enter the admin PIN to open set-up in kiosk mode.' })
    expect(await t.fail('import.commit', { csv: 'Name\nX', timeZone: 'UTC' })).toMatchObject({ reason: 'admin_pin_needed', params: { action: 'import_roster' } })
    for (let i = 4; i >= 1; i--) expect(await t.fail('kiosk.exit', { pin: '0000' })).toMatchObject({ reason: 'pin_wrong', params: { attemptsLeft: i } })
    expect(await t.fail('kiosk.exit', { pin: '0000' })).toMatchObject({ reason: 'pin_wrong_locked', params: { until: '2026-07-06T08:01:00.000Z', seconds: 60 } })
    // Locked: even the right PIN is refused, for a minute.
    expect(await t.fail('kiosk.exit', { pin: '2468' })).toMatchObject({ reason: 'pin_locked', params: { seconds: 60 } })
    expect(await t.call('kiosk.status', {})).toMatchObject({ enabled: true, attemptsLeft: 0, lockedUntil: '2026-07-06T08:01:00.000Z' })
    clock += 61_000
    expect(await t.call('kiosk.verifyPin', { pin: '2468' })).toMatchObject({ enabled: true, attemptsLeft: 5 })
    await expect(t.call('settings.get', {})).resolves.toMatchObject({ provider: 'local' })
    expect(await t.call('kiosk.exit', { pin: '2468' })).toMatchObject({ enabled: false })
  })

  it('keeps the lockout across a restart', async () => {
    const clock = Date.parse('2026-07-06T08:00:00Z')
    const t = testDesk({ now: () => clock })
    await t.call('kiosk.setPin', { newPin: '1357' })
    await t.call('kiosk.enter', { selfService: true })
    for (let i = 0; i < 5; i++) await t.fail('kiosk.exit', { pin: '9999' })
    t.desk.close()
    const again = testDesk({ dataDir: t.dataDir, now: () => clock + 1000 })
    expect((await again.fail('kiosk.exit', { pin: '1357' })).message).toMatch(/Too many wrong PINs/)
  })

  it('self-service: nothing listed before 3 characters, emails and phones never unmasked', async () => {
    const t = testDesk()
    const { yoga } = await importStudio(t)
    await t.call('kiosk.setPin', { newPin: '1357' })
    await t.call('kiosk.enter', { selfService: true })
    expect(await t.call('roster.page', { sessionId: yoga.id, search: '', offset: 0, limit: 50 })).toEqual({ total: 0, rows: [] })
    expect(await t.call('roster.page', { sessionId: yoga.id, search: 'an', offset: 0, limit: 50 })).toEqual({ total: 0, rows: [] })
    const { rows } = await t.call('roster.page', { sessionId: yoga.id, search: 'ann', offset: 0, limit: 50 })
    expect(rows[0]).toMatchObject({ name: 'Anna Müller', email: 'a•••@e•••.com', phone: '••• ••67' })
    const checked = await t.call('attendance.checkIn', { sessionId: yoga.id, participationId: rows[0]!.participationId, attendees: 3 })
    expect(checked).toMatchObject({ email: 'a•••@e•••.com', phone: '••• ••67' })
    const scanned = await t.call('attendance.scan', { sessionId: yoga.id, code: 'BK-1002' })
    expect(JSON.stringify(scanned)).not.toMatch(/jose@example\.com|600 111 222/)
    expect(await t.fail('export.roster', { sessionId: yoga.id })).toMatchObject({ reason: 'admin_pin_needed', params: { action: 'export_roster' } })
  })
})

describe('export with chosen columns and stats', () => {
  it('exports only the chosen columns, in the chosen order', async () => {
    const t = testDesk()
    const { spin } = await importStudio(t)
    const file = await t.call('export.roster', { sessionId: spin.id, columns: ['name', 'attendance', 'partySize'] })
    const rows = parse(file.csv, { bom: true }) as string[][]
    expect(rows[0]).toEqual(['Name', 'Attendance', 'Party size'])
    expect(rows).toHaveLength(4)
  })

  it('gives day totals across sessions', async () => {
    const t = testDesk()
    const { yoga } = await importStudio(t)
    await t.call('attendance.scan', { sessionId: yoga.id, code: 'BK-1001' })
    const day = await t.call('stats.day', { date: '2026-07-06', timeZone: 'Europe/Berlin' })
    expect(day.totals).toMatchObject({ arrivedPeople: 3, expectedPeople: 9, participations: 6, capacity: 32, checkedIn: 1 })
    const session = await t.call('stats.session', { sessionId: yoga.id })
    expect(session.arrivals.reduce((n, a) => n + a.people, 0)).toBe(3)
  })
})
