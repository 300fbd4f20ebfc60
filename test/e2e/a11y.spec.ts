/**
 * Accessibility: axe-core on every screen of the desk, in English and in German (switched with the
 * header's language picker), with no serious or critical violation allowed. Screens: the day
 * empty and with sessions, the roster, the import dialog with errors, set-up, the sync panel, the
 * walk-in dialog, stats, the audit log, the export columns, the kiosk dialog and PIN prompt, the
 * self-service search and confirmation, the kiosk lock, and the scan feedback in its three colours.
 *
 * Locators use the app's own dictionaries, so the German run finds the German names.
 */
import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { de } from '../../src/renderer/src/lib/messages/de'
import { en, type Messages } from '../../src/renderer/src/lib/messages/en'
import { expect, scanBurst, test, type DeskHandle } from './fixtures'

const CODE = { anna: 'RC-2026-000000000001', jose: 'RC-2026-000000000002', unknown: 'RC-2026-999999999999' }
const PIN = '2468'

function rosterCsv(today: string): string {
  const yoga = `Morning Yoga,${today} 09:00,${today} 10:00,20`
  const spin = `Evening Spin,${today} 18:30,${today} 19:15,12`
  return [
    'Name,Email,Phone,Party size,Booking id,Status,Session,Start,End,Capacity',
    `Anna Müller,anna.mueller@example.com,+49 170 1234567,3,${CODE.anna},confirmed,${yoga}`,
    `José Álvarez,jose@example.com,+34 600 111 222,1,${CODE.jose},confirmed,${yoga}`,
    `Zoë Chen,zoe.chen@example.com,,2,RC-2026-000000000003,pending,${yoga}`,
    `Søren Kierkegaard,soren@example.com,+45 20 30 40 50,1,RC-2026-000000000005,confirmed,${spin}`
  ].join('\n')
}

async function call(page: Page, desk: DeskHandle, name: string, data: unknown): Promise<void> {
  const res = await page.request.post(`${desk.origin}api/${name}`, { headers: { Authorization: `Bearer ${desk.token}` }, data })
  expect(res.ok(), `${name}: ${await res.text()}`).toBe(true)
}

/** Serious and critical violations on the whole page, or on one part of it, in words. */
async function violations(page: Page, include?: string): Promise<string[]> {
  const builder = new AxeBuilder({ page })
  if (include) builder.include(include)
  const { violations: found } = await builder.analyze()
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`).join('\n    ')}`)
}

/** Checks one screen; every screen is checked even when an earlier one failed. */
async function axe(page: Page, screen: string): Promise<void> {
  expect.soft(await violations(page), `axe on "${screen}"`).toEqual([])
}

/** The scan feedback clears itself after 1.5 s: scan, check the overlay while it shows (again if it went too soon). */
async function axeFeedback(page: Page, code: string, screen: string): Promise<void> {
  const overlay = page.locator('.overlay[role="alert"]')
  for (let attempt = 1; ; attempt++) {
    await scanBurst(page, code)
    await expect(overlay).toBeVisible()
    const found = await violations(page, '.overlay')
    if ((await overlay.count()) === 0 && attempt < 3) continue
    expect.soft(found, `axe on "${screen}"`).toEqual([])
    return
  }
}

for (const [lang, t] of [
  ['en', en],
  ['de', de]
] as [string, Messages][]) {
  test(`every screen passes axe with no serious or critical violation (${lang})`, async ({ page, desk }) => {
    test.setTimeout(120_000)
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.goto(desk.deskUrl)
    if (lang !== 'en') {
      await page.getByLabel('Language').selectOption(lang)
      await expect(page.locator('html')).toHaveAttribute('lang', lang)
    }
    await expect(page.getByRole('heading', { name: t.app.noSessionsTitle('') })).toBeVisible()
    await axe(page, 'day view, no sessions')

    // Import dialog with errors.
    await page.getByRole('button', { name: t.header.import, exact: true }).click()
    const importDialog = page.getByRole('dialog', { name: t.import.title })
    const bad = 'Name,Party size,Session,Start\nGood,1,Yoga,2026-07-06 09:00\n,1,Yoga,2026-07-06 09:00\nBig,1001,Yoga,2026-07-06 09:00\n'
    await importDialog.getByLabel(t.import.fileLabel).setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) })
    await expect(importDialog.getByRole('heading', { name: t.import.errorsTitle })).toBeVisible()
    await importDialog.getByLabel(t.import.skip).check()
    await axe(page, 'import dialog with errors')
    await importDialog.getByRole('button', { name: t.common.cancel }).click()

    // The day with sessions, then the roster.
    const { zone, today } = await page.evaluate(() => {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
      return { zone, today: new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date()) }
    })
    await call(page, desk, 'import.commit', { csv: rosterCsv(today), timeZone: zone })
    await page.reload()
    const sessions = page.getByRole('navigation', { name: t.sessions.navLabel('') })
    await expect(sessions.getByRole('button', { name: /Morning Yoga/ })).toBeVisible()
    await expect(page.getByRole('heading', { name: t.app.pickTitle })).toBeVisible()
    await axe(page, 'day view with sessions')
    await sessions.getByRole('button', { name: /Morning Yoga/ }).click()
    await page.getByRole('button', { name: t.row.checkInName('Zoë Chen') }).click()
    await expect(page.getByRole('button', { name: t.row.undoName('Zoë Chen') })).toBeVisible()
    await axe(page, 'roster')

    // Set-up.
    await page.getByRole('button', { name: t.header.setup, exact: true }).click()
    const setup = page.getByRole('dialog', { name: t.setup.title, exact: true })
    await expect(setup.getByRole('radio', { name: t.setup.localLabel })).toBeChecked()
    await axe(page, 'set-up')
    await setup.getByRole('button', { name: t.common.cancel }).click()
    await expect(setup).toBeHidden()

    // Walk-in, with the error for a missing name.
    await page.getByRole('button', { name: t.roster.addWalkIn }).click()
    const walkIn = page.getByRole('dialog', { name: t.walkIn.title })
    await walkIn.getByRole('button', { name: t.walkIn.add }).click()
    await expect(walkIn.getByRole('alert')).toBeVisible()
    await axe(page, 'walk-in')
    await page.keyboard.press('Escape')
    await expect(walkIn).toBeHidden()

    // Scan feedback: green, amber, red.
    await page.getByLabel(t.roster.searchLabel).focus()
    await axeFeedback(page, CODE.anna, 'scan feedback: checked in')
    await axeFeedback(page, CODE.anna, 'scan feedback: already checked in')
    await axeFeedback(page, CODE.unknown, 'scan feedback: unknown code')
    await page.keyboard.press('Shift')

    // Stats, with the table behind the chart open.
    await page.getByRole('button', { name: t.roster.stats }).click()
    const stats = page.getByRole('dialog', { name: t.stats.title })
    await expect(stats.getByRole('img', { name: new RegExp(t.stats.chartTitle) })).toBeVisible()
    await stats.getByText(t.stats.asTable).click()
    await axe(page, 'stats')
    await stats.getByRole('button', { name: t.common.close }).click()

    // Sync panel, and the audit log it opens.
    await page.getByRole('button', { name: t.sync.label(t.sync.localOnly) }).click()
    const syncPanel = page.getByRole('dialog', { name: t.sync.panelTitle })
    await expect(syncPanel).toBeVisible()
    await axe(page, 'sync panel')
    await syncPanel.getByRole('button', { name: t.header.audit }).click()
    const audit = page.getByRole('dialog', { name: t.audit.title })
    await expect(audit.getByRole('table')).toBeVisible()
    await axe(page, 'audit log')
    await audit.getByRole('button', { name: t.common.close }).click()

    // Export with chosen columns (none ticked: the message that one is needed).
    await page.getByRole('button', { name: t.header.exportCsv }).click()
    const exportDialog = page.getByRole('dialog', { name: t.export.title })
    await exportDialog.getByRole('button', { name: t.export.none }).click()
    await expect(exportDialog.getByText(t.export.atLeastOne)).toBeVisible()
    await axe(page, 'export columns')
    await exportDialog.getByRole('button', { name: t.common.cancel }).click()

    // Kiosk: the dialog, a staffed kiosk, the PIN prompt with a wrong PIN.
    await call(page, desk, 'kiosk.setPin', { newPin: PIN })
    await page.getByRole('button', { name: t.header.kiosk, exact: true }).click()
    const kioskDialog = page.getByRole('dialog', { name: t.kiosk.title, exact: true })
    await expect(kioskDialog.getByText(t.kiosk.pinIsSet)).toBeVisible()
    await axe(page, 'kiosk mode dialog')
    await kioskDialog.getByRole('button', { name: t.kiosk.enter }).click()
    await expect(kioskDialog).toBeHidden()
    await axe(page, 'staffed kiosk')
    await page.getByRole('button', { name: t.header.leaveKiosk }).click()
    const prompt = page.getByRole('dialog', { name: t.kiosk.leaveTitle })
    await prompt.getByLabel(t.kiosk.pin).fill('0000')
    await prompt.getByLabel(t.kiosk.pin).press('Enter')
    await expect(prompt.getByRole('alert')).toBeVisible()
    await axe(page, 'kiosk PIN prompt')
    await prompt.getByLabel(t.kiosk.pin).fill(PIN)
    await prompt.getByLabel(t.kiosk.pin).press('Enter')
    await expect(prompt).toBeHidden()

    // Self-service: the search, the confirmation step, the lock after leaving full screen.
    await page.getByRole('button', { name: t.header.kiosk, exact: true }).click()
    await kioskDialog.getByRole('radio', { name: t.kiosk.self }).check()
    await kioskDialog.getByRole('button', { name: t.kiosk.enter }).click()
    await expect(page.getByText(t.self.prompt)).toBeVisible()
    await page.getByLabel(t.self.findLabel).fill('ann')
    await expect(page.getByRole('button', { name: `${t.self.pickPrefix} Anna Müller` })).toBeVisible()
    await axe(page, 'self-service search')
    await page.getByLabel(t.self.findLabel).fill('jos')
    await page.getByRole('button', { name: `${t.self.pickPrefix} José Álvarez` }).click()
    await expect(page.getByRole('heading', { name: t.self.areYou('José Á.') })).toBeVisible()
    await axe(page, 'self-service confirmation')
    await page.evaluate(() => document.exitFullscreen())
    const lock = page.getByRole('dialog', { name: t.kiosk.lockTitle })
    await expect(lock).toBeVisible()
    await axe(page, 'kiosk lock')
  })
}
