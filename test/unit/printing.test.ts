/**
 * Printing at the desk: the print log (a second badge asks first), attendance sheets (sorted by
 * last name, arrivals pre-ticked, 100,000 rows streamed without holding the sheet), row codes with
 * a check character, and paper marks entered back in after an outage: normal marks flagged "from
 * paper", sent to the booking system exactly once.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import { afterEach, describe, expect, it } from 'vitest'
import { parseRowCode, rowCode } from '../../src/main/print'
import { lastNameKey } from '../../src/main/print/service'
import { startFakePlandocket, type FakePlandocket } from '../fakes/plandocket'
import { importStudio, testDesk, waitFor, ZONE, type TestDesk } from './helpers'

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const CHECK = ALPHABET + '*~$=U'

describe('row codes', () => {
  it('read back to the same person, and every single wrong character or swap of neighbours is a typo', () => {
    for (const id of [1, 2, 31, 32, 1000, 99_999, 123_456, 1_000_000, 987_654_321]) {
      const code = rowCode(id)
      expect(code).toMatch(/^[0-9A-Z]{3,}-[0-9A-Z*~$=]$/)
      expect(parseRowCode(code)).toEqual({ ok: true, participationId: id })
      // Typed loosely: lower case, no dash, O for 0, l for 1.
      expect(parseRowCode(code.toLowerCase().replace('-', ' ').replace(/0/g, 'o').replace(/1/g, 'l'))).toEqual({ ok: true, participationId: id })
      const plain = code.replace('-', '')
      for (let i = 0; i < plain.length; i++) {
        for (const c of i === plain.length - 1 ? CHECK : ALPHABET) {
          if (c === plain[i]) continue
          const wrong = plain.slice(0, i) + c + plain.slice(i + 1)
          // A typo, or (a code of all zeros) no code at all: never somebody else.
          expect(parseRowCode(wrong).ok, `${code} with ${c} at ${i}`).toBe(false)
        }
        if (i + 1 < plain.length && plain[i] !== plain[i + 1]) {
          const swapped = plain.slice(0, i) + plain[i + 1] + plain[i] + plain.slice(i + 2)
          expect(parseRowCode(swapped).ok, `${code} swapped at ${i}`).toBe(false)
        }
      }
    }
    expect(parseRowCode(rowCode(1234).replace(/.$/, (c) => (c === '0' ? '1' : '0')))).toEqual({ ok: false, problem: 'typo' })
    expect(parseRowCode('hello!')).toEqual({ ok: false, problem: 'not_a_code' })
    expect(parseRowCode('A1')).toEqual({ ok: false, problem: 'not_a_code' })
  })

  it('sorts by last name', () => {
    expect(['Zoë Adams', 'Anna Müller', 'Ben de Vries', 'Carl Zander', 'Madonna'].sort((a, b) => (lastNameKey(a) < lastNameKey(b) ? -1 : 1))).toEqual([
      'Zoë Adams',
      'Madonna',
      'Anna Müller',
      'Ben de Vries',
      'Carl Zander'
    ])
  })
})

describe('print log', () => {
  it('a second badge asks first (when and where), is recorded again when wanted, and is in the audit log and the export', async () => {
    let clock = Date.parse('2026-07-06T07:14:00Z')
    const t = testDesk({ now: () => clock })
    const { yoga } = await importStudio(t)
    const anna = (await t.call('roster.page', { sessionId: yoga.id, search: 'Anna', offset: 0, limit: 10 })).rows[0]!
    await t.call('attendance.checkIn', { sessionId: yoga.id, participationId: anna.participationId, attendees: 3 })
    await t.call('print.saveBadgeSettings', { sessionId: yoga.id, printOnCheckIn: true, layout: 'label_62x100', field: 'party_size' })

    const first = await t.call('print.badge', { sessionId: yoga.id, participationId: anna.participationId })
    expect(first).toMatchObject({ outcome: 'printed', name: 'Anna Müller', layout: 'label_62x100', widthMm: 62, heightMm: 100, delivered: 'window' })
    const html = t.desk.print.badgeDocument(first.outcome === 'printed' ? first.printId : 0, 'en').html
    expect(html).toContain('Anna Müller')
    expect(html).toContain('3 people')
    expect(html).toContain('size:62mm 100mm')

    clock += 20 * 60_000
    const second = await t.call('print.badge', { sessionId: yoga.id, participationId: anna.participationId })
    expect(second).toEqual({ outcome: 'ask', name: 'Anna Müller', previous: { at: '2026-07-06T07:14:00.000Z', deskName: t.desk.info.deskName, layout: 'label_62x100' } })
    const again = await t.call('print.badge', { sessionId: yoga.id, participationId: anna.participationId, again: true })
    expect(again.outcome).toBe('printed')

    const { entries } = await t.call('audit.list', { sessionId: yoga.id, beforeId: null, limit: 50 })
    const prints = entries.filter((e) => e.action === 'badge_print')
    expect(prints.map((e) => e.details)).toEqual([
      { layout: 'label_62x100', deskName: t.desk.info.deskName, again: true },
      { layout: 'label_62x100', deskName: t.desk.info.deskName }
    ])
    expect(prints.every((e) => e.personName === 'Anna Müller')).toBe(true)

    const { csv } = await t.call('export.roster', { sessionId: yoga.id, columns: ['name', 'badgePrinted'] })
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n')
    expect(lines[0]).toBe('Name,Badge printed')
    expect(lines).toContain(`Anna Müller,2026-07-06 09:34 ${t.desk.info.deskName} (×2)`)
    expect(lines).toContain('José Álvarez,')
  })

  it('a kiosk prints a first badge but a second one needs the admin PIN', async () => {
    const t = testDesk()
    const { yoga } = await importStudio(t)
    const anna = (await t.call('roster.page', { sessionId: yoga.id, search: 'Anna', offset: 0, limit: 10 })).rows[0]!
    await t.call('kiosk.setPin', { newPin: '2468' })
    await t.call('kiosk.enter', { selfService: true })
    expect((await t.call('print.badge', { sessionId: yoga.id, participationId: anna.participationId })).outcome).toBe('printed')
    expect((await t.call('print.badge', { sessionId: yoga.id, participationId: anna.participationId })).outcome).toBe('ask')
    expect(await t.fail('print.badge', { sessionId: yoga.id, participationId: anna.participationId, again: true })).toMatchObject({
      code: 'refused',
      reason: 'admin_pin_needed',
      params: { action: 'reprint_badge' }
    })
  })
})

describe('attendance sheet', () => {
  it('lists everyone by last name with a row code and its QR, pre-ticks arrivals with their time, and says how to use it', async () => {
    let clock = Date.parse('2026-07-06T07:05:00Z')
    const t = testDesk({ now: () => clock })
    const { yoga } = await importStudio(t)
    const rows = (await t.call('roster.page', { sessionId: yoga.id, search: '', offset: 0, limit: 100 })).rows
    const jose = rows.find((r) => r.name.startsWith('José'))!
    await t.call('attendance.checkIn', { sessionId: yoga.id, participationId: jose.participationId, attendees: 1 })
    clock += 5 * 60_000
    const sheet = await t.call('print.sheet', { sessionId: yoga.id, language: 'en' })
    expect(sheet).toMatchObject({ printedAt: '2026-07-06T07:10:00.000Z', rows: rows.length, document: `/print/sheet/${sheet.sheetId}?lang=en`, delivered: 'window' })
    const html = [...t.desk.print.sheetDocument(sheet.sheetId, 'en')].join('')
    expect(html).toContain('How to use this sheet')
    expect(html).toContain('Printed 6 Jul 2026, 09:10')
    const names = [...html.matchAll(/<td class="name" dir="auto">([^<]*)<\/td>/g)].map((m) => m[1])
    expect(names).toHaveLength(rows.length)
    expect([...names].sort((a, b) => (lastNameKey(a!) < lastNameKey(b!) ? -1 : 1))).toEqual(names)
    // José arrived at 09:05, before the sheet: ticked with his time; the others are empty boxes.
    expect(html).toMatch(new RegExp(`<span>✓</span></td><td class="name" dir="auto">José Álvarez</td><td class="party">1</td><td class="arrived">09:05</td><td class="code">${rowCode(jose.participationId)}</td>`))
    expect((html.match(/<span>✓<\/span>/g) ?? []).length).toBe(1)
    expect(html).toContain(`aria-label="${rowCode(jose.participationId)}"`)
    const { entries } = await t.call('audit.list', { sessionId: yoga.id, beforeId: null, limit: 50 })
    expect(entries.find((e) => e.action === 'sheet_print')?.details).toEqual({ rows: rows.length })
  })

  it('writes a 100,000-person sheet through a heap smaller than the sheet (streamed in pieces)', { timeout: 180_000 }, async () => {
    const t = testDesk({ now: () => Date.parse('2026-07-06T07:00:00Z') })
    const session = await t.call('sessions.create', { title: 'Expo hall', startsAt: '2026-07-06T07:00:00Z', endsAt: '2026-07-06T16:00:00Z', timeZone: ZONE, capacity: null })
    const sqlite = t.desk.db.$client
    const insert = sqlite.prepare(
      `INSERT INTO participations (provider, provider_id, session_id, name, sort_name, party_size, status, created_at, updated_at)
       VALUES ('local', ?, ?, ?, ?, 1, 'CONFIRMED', 0, 0)`
    )
    sqlite.transaction(() => {
      for (let i = 0; i < 100_000; i++) {
        const name = `Visitor${i % 977} Family${(i * 7919) % 100_003}`
        insert.run(`p${i}`, session.id, name, name.toLowerCase())
      }
    })()
    const sheet = await t.call('print.sheet', { sessionId: session.id, language: 'de' })
    expect(sheet.rows).toBe(100_000)
    t.desk.close()
    // The whole sheet is well over 100 MB of text; a desk with a 96 MB heap writes it through.
    const child = spawnSync(process.execPath, ['--max-old-space-size=96', '--import', 'tsx', join(__dirname, 'print-sheet-child.ts'), t.dataDir, String(sheet.sheetId)], {
      encoding: 'utf8',
      timeout: 170_000
    })
    expect(child.status, child.stderr).toBe(0)
    const out = JSON.parse(child.stdout) as { bytes: number; rows: number }
    expect(out.rows).toBe(100_000)
    expect(out.bytes).toBeGreaterThan(100_000_000)
  })
})

describe('paper back in', () => {
  const fakes: FakePlandocket[] = []
  afterEach(async () => {
    for (const f of fakes.splice(0)) await f.close()
  })
  const DAY = '2026-07-06'
  const EVENT = { event_key: 'summit-2026', title: 'Summit 2026', date_from: '2026-07-06T07:00:00Z', date_to: '2026-07-06T16:00:00Z', is_visible: true }
  const OTHER = { event_key: 'workshop', title: 'Workshop B', date_from: '2026-07-06T12:00:00Z', date_to: '2026-07-06T14:00:00Z', is_visible: true }

  async function pull(t: TestDesk) {
    const start = DateTime.fromISO(DAY, { zone: ZONE })
    await t.desk.sync.requestPull({ kind: 'day', from: start.toMillis(), to: start.plus({ days: 1 }).toMillis(), timeZone: ZONE })
    await t.desk.sync.idle()
    const { sessions } = await t.call('sessions.forDay', { date: DAY, timeZone: ZONE })
    for (const s of sessions) {
      await t.desk.sync.requestPull({ kind: 'session', sessionId: s.id })
      await t.desk.sync.idle()
    }
    return { summit: sessions.find((s) => s.providerId === EVENT.event_key)!, workshop: sessions.find((s) => s.providerId === OTHER.event_key)! }
  }

  it('a sheet worked on paper comes back: a typo is caught, another session’s code refused, marks flagged from paper reach Plandocket once', { timeout: 60_000 }, async () => {
    const fake = await startFakePlandocket({ seed: 19 })
    fakes.push(fake)
    fake.addEvent(EVENT)
    fake.addEvent(OTHER)
    fake.seedMany(4, EVENT.event_key, (i) => ({ contact: { first_name: ['Ada', 'Ben', 'Cleo', 'Dan'][i], last_name: 'Paper' } }))
    fake.seedMany(1, OTHER.event_key, () => ({ contact: { first_name: 'Olga', last_name: 'Other' } }))
    let clock = Date.parse('2026-07-06T07:00:00Z')
    const t = testDesk({ now: () => clock, syncTimerMs: 25, backoff: { baseMs: 5, capMs: 40, random: () => 0.5 }, providerTimeoutMs: 1_000 })
    await t.call('settings.save', { provider: 'plandocket', plandocket: { baseUrl: fake.baseUrl, apiKey: fake.apiKey } })
    const { summit, workshop } = await pull(t)
    const rows = (await t.call('roster.page', { sessionId: summit.id, search: '', offset: 0, limit: 50 })).rows
    const who = (first: string) => rows.find((r) => r.name.startsWith(first))!
    const olga = (await t.call('roster.page', { sessionId: workshop.id, search: '', offset: 0, limit: 50 })).rows[0]!

    // Ada arrives before the outage; the sheet is printed at 09:10 as the network goes.
    await t.call('attendance.checkIn', { sessionId: summit.id, participationId: who('Ada').participationId, attendees: 1 })
    await waitFor(async () => (await t.call('sync.status', {})).pending === 0, 20_000, 'Ada to reach Plandocket')
    clock = Date.parse('2026-07-06T07:10:00Z')
    const sheet = await t.call('print.sheet', { sessionId: summit.id, language: 'en' })
    await fake.down()

    // After the outage, at 10:30, the ticks are typed in.
    clock = Date.parse('2026-07-06T08:30:00Z')
    const ben = rowCode(who('Ben').participationId)
    const typo = ben.slice(0, -2) + (ben.at(-2) === '7' ? '8' : '7') + ben.slice(-1)
    const paper = (code: string, writtenAt: string | null = null) => t.call('print.paperMark', { sessionId: summit.id, code, writtenAt })
    expect(await paper(typo)).toMatchObject({ outcome: 'typo', name: null, row: null })
    expect(await paper(rowCode(olga.participationId))).toMatchObject({ outcome: 'wrong_session', name: 'Olga Other', otherSession: { title: 'Workshop B' } })
    expect(await paper(ben)).toMatchObject({ outcome: 'marked', name: 'Ben Paper', markedAt: sheet.printedAt })
    expect(await paper(rowCode(who('Cleo').participationId), '2026-07-06T07:42:00.000Z')).toMatchObject({ outcome: 'marked', markedAt: '2026-07-06T07:42:00.000Z' })
    expect(await paper(rowCode(who('Ada').participationId))).toMatchObject({ outcome: 'already', name: 'Ada Paper' })
    // The same tick typed twice is not applied twice.
    expect(await paper(ben)).toMatchObject({ outcome: 'already' })
    expect(await t.fail('print.paperMark', { sessionId: summit.id, code: rowCode(who('Dan').participationId), writtenAt: '2026-07-06T09:00:00.000Z' })).toMatchObject({
      reason: 'paper_time_in_future'
    })
    // Olga's session is untouched, Dan never arrived.
    expect((await t.call('roster.page', { sessionId: workshop.id, search: '', offset: 0, limit: 5 })).rows[0]!.attendance.status).toBe('NOT_SET')

    await fake.up()
    await waitFor(async () => (await t.call('sync.status', {})).pending === 0, 20_000, 'the paper marks to reach Plandocket')
    const open = fake.checkIns().filter((c) => c.is_checked_in)
    const seeded = new Map(rows.map((r) => [r.name, r]))
    expect(open).toHaveLength(3)
    expect(fake.requests('POST /check-ins').filter((r) => r.status < 300)).toHaveLength(3)
    expect(open.every((c) => c.station === t.desk.info.deskName)).toBe(true)
    expect(seeded.size).toBe(4)

    const { entries } = await t.call('audit.list', { sessionId: summit.id, beforeId: null, limit: 50 })
    const fromPaper = entries.filter((e) => (e.details as { fromPaper?: boolean } | null)?.fromPaper)
    expect(fromPaper.map((e) => e.personName).sort()).toEqual(['Ben Paper', 'Cleo Paper'])
    expect(fromPaper.every((e) => e.sync?.state === 'done')).toBe(true)
    const { csv } = await t.call('export.roster', { sessionId: summit.id, columns: ['name', 'checkedInAt', 'fromPaper'] })
    expect(csv.replace(/^\uFEFF/, '').split('\r\n')).toEqual([
      'Name,Checked in at,From paper',
      'Ada Paper,2026-07-06 09:00,',
      'Ben Paper,2026-07-06 09:10,yes',
      'Cleo Paper,2026-07-06 09:42,yes',
      'Dan Paper,,',
      ''
    ])
  })
})
