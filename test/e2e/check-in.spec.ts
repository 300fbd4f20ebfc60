/**
 * The desk's one job, end to end, as a new user does it in local-only mode: import a roster, pick
 * the session, find a person, check in part of a party, take one back, export, read the file.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { expect, ROOT, test } from './fixtures'

const ROSTER = join(ROOT, 'test', 'fixtures', 'studio-roster.csv')

test('import, pick the session, search, check in 2 of 3, undo one, export', async ({ page, desk }, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(desk.deskUrl)

  // Import the sample roster: the preview shows what will happen before anything is written.
  await page.getByRole('button', { name: 'Import roster', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Import roster' })
  await dialog.getByLabel('Roster CSV file').setInputFiles(ROSTER)
  await expect(dialog.getByRole('button', { name: 'Import 6 rows' })).toBeEnabled()
  await dialog.getByRole('button', { name: 'Import 6 rows' }).click()
  await expect(dialog.getByText('Imported: 6 new, 0 updated')).toBeVisible()
  await dialog.getByRole('button', { name: 'Close' }).click()

  // The desk jumps to the imported day; pick the morning class.
  const sessions = page.getByRole('navigation', { name: /^Sessions on / })
  await sessions.getByRole('button', { name: /Morning Yoga/ }).click()
  const search = page.getByLabel('Search roster')
  await expect(search).toBeFocused()
  await expect(page.getByRole('main').getByText(/0 of 6 arrived · capacity 20/)).toBeVisible()

  // Find Anna by typing without the umlaut; her party of 3 arrives, but only 2 of them so far.
  await search.fill('muller')
  const roster = page.getByRole('list', { name: /Roster/ })
  await expect(roster.getByRole('listitem')).toHaveCount(1)
  await page.getByRole('button', { name: 'Fewer arriving for Anna Müller' }).click()
  await page.getByRole('button', { name: 'Check in Anna Müller' }).click()
  await expect(roster.getByText('2 of 3 arrived')).toBeVisible()
  await expect(page.getByRole('main').getByText(/2 of 6 arrived · capacity 20/)).toBeVisible()
  await expect(search).toBeFocused()
  await page.screenshot({ path: testInfo.outputPath('roster-checked-in.png') })

  // One of the two turns out not to be here yet: take one back.
  await page.getByRole('button', { name: 'One fewer arrived for Anna Müller' }).click()
  await expect(roster.getByText('1 of 3 arrived')).toBeVisible()
  await expect(page.getByRole('main').getByText(/1 of 6 arrived · capacity 20/)).toBeVisible()

  // José is checked in by mistake and undone.
  await search.fill('jose')
  await page.getByRole('button', { name: 'Check in José Álvarez' }).click()
  await expect(roster.getByText('1 of 1 arrived')).toBeVisible()
  await page.getByRole('button', { name: 'Undo last mark for José Álvarez' }).click()
  await expect(page.getByRole('button', { name: 'Check in José Álvarez' })).toBeVisible()

  // Export the session and read the file the desk would open in Excel.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export roster CSV' }).click()])
  expect(download.suggestedFilename()).toBe('rollcall-2026-07-06-morning-yoga.csv')
  const file = readFileSync((await download.path())!, 'utf8')
  expect(file.charCodeAt(0)).toBe(0xfeff)
  const rows = parse(file, { bom: true, columns: true }) as Record<string, string>[]
  expect(rows.map((r) => r.Name)).toEqual(['Anna Müller', 'José Álvarez', 'Zoë Chen'])
  const anna = rows.find((r) => r.Name === 'Anna Müller')!
  expect(anna).toMatchObject({ 'Party size': '3', Attendance: 'Checked in', Attendees: '1', 'Time zone': expect.any(String) })
  expect(anna['Checked in at']).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
  expect(rows.find((r) => r.Name === 'José Álvarez')).toMatchObject({ Attendance: '', Attendees: '0', 'Checked in at': '' })
})

test('a file with bad rows is reported line by line and nothing is imported', async ({ page, desk }) => {
  await page.goto(desk.deskUrl)
  await page.getByRole('button', { name: 'Import roster', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Import roster' })
  const csv = 'Name,Party size,Session,Start\nGood,1,Yoga,2026-07-06 09:00\n,1,Yoga,2026-07-06 09:00\nBig,1001,Yoga,2026-07-06 09:00\n'
  await dialog.getByLabel('Roster CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await expect(dialog.getByText(/Line 3: name is missing/)).toBeVisible()
  await expect(dialog.getByText(/Line 4: party size must be a whole number from 1 to 1000 \(found "1001"\)/)).toBeVisible()
  await expect(dialog.getByRole('button', { name: /^Import \d+ rows?$/ })).toBeDisabled()
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await page.getByRole('button', { name: 'Today' }).click()
})
