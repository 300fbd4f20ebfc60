/**
 * What a person ticks in the export's column picker is what the file's header row says, in the
 * window's language: the header is compared with the labels the window's own dictionaries (en, de)
 * give the picker, and the desk's words in the cells follow the same language.
 */
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { de } from '../../src/renderer/src/lib/messages/de'
import { en } from '../../src/renderer/src/lib/messages/en'
import { EXPORT_COLUMNS } from '../../src/shared/export-columns'
import { importStudio, testDesk, ZONE } from './helpers'

const header = (csv: string) => (parse(csv, { bom: true, to_line: 1 }) as string[][])[0]

describe('export header row', () => {
  it.each([
    ['en', en],
    ['de', de]
  ] as const)('equals the picker labels in %s, for all columns and for a pick', async (language, messages) => {
    const t = testDesk()
    const { yoga } = await importStudio(t)
    const labels = messages.export.columnLabels
    const all = await t.call('export.roster', { sessionId: yoga.id, language })
    expect(header(all.csv)).toEqual(EXPORT_COLUMNS.map((c) => labels[c]))
    const picked = ['externalId', 'name', 'checkedInBy'] as const
    const some = await t.call('export.roster', { date: '2026-07-06', timeZone: ZONE, columns: [...picked], language })
    expect(header(some.csv)).toEqual(picked.map((c) => labels[c]))
  })

  it('says "Checked in by (desk)" and "Booking reference" as the picker does, and English when no language is given', async () => {
    const t = testDesk()
    const { yoga } = await importStudio(t)
    const file = await t.call('export.roster', { sessionId: yoga.id, columns: ['name', 'checkedInBy', 'externalId'] })
    expect(header(file.csv)).toEqual(['Name', 'Checked in by (desk)', 'Booking reference'])
  })

  it("writes the desk's own words in the cells in the same language", async () => {
    const t = testDesk()
    const { yoga } = await importStudio(t)
    const anna = (await t.call('roster.page', { sessionId: yoga.id, search: 'anna', offset: 0, limit: 1 })).rows[0]!
    await t.call('attendance.checkIn', { sessionId: yoga.id, participationId: anna.participationId, attendees: 1 })
    const rows = (language: 'en' | 'de') =>
      t.call('export.roster', { sessionId: yoga.id, columns: ['name', 'attendance'], language }).then((f) => parse(f.csv, { bom: true, from_line: 2 }) as string[][])
    expect((await rows('de')).find((r) => r[0] === 'Anna Müller')).toEqual(['Anna Müller', 'Eingecheckt'])
    expect((await rows('en')).find((r) => r[0] === 'Anna Müller')).toEqual(['Anna Müller', 'Checked in'])
  })

  it('refuses a language the window does not have, and exports nothing', async () => {
    const t = testDesk()
    const { yoga } = await importStudio(t)
    expect(await t.fail('export.roster', { sessionId: yoga.id, language: 'fr' })).toMatchObject({ code: 'invalid_input' })
  })
})
