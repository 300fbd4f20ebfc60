import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { fixture, importStudio, lineText, testDesk, ZONE } from './helpers'

describe('roster import (local-only provider)', () => {
  it('creates a session per distinct session column and lists them on their day', async () => {
    const t = testDesk()
    const { result, sessions, yoga, spin } = await importStudio(t)
    expect(result).toMatchObject({ created: 6, updated: 0, unchanged: 0, sessionsCreated: 2 })
    expect(sessions.map((s) => s.title)).toEqual(['Morning Yoga', 'Evening Spin'])
    expect(yoga.startsAt).toBe('2026-07-06T07:00:00.000Z') // 09:00 in Berlin (summer time)
    expect(yoga.timeZone).toBe(ZONE)
    expect(yoga.capacity).toBe(20)
    expect(spin.counts).toMatchObject({ participations: 3, expectedPeople: 3, arrivedPeople: 0, capacity: 12 })
    // The next day has none of them.
    expect((await t.call('sessions.forDay', { date: '2026-07-07', timeZone: ZONE })).sessions).toEqual([])
  })

  it('updates rather than duplicates when the same file is imported again', async () => {
    const t = testDesk()
    await importStudio(t)
    const again = await t.call('import.commit', { csv: fixture('studio-roster.csv'), timeZone: ZONE })
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 6, sessionsCreated: 0 })
    const edited = fixture('studio-roster.csv').replace('Anna Müller,anna.mueller@example.com,+49 170 1234567,3', 'Anna Müller-Schmidt,anna.mueller@example.com,+49 170 1234567,4')
    const third = await t.call('import.commit', { csv: edited, timeZone: ZONE })
    expect(third).toMatchObject({ created: 0, updated: 1, unchanged: 5 })
    const yoga = (await t.call('sessions.forDay', { date: '2026-07-06', timeZone: ZONE })).sessions[0]!
    const page = await t.call('roster.page', { sessionId: yoga.id, search: 'anna', offset: 0, limit: 50 })
    expect(page.rows).toHaveLength(1)
    expect(page.rows[0]).toMatchObject({ name: 'Anna Müller-Schmidt', partySize: 4 })
  })

  it('previews the guessed mapping, sessions and rows without writing anything', async () => {
    const t = testDesk()
    const preview = await t.call('import.preview', { csv: fixture('studio-roster.csv'), timeZone: ZONE })
    expect(preview.mapping).toMatchObject({ name: 'Name', email: 'Email', phone: 'Phone', partySize: 'Party size', externalId: 'Booking id', sessionTitle: 'Session', sessionStart: 'Start', sessionEnd: 'End', sessionCapacity: 'Capacity' })
    expect(preview).toMatchObject({ totalRows: 6, validRows: 6, errors: [] })
    expect(preview.sessions.map((s) => [s.title, s.rows, s.exists])).toEqual([['Morning Yoga', 3, false], ['Evening Spin', 3, false]])
    expect((await t.call('sessions.forDay', { date: '2026-07-06', timeZone: ZONE })).sessions).toEqual([])
  })

  it('imports into a chosen session with a custom column mapping (semicolon file, first/last name)', async () => {
    const t = testDesk()
    const session = await t.call('sessions.create', { title: 'Pilates', startsAt: '2026-07-06T15:00:00Z', endsAt: '2026-07-06T16:00:00Z', timeZone: ZONE, capacity: 10 })
    const csv = 'Vorname;Nachname;Gäste;Mail\nEva;Łukasiewicz;2;eva@example.pl\nTom;Berg;1;\n'
    const preview = await t.call('import.preview', { csv, timeZone: ZONE, targetSessionId: session.id })
    expect(preview.mapping).toMatchObject({ firstName: 'Vorname', lastName: 'Nachname', email: 'Mail' })
    const mapping = { ...preview.mapping, partySize: 'Gäste' }
    const result = await t.call('import.commit', { csv, timeZone: ZONE, targetSessionId: session.id, mapping })
    expect(result).toMatchObject({ created: 2, sessionIds: [session.id] })
    const page = await t.call('roster.page', { sessionId: session.id, search: '', offset: 0, limit: 10 })
    expect(page.rows.map((r) => [r.name, r.partySize])).toEqual([['Eva Łukasiewicz', 2], ['Tom Berg', 1]])
  })
})

describe('bad import input: reported by line, nothing half-imported', () => {
  const header = 'Name,Email,Party size,Session,Start\n'
  const row = (name: string, party = '1') => `${name},${name.toLowerCase().replace(/\W/g, '')}@example.com,${party},Yoga,2026-07-06 09:00\n`

  it('reports a missing name, party sizes 0 and 1001, a malformed row and a 5 MB line, and imports nothing', async () => {
    const t = testDesk()
    const csv =
      header + // line 1
      row('Good One') + // 2
      ',nobody@example.com,1,Yoga,2026-07-06 09:00\n' + // 3 missing name
      row('Zero Party', '0') + // 4
      row('Huge Party', '1001') + // 5
      'Broken,row@example.com,1\n' + // 6 too few columns
      `Long,${'x'.repeat(5 * 1024 * 1024)}@example.com,1,Yoga,2026-07-06 09:00\n` + // 7: a 5 MB line
      row('Good Two') + // 8
      '"Unclosed,quote@example.com,1,Yoga,2026-07-06 09:00\n' + // 9
      row('Good Three') // 10
    const preview = await t.call('import.preview', { csv, timeZone: ZONE })
    const byLine = Object.fromEntries(preview.errors.map((e) => [e.line, lineText(e)]))
    expect(byLine[3]).toMatch(/name is missing/)
    expect(byLine[4]).toMatch(/party size must be a whole number from 1 to 1000 \(found "0"\)/)
    expect(byLine[5]).toMatch(/found "1001"/)
    expect(byLine[6]).toMatch(/expected 5 columns, found 3/)
    expect(byLine[7]).toMatch(/longer than/)
    expect(byLine[9]).toMatch(/never closed|quote/)
    expect(Object.keys(byLine).map(Number)).toEqual([3, 4, 5, 6, 7, 9])

    const error = await t.fail('import.commit', { csv, timeZone: ZONE })
    expect(error.code).toBe('invalid_input')
    expect(error).toMatchObject({ reason: 'import_row_errors', params: { count: 6, line: 3 } })
    expect(error.message).toMatch(/6 rows have errors \(first: line 3: name is missing\)\. Nothing was imported\./)
    expect((await t.call('sessions.forDay', { date: '2026-07-06', timeZone: ZONE })).sessions).toEqual([])
  })

  it('imports only the good rows when the desk chooses to skip the bad ones', async () => {
    const t = testDesk()
    const csv = header + row('Good One') + row('Zero Party', '0') + row('Good Two')
    const result = await t.call('import.commit', { csv, timeZone: ZONE, skipInvalidRows: true })
    expect(result.created).toBe(2)
  })

  it('explains a file with no usable columns', async () => {
    const t = testDesk()
    const error = await t.fail('import.commit', { csv: 'Foo,Bar\n1,2\n', timeZone: ZONE })
    expect(error.message).toMatch(/no column is chosen for the name/)
    const empty = await t.fail('import.preview', { csv: '', timeZone: ZONE })
    expect(empty.message).toMatch(/empty/)
  })
})

describe('search', () => {
  async function rosterNames(t: ReturnType<typeof testDesk>, sessionId: number, search: string) {
    const page = await t.call('roster.page', { sessionId, search, offset: 0, limit: 50 })
    return page.rows.map((r) => r.name)
  }

  it('finds by name prefix regardless of accents and case, by email, phone and booking id', async () => {
    const t = testDesk()
    const { yoga, spin } = await importStudio(t)
    expect(await rosterNames(t, yoga.id, 'mul')).toEqual(['Anna Müller'])
    expect(await rosterNames(t, yoga.id, 'MÜL')).toEqual(['Anna Müller'])
    expect(await rosterNames(t, yoga.id, 'jose alv')).toEqual(['José Álvarez'])
    expect(await rosterNames(t, yoga.id, 'zoe')).toEqual(['Zoë Chen'])
    expect(await rosterNames(t, spin.id, 'soren')).toEqual(['Søren Kierkegaard'])
    expect(await rosterNames(t, yoga.id, 'anna.mue')).toEqual(['Anna Müller'])
    expect(await rosterNames(t, yoga.id, 'bk-1002')).toEqual(['José Álvarez'])
    expect(await rosterNames(t, yoga.id, 'bk100')).toEqual(['Anna Müller', 'José Álvarez', 'Zoë Chen'])
    expect(await rosterNames(t, yoga.id, '1701234')).toEqual(['Anna Müller'])
    expect(await rosterNames(t, yoga.id, '+49 170')).toEqual(['Anna Müller'])
    // Only this session's roster.
    expect(await rosterNames(t, spin.id, 'anna')).toEqual([])
  })

  it('treats search syntax and quotes as plain text', async () => {
    const t = testDesk()
    const { spin } = await importStudio(t)
    expect(await rosterNames(t, spin.id, "o'brien")).toEqual(["O'Brien, Liam"])
    for (const hostile of ['"', 'NEAR(a b)', 'a OR b', '*', '-x', 'name:anna', '(((', '"unterminated', '^start']) {
      await expect(t.call('roster.page', { sessionId: spin.id, search: hostile, offset: 0, limit: 10 })).resolves.toBeDefined()
    }
  })

  it('pages through the roster in name order with a total', async () => {
    const t = testDesk()
    const session = await t.call('sessions.create', { title: 'Big class', startsAt: '2026-07-06T15:00:00Z', endsAt: '2026-07-06T16:00:00Z', timeZone: ZONE, capacity: null })
    const lines = ['Name']
    for (let i = 0; i < 1200; i++) lines.push(`Person ${String(i).padStart(4, '0')}`)
    await t.call('import.commit', { csv: lines.join('\n'), timeZone: ZONE, targetSessionId: session.id })
    const page = await t.call('roster.page', { sessionId: session.id, search: '', offset: 1000, limit: 500 })
    expect(page.total).toBe(1200)
    expect(page.rows).toHaveLength(200)
    expect(page.rows[0]!.name).toBe('Person 1000')
    const found = await t.call('roster.page', { sessionId: session.id, search: 'person 11', offset: 0, limit: 500 })
    expect(found.total).toBe(100)
  })
})

describe('check-in, undo, no-show and counts', () => {
  it('checks in part of a party, adds one more, undoes it, and counts people', async () => {
    let clock = Date.parse('2026-07-06T07:02:00Z')
    const t = testDesk({ now: () => clock })
    const { yoga } = await importStudio(t)
    const anna = (await t.call('roster.page', { sessionId: yoga.id, search: 'anna', offset: 0, limit: 1 })).rows[0]!
    expect(anna.attendance).toMatchObject({ status: 'NOT_SET', attendees: 0, canUndo: false })

    const two = await t.call('attendance.checkIn', { sessionId: yoga.id, participationId: anna.participationId, attendees: 2 })
    expect(two.attendance).toMatchObject({ status: 'ATTENDED', attendees: 2, markedAt: '2026-07-06T07:02:00.000Z', canUndo: true })
    expect(await t.call('roster.counts', { sessionId: yoga.id })).toMatchObject({ arrivedPeople: 2, expectedPeople: 6, checkedIn: 1, capacity: 20, pendingConfirmations: 1 })

    clock += 60_000
    const three = await t.call('attendance.checkIn', { sessionId: yoga.id, participationId: anna.participationId, attendees: 3 })
    expect(three.attendance.attendees).toBe(3)
    const undone = await t.call('attendance.undo', { sessionId: yoga.id, participationId: anna.participationId })
    expect(undone.attendance).toMatchObject({ status: 'ATTENDED', attendees: 2, markedAt: '2026-07-06T07:02:00.000Z', canUndo: false })
    const nothing = await t.fail('attendance.undo', { sessionId: yoga.id, participationId: anna.participationId })
    expect(nothing).toMatchObject({ code: 'refused', message: 'There is nothing to undo for this person.' })

    // Every mark is in the outbox and the audit log, in order.
    const sqlite = t.desk.db.$client
    const ops = sqlite.prepare(`SELECT kind, json_extract(payload, '$.attendees') AS attendees FROM outbox ORDER BY seq`).all()
    expect(ops).toEqual([
      { kind: 'attendance.set', attendees: 2 },
      { kind: 'attendance.set', attendees: 3 },
      { kind: 'attendance.set', attendees: 2 }
    ])
    // A local-only desk has nowhere to send them: they are complete, and nothing shows as pending.
    await t.desk.sync.idle()
    expect(await t.call('sync.status', {})).toMatchObject({ state: 'local', pending: 0, problems: 0 })
    const audit = sqlite.prepare(`SELECT action FROM audit_log WHERE participation_id IS NOT NULL ORDER BY id`).pluck().all()
    expect(audit).toEqual(['check_in', 'check_in', 'undo'])
  })

  it('asks before checking in more people than booked, and refuses cancelled bookings and strangers', async () => {
    const t = testDesk()
    const { yoga, spin } = await importStudio(t)
    const jose = (await t.call('roster.page', { sessionId: yoga.id, search: 'jose', offset: 0, limit: 1 })).rows[0]!
    const refused = await t.fail('attendance.checkIn', { sessionId: yoga.id, participationId: jose.participationId, attendees: 2 })
    expect(refused.message).toBe('José Álvarez booked for 1; confirm to check in 2.')
    const allowed = await t.call('attendance.checkIn', { sessionId: yoga.id, participationId: jose.participationId, attendees: 2, allowOverParty: true })
    expect(allowed.attendance.attendees).toBe(2)
    const stranger = await t.fail('attendance.checkIn', { sessionId: spin.id, participationId: jose.participationId, attendees: 1 })
    expect(stranger.code).toBe('not_found')
    const zero = await t.fail('attendance.checkIn', { sessionId: yoga.id, participationId: jose.participationId, attendees: 0 })
    expect(zero).toMatchObject({ code: 'invalid_input', message: 'attendees: at least one person must arrive' })
  })

  it('marks a no-show, which counts separately and can be undone', async () => {
    const t = testDesk()
    const { spin } = await importStudio(t)
    const liam = (await t.call('roster.page', { sessionId: spin.id, search: 'liam', offset: 0, limit: 1 })).rows[0]!
    const noShow = await t.call('attendance.noShow', { sessionId: spin.id, participationId: liam.participationId })
    expect(noShow.attendance).toMatchObject({ status: 'NOT_ATTENDED', attendees: 0 })
    expect(await t.call('roster.counts', { sessionId: spin.id })).toMatchObject({ noShows: 1, arrivedPeople: 0 })
    const back = await t.call('attendance.undo', { sessionId: spin.id, participationId: liam.participationId })
    expect(back.attendance.status).toBe('NOT_SET')
  })

  it('a double tap does not record a second mark', async () => {
    const t = testDesk()
    const { spin } = await importStudio(t)
    const liam = (await t.call('roster.page', { sessionId: spin.id, search: 'liam', offset: 0, limit: 1 })).rows[0]!
    await t.call('attendance.checkIn', { sessionId: spin.id, participationId: liam.participationId, attendees: 1 })
    await t.call('attendance.checkIn', { sessionId: spin.id, participationId: liam.participationId, attendees: 1 })
    expect(t.desk.db.$client.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(1)
  })

  it('shows a course participation on every session of its course', async () => {
    const t = testDesk()
    const sqlite = t.desk.db.$client
    const now = Date.now()
    const addSession = sqlite.prepare(
      `INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, schedule_id, kind, created_at, updated_at)
       VALUES ('wix', ?, 'Beginners course', ?, ?, 'Europe/Berlin', 'sched-1', 'COURSE', ?, ?)`
    )
    const week1 = Number(addSession.run('ev-1', Date.parse('2026-07-06T16:00:00Z'), Date.parse('2026-07-06T17:00:00Z'), now, now).lastInsertRowid)
    const week2 = Number(addSession.run('ev-2', Date.parse('2026-07-13T16:00:00Z'), Date.parse('2026-07-13T17:00:00Z'), now, now).lastInsertRowid)
    sqlite
      .prepare(
        `INSERT INTO participations (provider, provider_id, schedule_id, name, sort_name, party_size, created_at, updated_at)
         VALUES ('wix', 'p-1', 'sched-1', 'Course Person', 'course person', 1, ?, ?)`
      )
      .run(now, now)
    for (const sessionId of [week1, week2]) {
      const page = await t.call('roster.page', { sessionId, search: 'course', offset: 0, limit: 10 })
      expect(page.rows.map((r) => r.name)).toEqual(['Course Person'])
    }
    const p = (await t.call('roster.page', { sessionId: week1, search: '', offset: 0, limit: 1 })).rows[0]!
    await t.call('attendance.checkIn', { sessionId: week1, participationId: p.participationId, attendees: 1 })
    // Attendance is per session: week 2 is still open.
    expect((await t.call('roster.counts', { sessionId: week1 })).arrivedPeople).toBe(1)
    expect((await t.call('roster.counts', { sessionId: week2 })).arrivedPeople).toBe(0)
  })

  it('keeps the audit log append-only', async () => {
    const t = testDesk()
    await importStudio(t)
    expect(() => t.desk.db.$client.exec('DELETE FROM audit_log')).toThrow(/append-only/)
    expect(() => t.desk.db.$client.exec("UPDATE audit_log SET action = 'x'")).toThrow(/append-only/)
  })
})

describe('CSV export', () => {
  it('exports a session roster that parses back to what the desk did, in the session zone', async () => {
    const t = testDesk({ now: () => Date.parse('2026-07-06T16:35:00Z') })
    const { spin } = await importStudio(t)
    const liam = (await t.call('roster.page', { sessionId: spin.id, search: 'liam', offset: 0, limit: 1 })).rows[0]!
    await t.call('attendance.checkIn', { sessionId: spin.id, participationId: liam.participationId, attendees: 1 })
    const file = await t.call('export.roster', { sessionId: spin.id })
    expect(file.fileName).toBe('rollcall-2026-07-06-evening-spin.csv')
    expect(file.csv.startsWith('\uFEFF')).toBe(true)
    expect(file.csv).toContain('\r\n')
    const records = parse(file.csv, { bom: true, columns: true }) as Record<string, string>[]
    expect(records).toHaveLength(3)
    const liamRow = records.find((r) => r.Name === "O'Brien, Liam")!
    expect(liamRow).toMatchObject({
      Session: 'Evening Spin',
      'Session start': '2026-07-06 18:30',
      'Time zone': 'Europe/Berlin',
      Email: 'liam@example.ie',
      'Party size': '1',
      Attendance: 'Checked in',
      Attendees: '1',
      'Checked in at': '2026-07-06 18:35'
    })
    // The formula in the imported name is neutralised; a phone number keeps its digits.
    const evil = records.find((r) => r.Email === 'evil@example.com')!
    expect(evil.Name).toBe(`'=HYPERLINK("http://evil")`)
    const soren = records.find((r) => r.Email === 'soren@example.dk')!
    expect(soren.Phone).toBe("'+45 20 30 40 50")
    expect(soren.Attendance).toBe('')
  })

  it('exports every session of a day in one file', async () => {
    const t = testDesk()
    await importStudio(t)
    const file = await t.call('export.roster', { date: '2026-07-06', timeZone: ZONE })
    const records = parse(file.csv, { bom: true, columns: true }) as Record<string, string>[]
    expect(file).toMatchObject({ fileName: 'rollcall-2026-07-06.csv', rows: 6 })
    expect(records.map((r) => r.Session)).toEqual(['Morning Yoga', 'Morning Yoga', 'Morning Yoga', 'Evening Spin', 'Evening Spin', 'Evening Spin'])
  })
})
