/**
 * Two front desks at one Wix Bookings class, as the staff see them: two browser desks on this
 * machine (own processes, own data dirs) against one fake Wix, desk B behind a proxy the test can
 * cut. A checks Ines in; B, cut off and still showing her unmarked, marks her as a no-show; when B
 * is back, Wix still holds A's check-in, B shows "Changed at another desk too" and A is unchanged.
 * B keeps its own mark: Wix then holds it, and A shows it after its next pull. Run for two party
 * sizes. The desks never write to the Bookings-managed participations (the fake would log it).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Locator, Page } from '@playwright/test'
import { BOOKINGS_APP_ID, startFakeWix, type FakeWix } from '../fakes/wix'
import { startProxy, type CuttableProxy } from '../unit/sim/proxy'
import { expect, ROOT, startDesk, stopDesk, test } from './fixtures'

const SHOTS = join(ROOT, 'docs', 'screenshots')
const TITLE = 'Bookings Yoga'
const BOOKING = '11111111-aaaa-4bbb-8ccc-dddddddddddd'

const indicator = (page: Page) => page.getByRole('button', { name: /^Sync status:/ })
const SYNCED = /^Sync status: Synced · [^·]+$/
const rowOf = (page: Page, name: string) => page.locator('.row', { has: page.getByText(name, { exact: true }) })

async function deskDay(page: Page): Promise<{ zone: string; today: string }> {
  return page.evaluate(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
    return { zone, today }
  })
}

/** A browser desk in its own process and data dir, opened in its own browser context. */
async function openDesk(browser: Browser, cleanups: (() => Promise<unknown>)[]): Promise<Page> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rollcall-e2e-bookings-'))
  const { child, handle } = await startDesk(dataDir)
  cleanups.push(async () => {
    await stopDesk(child)
    rmSync(dataDir, { recursive: true, force: true })
  })
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  cleanups.push(() => context.close())
  const page = await context.newPage()
  await page.goto(handle.deskUrl)
  return page
}

async function connect(page: Page, fake: FakeWix, baseUrl: string): Promise<void> {
  await page.getByRole('button', { name: 'Set-up', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Set-up' })
  await dialog.getByRole('radio', { name: 'Wix', exact: true }).check()
  await dialog.getByLabel('Site ID').fill(fake.siteId)
  await dialog.getByLabel('API key').fill(fake.apiKey)
  await dialog.getByText('Advanced', { exact: true }).click()
  await dialog.getByLabel('Base URL').fill(baseUrl)
  await dialog.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(dialog).toBeHidden()
  const sessions = page.getByRole('navigation', { name: /^Sessions on / })
  await sessions.getByRole('button', { name: new RegExp(TITLE) }).click({ timeout: 20_000 })
  await expect(page.getByRole('button', { name: 'Check in Ines Booked' })).toBeVisible({ timeout: 20_000 })
}

const attendance = (fake: FakeWix) => fake.attendances().map((a) => [a.bookingId, a.status, a.numberOfAttendees])

async function openPanel(page: Page): Promise<Locator> {
  await indicator(page).click()
  const panel = page.getByRole('dialog', { name: 'Sync' })
  await expect(panel).toBeVisible()
  return panel
}

for (const party of [1, 3]) {
  test(`two desks at a Bookings class (party of ${party}): an offline no-show never silently replaces another desk's check-in`, async ({ browser }, testInfo) => {
    test.setTimeout(150_000)
    const cleanups: (() => Promise<unknown>)[] = []
    const fake = await startFakeWix({ seed: 14 + party })
    cleanups.push(() => fake.close())
    let proxy: CuttableProxy | null = null
    try {
      const a = await openDesk(browser, cleanups)
      const b = await openDesk(browser, cleanups)
      const day = await deskDay(a)
      const event = fake.addEvent({ title: TITLE, type: 'CLASS', appId: BOOKINGS_APP_ID, start: `${day.today}T09:00:00`, end: `${day.today}T10:00:00`, timeZone: day.zone, totalCapacity: 20 })
      fake.addParticipation({ eventId: event.id, appId: BOOKINGS_APP_ID, externalId: BOOKING, participant: { name: 'Ines Booked' }, partySize: party })
      fake.addParticipation({ eventId: event.id, appId: BOOKINGS_APP_ID, participant: { name: 'Pia Pending' }, partySize: 1, status: 'PENDING_CONFIRMATION' })
      proxy = await startProxy(fake.port)
      const p = proxy
      cleanups.push(() => p.close())

      await connect(a, fake, fake.baseUrl)
      await connect(b, fake, proxy.url)

      // B is cut off, and keeps its view from before A's check-in.
      proxy.cut('reset')
      await a.getByRole('button', { name: 'Check in Ines Booked' }).click()
      await expect(rowOf(a, 'Ines Booked')).toContainText(party > 1 ? `${party} of ${party} arrived` : 'Arrived')
      await expect(indicator(a)).toHaveAccessibleName(SYNCED, { timeout: 20_000 })
      await expect.poll(() => attendance(fake)).toEqual([[BOOKING, 'ATTENDED', party]])

      await b.getByRole('button', { name: 'Mark Ines Booked as no-show' }).click()
      await expect(rowOf(b, 'Ines Booked')).toContainText('No-show')
      await expect(indicator(b)).toHaveAccessibleName(/Offline · 1 waiting/, { timeout: 20_000 })

      // B is back: Wix keeps A's check-in, B is told, A is unchanged.
      proxy.heal()
      await expect(indicator(b)).toHaveAccessibleName(/· 1 needs attention$/, { timeout: 45_000 })
      expect(attendance(fake)).toEqual([[BOOKING, 'ATTENDED', party]])
      const panel = await openPanel(b)
      const problems = panel.getByRole('region', { name: /^Need attention/ })
      await expect(problems.getByRole('listitem')).toHaveCount(1)
      await expect(problems.getByRole('listitem')).toContainText('Changed at another desk too')
      await expect(problems.getByRole('listitem')).toContainText('Ines Booked')
      await expect(problems.getByRole('listitem')).toContainText(TITLE)
      await expect(rowOf(b, 'Ines Booked')).toContainText('No-show')
      if (party === 3) await panel.screenshot({ path: join(SHOTS, 'bookings-conflict.png') })
      else await panel.screenshot({ path: testInfo.outputPath('bookings-conflict.png') })
      await expect(rowOf(a, 'Ines Booked')).toContainText(party > 1 ? `${party} of ${party} arrived` : 'Arrived')
      await expect(indicator(a)).toHaveAccessibleName(SYNCED)

      // B keeps its mark: Wix holds it; A shows it after its next pull.
      await problems.getByRole('button', { name: "Keep this desk's mark for Ines Booked" }).click()
      await expect(problems.getByRole('listitem')).toHaveCount(0, { timeout: 20_000 })
      await expect.poll(() => attendance(fake), { timeout: 20_000 }).toEqual([[BOOKING, 'NOT_ATTENDED', 0]])
      await panel.getByRole('button', { name: 'Close' }).click()
      await expect(indicator(b)).toHaveAccessibleName(SYNCED, { timeout: 20_000 })

      const panelA = await openPanel(a)
      await panelA.getByRole('button', { name: 'Sync now' }).click()
      await panelA.getByRole('button', { name: 'Close' }).click()
      await expect(rowOf(a, 'Ines Booked')).toContainText('No-show', { timeout: 20_000 })
      expect((await a.getByRole('button', { name: /Sync status/ }).getAttribute('aria-label')) ?? '').not.toMatch(/needs attention/)

      // Bookings' rules at both desks: no Confirm on the pending booking, nothing written to participations.
      await expect(a.getByRole('button', { name: 'Confirm Pia Pending' })).toHaveCount(0)
      await expect(rowOf(a, 'Pia Pending')).toContainText('Confirm in Wix Bookings')
      expect(fake.requests((r) => r.path.startsWith('/calendar/v3/participations') && !r.path.endsWith('/query'))).toEqual([])
      expect(fake.violations()).toEqual([])
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
    }
  })
}

test('a walk-in at a Bookings class stays on this desk, says so, and a pending booking is confirmed in Wix Bookings', async ({ page, desk }) => {
  test.setTimeout(90_000)
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(desk.deskUrl)
  const day = await deskDay(page)
  const fake = await startFakeWix({ seed: 41 })
  try {
    const event = fake.addEvent({ title: TITLE, type: 'CLASS', appId: BOOKINGS_APP_ID, start: `${day.today}T09:00:00`, end: `${day.today}T10:00:00`, timeZone: day.zone, totalCapacity: 20 })
    fake.addParticipation({ eventId: event.id, appId: BOOKINGS_APP_ID, externalId: BOOKING, participant: { name: 'Ines Booked' }, partySize: 2 })
    fake.addParticipation({ eventId: event.id, appId: BOOKINGS_APP_ID, participant: { name: 'Pia Pending', email: 'pia@example.com' }, partySize: 1, status: 'PENDING_CONFIRMATION' })
    await connect(page, fake, fake.baseUrl)

    await page.getByRole('button', { name: 'Add walk-in' }).first().click()
    const dialog = page.getByRole('dialog', { name: 'Add walk-in' })
    await dialog.getByLabel('Name').fill('Walter Walkin')
    await dialog.getByRole('button', { name: 'Add and check in' }).click()
    await expect(dialog).toBeHidden()
    const walkIn = rowOf(page, 'Walter Walkin')
    await expect(walkIn).toContainText('Only on this desk')
    await expect(walkIn).toContainText('Wix Bookings takes no walk-ins')
    await expect(walkIn.getByText('Only on this desk')).toHaveAttribute('title', /not sent to Wix/)

    // The search shows the new walk-in; Esc clears it for the whole roster.
    await page.getByLabel('Search roster').press('Escape')
    await expect(page.getByLabel('Search roster')).toHaveValue('')
    // Pending: checked in here, confirmed in Wix Bookings.
    const pia = rowOf(page, 'Pia Pending')
    await expect(pia).toContainText('Pending confirmation')
    await expect(pia).toContainText('Confirm in Wix Bookings')
    await expect(page.getByRole('button', { name: 'Confirm Pia Pending' })).toHaveCount(0)
    await page.getByRole('button', { name: 'Check in Pia Pending' }).click()
    await expect(pia).toContainText('Arrived')
    await expect(indicator(page)).toHaveAccessibleName(SYNCED, { timeout: 20_000 })
    await page.screenshot({ path: join(SHOTS, 'bookings-roster.png') })

    expect(fake.attendances().map((a) => a.status)).toEqual(['ATTENDED'])
    expect(fake.participations()).toHaveLength(2)
    expect(fake.requests((r) => r.path.startsWith('/calendar/v3/participations') && !r.path.endsWith('/query'))).toEqual([])
    expect(fake.violations()).toEqual([])
    await indicator(page).click()
    const panel = page.getByRole('dialog', { name: 'Sync' })
    await expect(panel.getByText(/Nothing needs attention/)).toBeVisible()
  } finally {
    await fake.close()
  }
})
