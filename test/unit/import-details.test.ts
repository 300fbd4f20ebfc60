/**
 * A ticketing tool's export as a European desk gets it: the booking reference column under any of
 * its usual names (English and German) is guessed without help, so re-importing the file updates
 * people instead of adding them twice; and a file whose last lines were appended in an editor that
 * writes other line endings reports exactly its broken lines, each with its own reason.
 */
import { describe, expect, it } from 'vitest'
import { guessMapping, parseCsv } from '../../src/main/providers/local'
import { lineText, testDesk, ZONE } from './helpers'

const REFERENCE_HEADERS = [
  'Order #', 'Order number', 'Order no.', 'Order No', 'Order ID', 'Booking ID', 'Booking reference', 'Ticket code', 'Ticket-Code',
  'Reference', 'Ref.', 'Barcode #', 'Bestellnummer', 'Bestell-Nr.', 'Bestellnr', 'Buchungsnummer', 'Buchungs-Nr.', 'Buchungs-ID',
  'Ticketcode', 'Ticketnummer', 'Referenz', 'Referenznummer', 'Auftragsnummer'
]

describe('column guess: the booking reference', () => {
  it.each(REFERENCE_HEADERS)('"%s" is proposed as the booking reference', (header) => {
    const mapping = guessMapping(['Name', 'E-Mail', header, 'Event', 'Datum'])
    expect(mapping).toMatchObject({ name: 'Name', email: 'E-Mail', externalId: header, sessionTitle: 'Event', sessionStart: 'Datum' })
  })

  it('a ticketing export: the per-ticket code wins over the order number, and "Attendee #" is not the name', () => {
    const headers = ['Order #', 'Order date', 'Attendee #', 'First name', 'Last name', 'Email', 'Ticket type', 'Ticket code', 'Quantity', 'Event', 'Start']
    expect(guessMapping(headers)).toMatchObject({
      externalId: 'Ticket code', firstName: 'First name', lastName: 'Last name', name: null, email: 'Email',
      partySize: 'Quantity', sessionTitle: 'Event', sessionStart: 'Start'
    })
    const german = ['Bestell-Nr.', 'Vorname', 'Nachname', 'E-Mail', 'Anzahl', 'Veranstaltung', 'Beginn']
    expect(guessMapping(german)).toMatchObject({ externalId: 'Bestell-Nr.', firstName: 'Vorname', lastName: 'Nachname', partySize: 'Anzahl' })
  })

  it('with the guessed "Order #" a re-import updates the people it imported, without help', async () => {
    const t = testDesk()
    const file = (email: string) =>
      ['Order #,Name,Email,Event,Start', `A-1001,Anna Müller,${email},Yoga,2026-07-06 09:00`, 'A-1002,Ben Berg,ben@example.com,Yoga,2026-07-06 09:00'].join('\r\n')
    const preview = await t.call('import.preview', { csv: file('anna@example.com'), timeZone: ZONE })
    expect(preview.mapping.externalId).toBe('Order #')
    expect(await t.call('import.commit', { csv: file('anna@example.com'), timeZone: ZONE })).toMatchObject({ created: 2 })
    // Anna changed her email in the ticketing tool: the same order, the same person.
    expect(await t.call('import.commit', { csv: file('anna.mueller@example.de'), timeZone: ZONE })).toMatchObject({ created: 0, updated: 1, unchanged: 1 })
    const { sessions } = await t.call('sessions.forDay', { date: '2026-07-06', timeZone: ZONE })
    const rows = (await t.call('roster.page', { sessionId: sessions[0]!.id, search: '', offset: 0, limit: 10 })).rows
    expect(rows.map((r) => [r.name, r.email, r.externalId])).toEqual([
      ['Anna Müller', 'anna.mueller@example.de', 'A-1001'],
      ['Ben Berg', 'ben@example.com', 'A-1002']
    ])
  })
})

describe('mixed line endings', () => {
  const HEADER = 'Name,Email,Session,Start'
  const ok = (name: string) => `${name},${name.toLowerCase().replace(/\W+/g, '.')}@example.com,Yoga,2026-07-06 09:00`
  // Lines 1–6 saved with CRLF (a quoted value with a CRLF inside on 4–5), lines 7–12 appended with LF.
  const crlf = [HEADER, ok('Anna'), `${ok('Ben')},extra`, '"Cem\r\nJunior",cem@example.com,Yoga,2026-07-06 09:00', ok('Dana')].join('\r\n')
  const lf = [ok('Eve'), 'Finn "the fin" Berg,finn@example.com,Yoga,2026-07-06 09:00', 'Gus,gus@example.com,Yoga', ok('Hal'), '', ok('Ida'), 'Jo,"jo@example.com,Yoga,2026-07-06 09:00', ok('Kim')].join('\n')
  const csv = `${crlf}\r\n${lf}\n`

  it('reads every good line and reports exactly the broken ones, each with its own reason', () => {
    const parsed = parseCsv(csv)
    expect(parsed.headers).toEqual(['Name', 'Email', 'Session', 'Start'])
    expect(parsed.records.map((r) => [r.line, r.cells[0]])).toEqual([
      [2, 'Anna'], [4, 'Cem\r\nJunior'], [6, 'Dana'], [7, 'Eve'], [10, 'Hal'], [12, 'Ida'], [14, 'Kim']
    ])
    expect(parsed.errors.map((e) => [e.line, e.problems])).toEqual([
      [3, [{ reason: 'csv_column_count', params: { expected: 4, found: 5 } }]],
      [8, [{ reason: 'csv_quote_misplaced', params: {} }]],
      [9, [{ reason: 'csv_column_count', params: { expected: 4, found: 3 } }]],
      [13, [{ reason: 'csv_quote_not_closed', params: {} }]]
    ])
  })

  it('the import preview tells the desk the same lines, and the good rows import', async () => {
    const t = testDesk()
    const preview = await t.call('import.preview', { csv, timeZone: ZONE })
    expect(preview.errors.map((e) => `line ${e.line}: ${lineText(e)}`)).toEqual([
      'line 3: expected 4 columns, found 5',
      'line 8: a quote mark is in the wrong place (quote the whole value and double quotes inside it)',
      'line 9: expected 4 columns, found 3',
      'line 13: a quoted value is never closed'
    ])
    expect(preview).toMatchObject({ totalRows: 11, validRows: 7 })
    const result = await t.call('import.commit', { csv, timeZone: ZONE, skipInvalidRows: true })
    expect(result).toMatchObject({ created: 7 })
  })

  it('the same file with one kind of line end everywhere reads the same', () => {
    const lfOnly = parseCsv(csv.replace(/\r\n/g, '\n'))
    const mixed = parseCsv(csv)
    expect(lfOnly.errors.map((e) => [e.line, e.problems])).toEqual(mixed.errors.map((e) => [e.line, e.problems]))
    expect(lfOnly.records.map((r) => r.line)).toEqual(mixed.records.map((r) => r.line))
  })
})
