/**
 * The desk in German, including what main says: main answers with codes and no words (a wrong
 * PIN and the lockout, an import line's problems, a scan for another session, a refused scan, a
 * connection test), and the window words them in the language picked; the log's English for the
 * same codes never reaches the screen. And the German roster header fits a 1280 px window on one line.
 *
 * Saves docs/screenshots/roster-de-header.png and scan-wrong-session-de.png.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import type { Locator, Page } from '@playwright/test'
import { english, englishConnection } from '../../src/main/log/english'
import { expect, ROOT, scanBurst, test, type DeskHandle } from './fixtures'

const SHOTS = join(ROOT, 'docs', 'screenshots')

const CODE = { anna: 'RC-2026-000000000001', zoe: 'RC-2026-000000000003', soren: 'RC-2026-000000000005', kai: 'RC-2026-000000000006', lena: 'RC-2026-000000000007' }

function rosterCsv(today: string): string {
  const yoga = `Morning Yoga,${today} 09:00,${today} 10:00,20,`
  const spin = `Evening Spin,${today} 18:30,${today} 19:15,12,`
  const webinar = `Lunch Webinar,${today} 12:00,${today} 13:00,50,America/New_York`
  return [
    'Name,Email,Phone,Party size,Booking id,Status,Session,Start,End,Capacity,Timezone',
    `Anna Müller,anna.mueller@example.com,+49 170 1234567,3,${CODE.anna},confirmed,${yoga}`,
    `Zoë Chen-Hargreaves,zoe.chen-hargreaves@example.com,+44 7700 900123,2,${CODE.zoe},pending,${yoga}`,
    `Søren Kierkegaard,soren@example.com,,1,${CODE.soren},confirmed,${spin}`,
    `Kai Webb,kai@example.com,,1,${CODE.kai},confirmed,${webinar}`,
    `Lena Fuchs,lena@example.com,,1,${CODE.lena},cancelled,${yoga}`
  ].join('\n')
}

async function api(page: Page, desk: DeskHandle, call: string, data: unknown) {
  const res = await page.request.post(`${desk.origin}api/${call}`, { headers: { Authorization: `Bearer ${desk.token}` }, data })
  expect(res.ok(), `${call}: ${await res.text()}`).toBe(true)
  return res.json()
}

/** The desk at 1280×800 with today's roster, switched to German with the header's picker. */
async function openGermanDesk(page: Page, desk: DeskHandle): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(desk.deskUrl)
  const { zone, today } = await page.evaluate(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
    return { zone, today }
  })
  await api(page, desk, 'import.commit', { csv: rosterCsv(today), timeZone: zone })
  await page.reload()
  await page.getByLabel('Language').selectOption('de')
  await expect(page.locator('html')).toHaveAttribute('lang', 'de')
  await page.getByRole('navigation', { name: /^Termine am / }).getByRole('button', { name: /Morning Yoga/ }).click()
  await expect(page.getByLabel('Liste durchsuchen')).toBeFocused()
}

/** Whether the visible boxes sit on one line: every one starts above where every other ends. */
async function oneLine(buttons: Locator): Promise<{ ok: boolean; tops: number[] }> {
  const boxes = await buttons.evaluateAll((els) =>
    els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => ({ top: e.getBoundingClientRect().top, bottom: e.getBoundingClientRect().bottom }))
  )
  const ok = boxes.length > 0 && Math.max(...boxes.map((b) => b.top)) < Math.min(...boxes.map((b) => b.bottom))
  return { ok, tops: boxes.map((b) => Math.round(b.top)) }
}

const scan = (page: Page, code: string): Promise<void> => scanBurst(page, code)

const overlay = (page: Page) => page.locator('.overlay[role="alert"]')

test('German: the roster header fits 1280 px on one line, with touch-sized buttons and a full pending badge', async ({ page, desk }) => {
  await openGermanDesk(page, desk)
  const main = page.getByRole('main')
  const tools = main.locator('.tools button')
  await expect(tools).toHaveCount(4)
  const rosterTops = await tools.evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)))
  expect(new Set(rosterTops).size, `roster header buttons on one line: ${rosterTops}`).toBe(1)
  // The title block keeps its line too: the buttons sit beside the title, not under it.
  const title = await main.getByRole('heading', { level: 2 }).boundingBox()
  const first = await tools.first().boundingBox()
  expect(first!.y).toBeLessThan(title!.y + title!.height)
  for (const box of await tools.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height))) expect(box).toBeGreaterThanOrEqual(44)
  // Each button still says what it does.
  for (const name of ['Spontangast hinzufügen', 'Statistik', 'Termin abschließen']) await expect(main.getByRole('button', { name })).toBeVisible()
  await expect(main.getByRole('button', { name: /Liste.*CSV|CSV.*Liste/ })).toBeVisible()
  await expect(main.getByRole('button', { name: /^Drucken/ })).toBeVisible()

  // The day header's buttons stay on one line as well.
  const header = await oneLine(page.getByRole('banner').getByRole('button'))
  expect(header.ok, `day header buttons on one line: ${header.tops}`).toBe(true)

  // A pending row: its badge is not covered by the Confirm button.
  const zoe = page.getByRole('list', { name: 'Teilnehmerliste' }).getByRole('listitem').filter({ hasText: 'Zoë' })
  const badge = zoe.getByText('Unbestätigt')
  await expect(badge).toBeVisible()
  const confirm = zoe.getByRole('button', { name: /bestätigen$/ })
  const [b, c] = [await badge.boundingBox(), await confirm.boundingBox()]
  expect(b!.x + b!.width, 'the badge ends before the Confirm button').toBeLessThanOrEqual(c!.x)
  const clipped = await badge.evaluate((el) => {
    const meta = el.parentElement!.getBoundingClientRect()
    const r = el.getBoundingClientRect()
    return r.right > meta.right + 0.5 || el.scrollWidth > el.clientWidth + 1
  })
  expect(clipped, 'the badge is shown whole').toBe(false)
  await page.mouse.move(0, 0)
  await page.screenshot({ path: join(SHOTS, 'roster-de-header.png') })
})

test('German: main’s words for a wrong PIN, the lockout, an import error and a scan for another session', async ({ page, desk }) => {
  test.setTimeout(90_000)
  await openGermanDesk(page, desk)

  // A scan for the evening class while the morning one is open: red, the other session named,
  // its time in its own zone.
  await scan(page, CODE.soren)
  await expect(overlay(page)).toContainText('Nicht für diesen Termin gebucht')
  await expect(overlay(page)).toContainText('Søren Kierkegaard')
  await expect(overlay(page)).toContainText(/Gebucht für „Evening Spin“, \S+ \d{1,2}\. \S+, 18:30/)
  await page.screenshot({ path: join(SHOTS, 'scan-wrong-session-de.png') })
  await page.keyboard.press('Shift')
  await expect(overlay(page)).toBeHidden()
  // A session run from New York: its time in New York time, labelled.
  await scan(page, CODE.kai)
  await expect(overlay(page)).toContainText(/Gebucht für „Lunch Webinar“, .*12:00/)
  const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)
  if (zone !== 'America/New_York') await expect(overlay(page)).toContainText('(New York)')
  await page.keyboard.press('Shift')
  await expect(overlay(page)).toBeHidden()
  // A refused scan (a cancelled booking): main's code, in German; not its English.
  await scan(page, CODE.lena)
  await expect(overlay(page)).toContainText('Die Buchung von Lena Fuchs ist storniert.')
  await expect(overlay(page)).not.toContainText(english({ reason: 'booking_cancelled', params: { name: 'Lena Fuchs' } }))
  await expect(overlay(page)).not.toContainText('cancelled')
  await page.keyboard.press('Shift')
  await expect(overlay(page)).toBeHidden()

  // Import: each line's problems, and a file without a name column, in German.
  await page.getByRole('button', { name: 'Importieren', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Liste importieren' })
  await dialog.getByLabel('CSV-Datei mit der Teilnehmerliste').setInputFiles({
    name: 'fehler.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(['Name,Party size,Email,Session,Start', 'Ann,2,ann@example.com,Yoga,2030-01-01 09:00', ',zwei,keine-mail,Yoga,2030-01-01 09:00'].join('\n'))
  })
  const errors = dialog.getByRole('list').filter({ hasText: 'Zeile 3' })
  await expect(errors).toContainText('Zeile 3: der Name fehlt; die Gruppengröße muss eine ganze Zahl von 1 bis 1.000 sein (gefunden: „zwei“); „keine-mail“ ist keine E-Mail-Adresse')
  await dialog.getByLabel('CSV-Datei mit der Teilnehmerliste').setInputFiles({
    name: 'ohne-namen.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('Email,Session,Start\nann@example.com,Yoga,2030-01-01 09:00')
  })
  await expect(dialog).toContainText('Zeile 1: keine Spalte ist für den Namen gewählt')
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()

  // Kiosk mode (PIN set through the API), then wrong PINs in German, then the lockout.
  await api(page, desk, 'kiosk.setPin', { newPin: '2468' })
  await page.getByRole('button', { name: 'Kioskmodus', exact: true }).click()
  const kiosk = page.getByRole('dialog', { name: 'Kioskmodus', exact: true })
  await kiosk.getByRole('radio', { name: 'Kiosk mit Personal' }).check()
  await kiosk.getByRole('button', { name: 'Kioskmodus starten' }).click()
  await expect(kiosk).toBeHidden()
  await page.getByRole('button', { name: 'Einrichtung', exact: true }).click()
  const prompt = page.getByRole('dialog', { name: 'Einrichtung öffnen' })
  for (const left of [4, 3, 2, 1]) {
    await prompt.getByLabel('Admin-PIN').fill('1111')
    await prompt.getByRole('button', { name: 'Einrichtung öffnen' }).click()
    await expect(prompt.getByRole('alert')).toHaveText(`Falsche PIN. Noch ${left} ${left === 1 ? 'Versuch' : 'Versuche'}.`)
  }
  await prompt.getByLabel('Admin-PIN').fill('1111')
  await prompt.getByRole('button', { name: 'Einrichtung öffnen' }).click()
  await expect(prompt.getByRole('alert')).toHaveText(/^Falsche PIN\. Die PIN-Eingabe ist bis \d{2}:\d{2} gesperrt\.$/)
  await prompt.getByLabel('Admin-PIN').fill('2468')
  await prompt.getByRole('button', { name: 'Einrichtung öffnen' }).click()
  await expect(prompt.getByRole('alert')).toHaveText(/^Zu viele falsche PINs: Die PIN-Eingabe ist bis \d{2}:\d{2} gesperrt\.$/)
  await expect(page.getByRole('dialog', { name: 'Einrichtung', exact: true })).toHaveCount(0)
  await page.keyboard.press('Escape')
  await expect(prompt).toBeHidden()
})

test('German: what "Test connection" found, worded by the window', async ({ page, desk }) => {
  await openGermanDesk(page, desk)
  await page.getByRole('button', { name: 'Einrichtung', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Einrichtung' })
  await dialog.getByRole('radio', { name: 'Plandocket', exact: true }).check()
  // Nothing listens on the discard port: the desk cannot reach the address it was given.
  await dialog.getByLabel('Mandanten-Adresse').fill('http://127.0.0.1:9/api/v1')
  await dialog.getByLabel('API-Schlüssel').fill('pd_test_key')
  await dialog.getByRole('button', { name: 'Verbindung testen' }).click()
  const status = dialog.getByRole('status')
  await expect(status).toContainText('http://127.0.0.1:9/api/v1 ist nicht erreichbar: keine Verbindung möglich')
  await expect(status).toContainText('Prüfen Sie das Netzwerk und die Mandanten-Adresse')
  // Main answered a code and no words; the log's English for it is not on the German screen.
  const report = (await api(page, desk, 'settings.testConnection', { provider: 'plandocket', plandocket: { baseUrl: 'http://127.0.0.1:9/api/v1', apiKey: 'pd_test_key' } })).value
  expect(report).toMatchObject({ ok: false, reason: 'unreachable', params: { cause: 'no_connection', field: 'tenant_address' } })
  expect(report).not.toHaveProperty('message')
  await expect(status).not.toContainText(englishConnection(report))
  await expect(status).not.toContainText('Cannot reach')
})

test('German: the exported file says the column picker’s words, and so does an English one', async ({ page, desk }) => {
  await openGermanDesk(page, desk)
  const exportFile = async (language: 'de' | 'en', menu: string, submit: string) => {
    await page.getByRole('banner').getByRole('button', { name: menu }).click()
    const dialog = page.getByRole('dialog')
    const boxes = dialog.getByRole('checkbox')
    await expect(boxes).toHaveCount(18)
    // Untick two so the file shows a pick, not only the defaults.
    await boxes.nth(0).uncheck()
    await boxes.nth(2).uncheck()
    const ticked: string[] = []
    for (const box of await boxes.all()) {
      if (await box.isChecked()) ticked.push((await box.evaluate((el) => el.closest('label')!.textContent ?? '')).trim())
    }
    if (language === 'de') await page.screenshot({ path: join(SHOTS, 'export-columns-de.png') })
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: submit }).click()])
    const text = readFileSync((await download.path())!, 'utf8')
    const header = (parse(text, { bom: true, to_line: 1 }) as string[][])[0]
    expect(header, `${language} header row`).toEqual(ticked)
    return header!
  }
  const german = await exportFile('de', 'Export…', 'CSV exportieren')
  expect(german).toContain('Eingecheckt von (Empfang)')
  expect(german).toContain('Buchungsnummer')
  await page.getByLabel('Sprache').selectOption('en')
  await expect(page.locator('html')).toHaveAttribute('lang', 'en')
  const english = await exportFile('en', 'Export CSV…', 'Export CSV')
  expect(english).toContain('Checked in by (desk)')
  expect(english).toContain('Booking reference')
})
