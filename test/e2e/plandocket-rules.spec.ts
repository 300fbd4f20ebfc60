/**
 * The web desk against the strict Plandocket fake, as the front desk sees it: another station
 * ("Eingang Süd") checks someone in while this desk is offline; a walk-in Plandocket accepts;
 * check-out and re-entry; a three-day event with yesterday's arrival. The fake is set to let a
 * second open check-in through and log it, so a desk that broke the rule would be caught.
 *
 * Saves docs/screenshots/plandocket-*.png.
 */
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { DateTime } from 'luxon'
import { startFakePlandocket, type FakePlandocket } from '../fakes/plandocket'
import { expect, ROOT, test } from './fixtures'

const SHOTS = join(ROOT, 'docs', 'screenshots')
const PEOPLE = ['Ada Test', 'Ben Test', 'Cleo Test']

interface Day {
  zone: string
  today: string
}

async function deskDay(page: Page): Promise<Day> {
  return page.evaluate(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
    return { zone, today }
  })
}

/** A strict Plandocket with one event (today 09:00–17:00, or the span given) and three people. */
async function plandocket(day: Day, span: { from: string; to: string } = { from: `${day.today}T09:00:00`, to: `${day.today}T17:00:00` }) {
  const fake = await startFakePlandocket({ seed: 15, repeatCheckIn: 'create' })
  const iso = (local: string) => DateTime.fromISO(local, { zone: day.zone }).toUTC().toISO({ suppressMilliseconds: true })!
  const event = fake.addEvent({ event_key: 'summit', title: 'Summit', date_from: iso(span.from), date_to: iso(span.to), is_visible: true })
  fake.addEvent({ event_key: 'staff', title: 'Staff briefing', date_from: iso(`${day.today}T08:00:00`), date_to: iso(`${day.today}T08:30:00`), is_visible: false })
  const seeded = fake.seedMany(PEOPLE.length, event.event_key, (i) => {
    const [first = '', last = ''] = PEOPLE[i]!.split(' ')
    return { contact: { first_name: first, last_name: last, email: `${first.toLowerCase()}@example.com` } }
  })
  const id = (name: string) => seeded.find((s) => `${s.contact.first_name} ${s.contact.last_name}` === name)!.participant.id
  return { fake, id, iso }
}

const indicator = (page: Page) => page.getByRole('button', { name: /^Sync status:/ })
const SYNCED = /^Sync status: Synced · [^·]+$/
const openCheckIns = (fake: FakePlandocket, participantId?: number) =>
  fake.checkIns().filter((c) => c.is_checked_in && (participantId === undefined || c.event_participant_id === participantId))

/** Set-up → Plandocket → tenant and key → Save; then open the event's roster. */
async function connectAndOpen(page: Page, fake: FakePlandocket): Promise<void> {
  await page.getByRole('button', { name: 'Set-up', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Set-up' })
  await dialog.getByRole('radio', { name: 'Plandocket', exact: true }).check()
  await dialog.getByLabel('Tenant address').fill(fake.baseUrl)
  await dialog.getByLabel('API key').fill(fake.apiKey)
  await dialog.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(dialog).toBeHidden()
  const sessions = page.getByRole('navigation', { name: /^Sessions on / })
  await expect(sessions.getByRole('button', { name: /Summit/ })).toBeVisible({ timeout: 20_000 })
  // Hidden in Plandocket: not listed.
  await expect(sessions.getByRole('button', { name: /Staff briefing/ })).toHaveCount(0)
  await sessions.getByRole('button', { name: /Summit/ }).click()
  await expect(page.getByRole('button', { name: 'Check in Cleo Test' })).toBeVisible({ timeout: 20_000 })
}

const row = (page: Page, name: string) => page.getByRole('listitem').filter({ hasText: name })

test.beforeEach(async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 })
})

test('another station checked Ada in while the desk was offline: one open check-in, and the row says where and when', async ({ page, desk }) => {
  test.setTimeout(120_000)
  await page.goto(desk.deskUrl)
  const day = await deskDay(page)
  const { fake, id, iso } = await plandocket(day)
  try {
    await connectAndOpen(page, fake)
    await fake.down()
    const at = iso(`${day.today}T09:20:00`)
    fake.addCheckIn({ event_participant_id: id('Ada Test'), station: 'Eingang Süd', checked_in_at: at })
    await page.getByRole('button', { name: 'Check in Ada Test' }).click()
    await expect(indicator(page)).toHaveAccessibleName(/Offline · 1 waiting/, { timeout: 20_000 })
    await fake.up()
    await expect(indicator(page)).toHaveAccessibleName(SYNCED, { timeout: 45_000 })
    expect(openCheckIns(fake, id('Ada Test'))).toHaveLength(1)
    expect(fake.violations()).toEqual([])
    const time = await page.evaluate((instant) => new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit' }).format(new Date(instant)), at)
    await expect(row(page, 'Ada Test')).toContainText(`Already checked in at Eingang Süd, ${time}`, { timeout: 20_000 })
    await expect(indicator(page)).not.toContainText('needs attention')
    await page.screenshot({ path: join(SHOTS, 'plandocket-other-station.png') })

    // The Sync panel counts the hour's requests against the desk's budget.
    await indicator(page).click()
    const panel = page.getByRole('dialog', { name: 'Sync' })
    await expect(panel.getByText('Requests this hour')).toBeVisible()
    await expect(panel.getByText(/^\d+ of 150$/)).toBeVisible()
    const shown = Number((await panel.getByText(/^\d+ of 150$/).textContent())!.split(' ')[0])
    // Every request that reached Plandocket, and only those (the ones sent while offline never did).
    expect(shown).toBeGreaterThan(0)
    expect(Math.abs(fake.requestsThisHour() - shown)).toBeLessThanOrEqual(1)
    await panel.screenshot({ path: join(SHOTS, 'plandocket-sync-panel.png') })
  } finally {
    await fake.close()
  }
})

test('a walk-in without email is stopped in the dialog; with email Plandocket gets them confirmed and checked in', async ({ page, desk }) => {
  test.setTimeout(90_000)
  await page.goto(desk.deskUrl)
  const { fake } = await plandocket(await deskDay(page))
  try {
    await connectAndOpen(page, fake)
    await page.getByRole('button', { name: 'Add walk-in' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add walk-in' })
    await expect(dialog).toContainText('Plandocket needs an email address for every participant.')
    await dialog.getByLabel('Name').fill('Wanda Walker')
    await dialog.getByRole('button', { name: 'Add and check in' }).click()
    await expect(dialog.getByRole('alert')).toContainText('check the marked fields')
    await expect(dialog.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true')
    await expect(dialog).toContainText('Plandocket needs an email address')
    await dialog.screenshot({ path: join(SHOTS, 'plandocket-walk-in-email.png') })
    expect(fake.requests('POST /contacts')).toHaveLength(0)

    await dialog.getByLabel('Email').fill('wanda@example.com')
    await dialog.getByRole('button', { name: 'Add and check in' }).click()
    await expect(dialog).toBeHidden()
    await expect(indicator(page)).toHaveAccessibleName(SYNCED, { timeout: 30_000 })
    const contact = fake.contacts().find((c) => c.email === 'wanda@example.com')!
    const participant = fake.participants().find((p) => p.contact_id === contact.id)!
    expect(participant.is_confirmed).toBe(true)
    expect(openCheckIns(fake, participant.id)).toHaveLength(1)
  } finally {
    await fake.close()
  }
})

test('check out and back in: the counts and Plandocket agree', async ({ page, desk }) => {
  test.setTimeout(90_000)
  await page.goto(desk.deskUrl)
  const { fake, id } = await plandocket(await deskDay(page))
  try {
    await connectAndOpen(page, fake)
    const counts = page.locator('.counts')
    await page.getByRole('button', { name: 'Check in Ada Test' }).click()
    await page.getByRole('button', { name: 'Check in Ben Test' }).click()
    await expect(counts).toContainText('2 inside now')

    await page.getByRole('button', { name: 'Check out Ada Test' }).click()
    await expect(counts).toContainText('1 inside now')
    await expect(counts).toContainText(/^2 of 3 arrived/)
    await expect(row(page, 'Ada Test')).toContainText('Checked out')
    await expect(indicator(page)).toHaveAccessibleName(SYNCED, { timeout: 30_000 })
    expect(openCheckIns(fake)).toHaveLength(1)
    await page.screenshot({ path: join(SHOTS, 'plandocket-checked-out.png') })

    // Back in, from the keyboard: the only match, Enter.
    await page.getByLabel('Search roster').fill('Ada')
    await page.getByLabel('Search roster').press('Enter')
    await expect(counts).toContainText('2 inside now')
    await expect(indicator(page)).toHaveAccessibleName(SYNCED, { timeout: 30_000 })
    expect(openCheckIns(fake)).toHaveLength(2)
    expect(fake.checkIns().filter((c) => c.event_participant_id === id('Ada Test')).map((c) => c.is_checked_in)).toEqual([false, true])
    // Shift+Enter checks the match out.
    await page.getByLabel('Search roster').fill('Ben')
    await page.getByLabel('Search roster').press('Shift+Enter')
    await expect(counts).toContainText('1 inside now')
    await expect.poll(() => openCheckIns(fake).length, { timeout: 30_000 }).toBe(1)
    expect(fake.violations()).toEqual([])
  } finally {
    await fake.close()
  }
})

test('a three-day event shows its span, yesterday’s arrival with its day, and checks in for today', async ({ page, desk }) => {
  test.setTimeout(90_000)
  await page.goto(desk.deskUrl)
  const day = await deskDay(page)
  const yesterday = DateTime.fromISO(day.today).minus({ days: 1 }).toISODate()!
  const tomorrow = DateTime.fromISO(day.today).plus({ days: 1 }).toISODate()!
  const { fake, id, iso } = await plandocket(day, { from: `${yesterday}T09:00:00`, to: `${tomorrow}T17:00:00` })
  const arrived = iso(`${yesterday}T09:20:00`)
  fake.addCheckIn({ event_participant_id: id('Ada Test'), station: 'Eingang Süd', checked_in_at: arrived })
  try {
    await connectAndOpen(page, fake)
    const expected = await page.evaluate(
      ({ from, to, arrived }) => ({
        span: new Intl.DateTimeFormat('en-US', { day: 'numeric', month: 'short' }).formatRange(new Date(from), new Date(to)),
        arrived: new Intl.DateTimeFormat('en-US', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(arrived))
      }),
      { from: iso(`${yesterday}T09:00:00`), to: iso(`${tomorrow}T17:00:00`), arrived }
    )
    await expect(page.locator('#roster-title + .when')).toContainText(expected.span)
    await expect(row(page, 'Ada Test')).toContainText(`Arrived ${expected.arrived}`)
    await expect(page.locator('.counts')).toContainText(/^0 of 3 arrived/)
    await page.screenshot({ path: join(SHOTS, 'plandocket-three-days.png') })

    await page.getByRole('button', { name: 'Check in Ada Test' }).click()
    await expect(page.locator('.counts')).toContainText(/^1 of 3 arrived/)
    await expect(indicator(page)).toHaveAccessibleName(SYNCED, { timeout: 30_000 })
    // Yesterday's check-in closed, today's open: one open check-in.
    expect(fake.checkIns().filter((c) => c.event_participant_id === id('Ada Test')).map((c) => c.is_checked_in)).toEqual([false, true])
    expect(fake.violations()).toEqual([])
  } finally {
    await fake.close()
  }
})
