/**
 * Attendance history at the browser desk (issue 20): a class series seeded through the desk's own
 * calls (import, check-ins, no-shows on six past weeks), then today's roster shows "First visit",
 * the visit's number and "3 no-shows"; the person's details and the class's no-show stats agree;
 * German wording; a self-service kiosk shows none of it. Saves the screenshots of those rows.
 */
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { DateTime } from 'luxon'
import { HISTORY_ZONE, seedHistory } from '../history/seed'
import { expect, ROOT, test, type DeskHandle } from './fixtures'

const SHOTS = join(ROOT, 'docs', 'screenshots')

test.use({ timezoneId: HISTORY_ZONE, locale: 'en-GB' })

async function seed(page: Page, desk: DeskHandle) {
  const call = async <T,>(name: string, data: Record<string, unknown>): Promise<T> => {
    const res = await page.request.post(`${desk.origin}api/${name}`, { headers: { Authorization: `Bearer ${desk.token}` }, data })
    const body = (await res.json()) as { ok: boolean; value: T; error?: { message: string } }
    if (!body.ok) throw new Error(`${name}: ${body.error?.message}`)
    return body.value
  }
  const today = DateTime.now().setZone(HISTORY_ZONE).toISODate()!
  await seedHistory(call, today)
  return call
}

async function openYoga(page: Page, desk: DeskHandle) {
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(desk.deskUrl)
  await page.getByRole('navigation', { name: /^Sessions on / }).getByRole('button', { name: /Morning Yoga/ }).click()
  await expect(page.getByLabel('Search roster')).toBeFocused()
  return page.getByRole('list', { name: 'Roster' })
}

test('the roster shows first visits, visit numbers and repeated no-shows; details and stats agree; German', async ({ page, desk }) => {
  test.setTimeout(90_000)
  await seed(page, desk)
  const roster = await openYoga(page, desk)
  let row = (name: string, text?: string) => roster.getByRole('listitem').filter({ hasText: name }).filter({ hasText: text ?? name })

  await expect(row('Cleo Park').getByRole('button', { name: /^Attendance history of Cleo Park/ })).toHaveText('First visit')
  await expect(row('Ben Okafor').getByRole('button', { name: /^Attendance history of Ben Okafor/ })).toHaveText('3 no-shows')
  await expect(row('Ada Lovelace', 'ada@example.com').getByRole('button', { name: /Attendance history/ })).toHaveText('9th visit')
  // Same name, another email: another person, on a first visit.
  await expect(row('Ada Lovelace', 'a.lovelace@other.example').getByRole('button', { name: /Attendance history/ })).toHaveText('First visit')
  await expect(row('Eve Stone').getByRole('button', { name: /Attendance history/ })).toHaveText('3rd visit')
  // Nothing to know Finn by: no badge rather than a guess by name.
  await expect(row('Finn').getByRole('button', { name: /Attendance history/ })).toHaveCount(0)

  await page.mouse.move(0, 0)
  await row('Cleo Park').screenshot({ path: join(SHOTS, 'history-first-visit.png') })
  await row('Ben Okafor').screenshot({ path: join(SHOTS, 'history-no-shows.png') })
  await page.screenshot({ path: join(SHOTS, 'history-roster.png') })

  // The details: this class and every session, the latest sessions.
  await row('Ben Okafor').getByRole('button', { name: /Attendance history/ }).click()
  const details = page.getByRole('dialog', { name: 'History: Ben Okafor' })
  await expect(details.getByRole('region', { name: 'This class: Morning Yoga' })).toContainText('No-shows in the last 5 booked sessions3 / 5')
  await expect(details.getByRole('region', { name: 'This class: Morning Yoga' })).toContainText('Visits3')
  await expect(details.getByRole('listitem')).toHaveCount(6)
  await expect(details.getByRole('listitem').first()).toContainText('No-show')
  await details.screenshot({ path: join(SHOTS, 'history-details.png') })
  await details.getByRole('button', { name: 'Close' }).click()

  // Stats: the class's no-show rate per session (the table behind the chart) and who keeps missing.
  await page.getByRole('button', { name: 'Stats' }).click()
  const stats = page.getByRole('dialog', { name: 'Stats' })
  const series = stats.getByRole('region', { name: 'No-shows over time: Morning Yoga' })
  await expect(series.getByRole('img', { name: /No-show rate per session\. 6 sessions; on average 21% did not come\./ })).toBeVisible()
  await series.scrollIntoViewIfNeeded()
  await series.screenshot({ path: join(SHOTS, 'history-stats.png') })
  await series.getByText('Show the sessions as a table').click()
  // Six past sessions (and today's, once it has begun, without a rate yet), under a header.
  await expect(series.getByRole('table').first().getByRole('row').nth(6)).toBeVisible()
  const repeated = series.getByRole('table', { name: 'Repeated no-shows' })
  await expect(repeated.getByRole('row')).toHaveCount(2)
  await expect(repeated.getByRole('row').nth(1)).toContainText('Ben Okafor')
  await expect(repeated.getByRole('row').nth(1)).toContainText('3')
  const download = page.waitForEvent('download')
  await series.getByRole('button', { name: 'Export no-shows as CSV' }).click()
  expect((await download).suggestedFilename()).toMatch(/^rollcall-no-shows-morning-yoga-\d{4}-\d{2}-\d{2}\.csv$/)
  await page.screenshot({ path: join(SHOTS, 'history-stats-table.png') })
  await stats.getByRole('button', { name: 'Close' }).first().click()

  // German (the roster list has a German name now).
  await page.getByLabel('Language').selectOption('de')
  row = (name: string) => page.getByRole('main').getByRole('listitem').filter({ hasText: name })
  await expect(row('Cleo Park').getByRole('button', { name: /^Besuchsverlauf von Cleo Park/ })).toHaveText('Erster Besuch')
  await expect(row('Ben Okafor').getByRole('button', { name: /^Besuchsverlauf von Ben Okafor/ })).toHaveText('3× nicht erschienen')
  await row('Ben Okafor').screenshot({ path: join(SHOTS, 'history-no-shows-de.png') })
  await page.getByLabel('Sprache').selectOption('en')
})

test('a self-service kiosk shows nobody’s history', async ({ page, desk }) => {
  const call = await seed(page, desk)
  await call('kiosk.setPin', { newPin: '2468' })
  const roster = await openYoga(page, desk)
  await expect(roster.getByRole('button', { name: /^Attendance history of Ben Okafor/ })).toBeVisible()
  // The status the dialog reads when it opens answers only after "Enter kiosk mode" did (a busy
  // machine): the screen keeps the later answer and stays in self-service.
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  await page.route('**/api/kiosk.status', async (route) => {
    const response = await route.fetch()
    await held
    await route.fulfill({ response })
  })
  await page.getByRole('button', { name: 'Kiosk mode' }).click()
  const dialog = page.getByRole('dialog', { name: 'Kiosk mode', exact: true })
  await dialog.getByRole('radio', { name: 'Self-service' }).check()
  await dialog.getByRole('button', { name: 'Enter kiosk mode' }).click()
  await expect(page.getByLabel('Your name')).toBeVisible()
  const lateStatus = page.waitForResponse('**/api/kiosk.status')
  release()
  await lateStatus
  await page.unroute('**/api/kiosk.status')
  await page.getByLabel('Your name').fill('Ben Okafor')
  await expect(page.getByRole('button', { name: 'This is me: Ben Okafor' })).toBeVisible()
  await expect(page.getByRole('button', { name: /Attendance history/ })).toHaveCount(0)
  await expect(page.getByText(/no-show|visit/i)).toHaveCount(0)
})
