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
    expect(first).toMatchObject({ outcome: 'checked_in', message: 'Anna Müller checked in (party of 3).', row: { attendance: { status: 'ATTENDED', attendees: 3 } } })
    const again = await t.call('attendance.scan', { sessionId: yoga.id, code: 'bk1001' })
    expect(again).toMatchObject({ outcome: 'already', message: 'Anna Müller is already checked in.' })
    expect(again.row!.attendance.deskId).toBe(t.desk.info.deskId)
    expect(t.desk.db.$client.prepare(`SELECT json_extract(payload, '$.method') FROM outbox`).pluck().all()).toEqual(['scan'])
  })

  it('answers an unknown code and a code of another session without changing anything', async () => {
    const t = testDesk()
    const { yoga } = await importStudio(t)
    const before = t.desk.db.$client.prepare('SELECT count(*) FROM outbox').pluck().get()
    expect(await t.call('attendance.scan', { sessionId: yoga.id, code: 'NOPE-999' })).toMatchObject({ outcome: 'unknown', row: null })
    const wrong = await t.call('attendance.scan', { sessionId: yoga.id, code: 'BK-1004' })
    expect(wrong).toMatchObject({ outcome: 'wrong_session', message: 'Søren Kierkegaard is booked for “Evening Spin”, not this session.', otherSession: { title: 'Evening Spin' } })
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
    expect((await t.fail('kiosk.enter', { selfService: false })).message).toMatch(/Set an admin PIN first/)
    await t.call('kiosk.setPin', { newPin: '2468' })
    expect(await t.call('kiosk.enter', { selfService: false })).toMatchObject({ enabled: true, pinSet: true, attemptsLeft: 5 })

    expect((await t.fail('settings.get', {})).message).toBe('Enter the admin PIN to open set-up in kiosk mode.')
    expect((await t.fail('import.commit', { csv: 'Name\nX', timeZone: 'UTC' })).message).toMatch(/admin PIN to import/)
    for (let i = 4; i >= 1; i--) expect((await t.fail('kiosk.exit', { pin: '0000' })).message).toBe(`Wrong PIN. ${i} attempt(s) left.`)
    expect((await t.fail('kiosk.exit', { pin: '0000' })).message).toBe('Wrong PIN. PIN entry is locked for one minute.')
    // Locked: even the right PIN is refused, for a minute.
    expect((await t.fail('kiosk.exit', { pin: '2468' })).message).toBe('Too many wrong PINs: try again in 60 s.')
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
    expect((await t.fail('export.roster', { sessionId: yoga.id })).message).toMatch(/admin PIN/)
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
