/**
 * Printing, end to end at the browser desk: badges and attendance sheets are the HTML documents
 * the desk prints, rendered to PDF in Chromium and read back with poppler (pdftotext, pdfinfo,
 * pdftoppm): names with accents, right-to-left script, emoji and 60 characters are all there and
 * inside the page, the page is the layout's size, and the QR code decodes (jsQR) to the booking
 * reference, which the desk's own scanner accepts. Then an outage on paper: the sheet's codes are
 * typed back in, a typo caught and another session's code refused.
 *
 * Saves docs/screenshots/badge-62x100.png, badge-62x29.png, sheet-page.png and paper-marks.png.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from '@playwright/test'
import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import { expect, ROOT, scanBurst, test, type DeskHandle } from './fixtures'

const SHOTS = join(ROOT, 'docs', 'screenshots')
const LONG = 'Maximiliane Alexandra Wilhelmina von Hohenzollern-Sigmaringe'
const PEOPLE = [
  { name: 'José Álvarez-Núñez', ref: 'BK-2001', party: 2 },
  { name: 'שרה לוי', ref: 'BK-2002', party: 1 },
  { name: 'Kai 🎉 Nakamura', ref: 'BK-2003', party: 1 },
  { name: LONG, ref: 'BK-2004', party: 1 },
  { name: 'Zoë Adams', ref: 'BK-2005', party: 3 },
  { name: 'Ben Carter', ref: 'BK-2006', party: 1 }
]
const ROSTER = [
  'Name,Booking id,Party size,Session,Start,End',
  ...PEOPLE.map((p) => `${p.name},${p.ref},${p.party},Opening keynote,2026-07-06 09:00,2026-07-06 10:30`),
  'Olga Other,BK-3001,1,Workshop B,2026-07-06 14:00,2026-07-06 15:00'
].join('\n')

/** Points per millimetre in a PDF. */
const PT = 72 / 25.4

function pdfPageSize(file: string): { w: number; h: number } {
  const m = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))!
  return { w: Number(m[1]), h: Number(m[2]) }
}

/** Each word pdftotext finds, with its box in points. */
function words(file: string, page = 1): { text: string; xMin: number; yMin: number; xMax: number; yMax: number }[] {
  const xml = execFileSync('pdftotext', ['-bbox', '-f', String(page), '-l', String(page), file, '-'], { encoding: 'utf8' })
  return [...xml.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    xMin: Number(m[1]),
    yMin: Number(m[2]),
    xMax: Number(m[3]),
    yMax: Number(m[4]),
    text: m[5]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  }))
}

/** Every QR code on a PDF page, read from a 300 dpi rendering (jsQR finds one per region). */
function qrIn(png: string, region?: { x: number; y: number; w: number; h: number }): string | null {
  const image = PNG.sync.read(readFileSync(png))
  const r = region ?? { x: 0, y: 0, w: image.width, h: image.height }
  const data = new Uint8ClampedArray(r.w * r.h * 4)
  for (let y = 0; y < r.h; y++) {
    const from = ((r.y + y) * image.width + r.x) * 4
    data.set(image.data.subarray(from, from + r.w * 4), y * r.w * 4)
  }
  return jsQR(data, r.w, r.h)?.data ?? null
}

function render(file: string, out: string, dpi: number, page = 1): string {
  execFileSync('pdftoppm', ['-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', '-png', file, out])
  return `${out}.png`
}

/** A document the desk printed, rendered to PDF by Chromium the way the print dialog lays it out. */
async function toPdf(browser: Browser, desk: DeskHandle, document: string, file: string): Promise<Buffer> {
  const page = await browser.newPage()
  try {
    const url = new URL(document, desk.origin)
    url.searchParams.set('token', desk.token)
    const answer = await page.goto(url.toString())
    expect(answer?.status()).toBe(200)
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true })
    writeFileSync(file, pdf)
    return pdf
  } finally {
    await page.close()
  }
}

async function call<T>(page: Page, desk: DeskHandle, name: string, input: unknown): Promise<T> {
  // A connection of its own: rendering PDFs between calls outlasts the server's keep-alive.
  const res = await page.request.post(`${desk.origin}api/${name}`, { headers: { Authorization: `Bearer ${desk.token}`, Connection: 'close' }, data: input })
  const body = (await res.json()) as { ok: boolean; value: T; error?: unknown }
  expect(body.ok, JSON.stringify(body.error)).toBe(true)
  return body.value
}

async function openKeynote(page: Page, desk: DeskHandle): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'issue-19-e2e-'))
  const csv = join(dir, 'badges.csv')
  writeFileSync(csv, ROSTER)
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(desk.deskUrl)
  await page.getByRole('button', { name: 'Import roster', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Import roster' })
  await dialog.getByLabel('Roster CSV file').setInputFiles(csv)
  await dialog.getByRole('button', { name: 'Import 7 rows' }).click()
  await expect(dialog.getByText('Imported: 7 new, 0 updated')).toBeVisible()
  await dialog.getByRole('button', { name: 'Close' }).click()
  await page.getByRole('navigation', { name: /^Sessions on / }).getByRole('button', { name: /Opening keynote/ }).click()
  await expect(page.getByLabel('Search roster')).toBeFocused()
}

test('badges: printed at check-in, asked before a second, every name whole on the layout’s page, and a QR the scanner accepts', async ({ page, desk, browser }, testInfo) => {
  test.setTimeout(180_000)
  await openKeynote(page, desk)

  // Set the session up once: a badge at each check-in, on 62 × 100 mm labels, with the party size.
  await page.getByRole('button', { name: 'Print: badges, attendance sheet, marks from paper' }).click()
  const printing = page.getByRole('dialog', { name: 'Printing' })
  await printing.getByLabel('Layout').selectOption('label_62x100')
  await expect(page.getByText('Badge settings saved.').last()).toBeVisible()
  await printing.getByLabel('Under the name').selectOption('party_size')
  await printing.getByLabel('Print a badge at check-in').check()
  await expect(printing.getByLabel('Print a badge at check-in')).toBeChecked()
  await printing.getByRole('button', { name: 'Done' }).click()

  // Checking Sarah in prints her badge: the browser desk hands it to the print dialog in a frame.
  const search = page.getByLabel('Search roster')
  await search.fill('שרה')
  await page.getByRole('button', { name: 'Check in שרה לוי' }).click()
  await expect(page.getByText('1 of 1 arrived')).toBeVisible()
  const frame = page.locator('iframe.print-frame')
  await expect(frame).toHaveAttribute('src', /^\/print\/badge\/\d+\?lang=en&token=.+&print=1$/)
  await expect(page.getByText('Badge for שרה לוי: choose the printer in the print dialog.')).toBeVisible()
  const src = (await frame.getAttribute('src'))!
  const dir = testInfo.outputPath('print')
  execFileSync('mkdir', ['-p', dir])

  // A second badge asks first, saying when and where the first was printed.
  await page.getByRole('button', { name: 'Print badge for שרה לוי' }).click()
  const ask = page.getByRole('alertdialog').or(page.getByRole('dialog', { name: 'Print another badge?' }))
  await expect(ask.getByText(/A badge for שרה לוי was printed at \d{1,2}:\d{2}( [AP]M)? at .+ — print again\?/)).toBeVisible()
  await ask.getByRole('button', { name: 'Cancel' }).click()

  // The badge on paper: 62 × 100 mm, her name (right to left) and the QR of her booking reference.
  const badgePdf = join(dir, 'badge-62x100.pdf')
  await toPdf(browser, desk, src.replace(/&token=[^&]+&print=1$/, ''), badgePdf)
  const size = pdfPageSize(badgePdf)
  expect(size.w / PT).toBeCloseTo(62, 0)
  expect(size.h / PT).toBeCloseTo(100, 0)
  const text = execFileSync('pdftotext', [badgePdf, '-'], { encoding: 'utf8' })
  expect(text).toContain('שרה')
  expect(text).toContain('לוי')
  expect(text).toContain('1 person')
  const png = render(badgePdf, join(dir, 'badge-62x100'), 300)
  expect(qrIn(png)).toBe('BK-2002')
  // Right to left: her name starts at the right edge of the badge.
  const hebrew = words(badgePdf).filter((w) => /[\u0590-\u05FF]/.test(w.text))
  expect(Math.max(...hebrew.map((w) => w.xMax))).toBeGreaterThan(size.w * 0.75)
  execFileSync('pdftoppm', ['-r', '150', '-singlefile', '-png', badgePdf, join(SHOTS, 'badge-62x100')])

  // The QR's reference is one the desk's own scanner path accepts: it finds her.
  await search.fill('')
  await scanBurst(page, qrIn(png)!)
  const overlay = page.locator('.overlay[role="alert"]')
  await expect(overlay).toContainText('Already checked in')
  await expect(overlay).toContainText('שרה לוי')

  // Every hard name on every layout: whole, inside the page, and the QR still reads.
  const layouts = { label_62x29: [62, 29], label_62x100: [62, 100], thermal_4x2: [101.6, 50.8], thermal_4x6: [101.6, 152.4], a4_8: [210, 297] } as const
  const keynote = (await call<{ sessions: { id: number; title: string }[] }>(page, desk, 'sessions.forDay', { date: '2026-07-06', timeZone: 'Europe/Berlin' })).sessions.find(
    (s) => s.title === 'Opening keynote'
  )!
  const rows = (await call<{ rows: { participationId: number; name: string }[] }>(page, desk, 'roster.page', { sessionId: keynote.id, search: '', offset: 0, limit: 50 })).rows
  for (const [layout, [wMm, hMm]] of Object.entries(layouts)) {
    await call(page, desk, 'print.saveBadgeSettings', { sessionId: keynote.id, printOnCheckIn: true, layout, field: 'company' })
    for (const person of PEOPLE.filter((p) => p.name !== 'Ben Carter' && p.name !== 'Zoë Adams')) {
      const row = rows.find((r) => r.name === person.name)!
      const printed = await call<{ outcome: string; document: string }>(page, desk, 'print.badge', { sessionId: keynote.id, participationId: row.participationId, again: true })
      const file = join(dir, `${layout}-${person.ref}.pdf`)
      await toPdf(browser, desk, printed.document, file)
      const page1 = pdfPageSize(file)
      expect(page1.w / PT, `${layout} width`).toBeCloseTo(wMm, 0)
      expect(page1.h / PT, `${layout} height`).toBeCloseTo(hMm, 0)
      expect(execFileSync('pdfinfo', [file], { encoding: 'utf8' })).toMatch(/Pages:\s+1\n/)
      const found = words(file)
      const letters = (s: string) => s.replace(/[\s🎉]/gu, '')
      // poppler gives right-to-left words in the order they stand on the page.
      const onPage = letters(found.map((w) => w.text).join(''))
      const name = letters(person.name)
      expect([onPage.includes(name), onPage.includes([...name].reverse().join(''))], `${person.name} on ${layout}: ${onPage}`).toContain(true)
      for (const w of found) {
        expect(w.xMin, `${w.text} on ${layout}`).toBeGreaterThanOrEqual(0)
        expect(w.yMin).toBeGreaterThanOrEqual(0)
        expect(w.xMax, `${w.text} on ${layout} (${person.name})`).toBeLessThanOrEqual(page1.w + 0.5)
        expect(w.yMax, `${w.text} on ${layout} (${person.name})`).toBeLessThanOrEqual(page1.h + 0.5)
      }
      // A sheet of 8: the badge is the first cell; read its QR there.
      const image = render(file, join(dir, `${layout}-${person.ref}`), layout === 'a4_8' ? 150 : 300)
      const info = PNG.sync.read(readFileSync(image))
      const cell = layout === 'a4_8' ? { x: 0, y: 0, w: Math.floor(info.width / 2), h: Math.floor(info.height / 4) } : undefined
      expect(qrIn(image, cell), `QR on ${layout} for ${person.name}`).toBe(person.ref)
      if (layout === 'label_62x29' && person.name === LONG) execFileSync('cp', [image, join(SHOTS, 'badge-62x29.png')])
    }
  }
  // The emoji prints as itself (a glyph of a colour emoji font), not as an empty box, on every layout.
  for (const layout of Object.keys(layouts)) expect(execFileSync('pdftotext', [join(dir, `${layout}-BK-2003.pdf`), '-'], { encoding: 'utf8' })).toContain('🎉')

  // The print log is in the export: the last badge's time and desk, and how many were printed.
  const { csv } = await call<{ csv: string }>(page, desk, 'export.roster', { sessionId: keynote.id, columns: ['name', 'badgePrinted'] })
  expect(csv).toMatch(/\r\nשרה לוי,2026-\d\d-\d\d \d\d:\d\d .+ \(×6\)\r\n/)
  expect(csv).toMatch(/\r\nBen Carter,\r\n/)
})

test('attendance sheet on paper and back in: sorted, pre-ticked, codes with QR; a typo caught, another session refused', async ({ page, desk, browser }, testInfo) => {
  test.setTimeout(120_000)
  await openKeynote(page, desk)
  const search = page.getByLabel('Search roster')
  await search.fill('Zoë')
  await page.getByRole('button', { name: 'Check in Zoë Adams' }).click()
  await expect(page.getByText('3 of 3 arrived')).toBeVisible()

  await page.getByRole('button', { name: 'Print: badges, attendance sheet, marks from paper' }).click()
  const printing = page.getByRole('dialog', { name: 'Printing' })
  await printing.getByRole('button', { name: 'Print attendance sheet' }).click()
  await expect(page.getByText('Attendance sheet with 6 people is ready: choose the printer in the print dialog.')).toBeVisible()
  const src = (await page.locator('iframe.print-frame').getAttribute('src'))!
  expect(src).toMatch(/^\/print\/sheet\/\d+\?lang=en&token=.+&print=1$/)
  await printing.getByRole('button', { name: 'Done' }).click()

  const dir = testInfo.outputPath('print')
  execFileSync('mkdir', ['-p', dir])
  const sheetPdf = join(dir, 'sheet.pdf')
  await toPdf(browser, desk, src.replace(/&token=[^&]+&print=1$/, ''), sheetPdf)
  const size = pdfPageSize(sheetPdf)
  expect(size.w / PT).toBeCloseTo(210, 0)
  expect(size.h / PT).toBeCloseTo(297, 0)
  const text = execFileSync('pdftotext', ['-layout', sheetPdf, '-'], { encoding: 'utf8' })
  expect(text).toMatch(/How to use this sheet/)
  expect(text).toMatch(/Opening keynote/)
  expect(text).toMatch(/Printed \d{1,2} \w{3} \d{4}, \d{2}:\d{2}/)
  // By last name: Adams, Álvarez-Núñez, Carter, (von) Hohenzollern…, Nakamura, and the Hebrew name.
  const order = ['Zoë Adams', 'Álvarez-Núñez', 'Ben Carter', 'Maximiliane Alexandra', 'Nakamura', 'לוי'].map((n) => text.indexOf(n))
  expect(order.every((at) => at >= 0)).toBe(true)
  expect([...order].sort((a, b) => a - b)).toEqual(order)
  // Zoë arrived before printing: ticked, with her time.
  expect(text).toMatch(/✓\s+Zoë Adams\s+3\s+\d{2}:\d{2}/)
  const codes = [...text.matchAll(/\b([0-9A-Z]{3,})-([0-9A-Z*~$=])\b/g)].map((m) => `${m[1]}-${m[2]}`)
  expect(codes).toHaveLength(6)
  const png = render(sheetPdf, join(dir, 'sheet'), 200)
  execFileSync('pdftoppm', ['-r', '110', '-singlefile', '-png', sheetPdf, join(SHOTS, 'sheet-page')])
  // The QR beside a row holds that row's code: read the right-hand strip at the first row.
  const image = PNG.sync.read(readFileSync(png))
  const firstRow = words(sheetPdf).find((w) => w.text === 'Adams')!
  const px = (pt: number) => Math.round((pt / 72) * 200)
  const strip = { x: px(size.w - 80), y: Math.max(0, px(firstRow.yMin - 30)), w: px(70), h: px(55) }
  expect(strip.x + strip.w).toBeLessThanOrEqual(image.width)
  const codeOf = (name: string) => {
    const line = text.split('\n').find((l) => l.includes(name))!
    return /\b([0-9A-Z]{3,}-[0-9A-Z*~$=])\b/.exec(line)![1]!
  }
  expect(qrIn(png, strip)).toBe(codeOf('Zoë Adams'))

  // The worst case came: marks made on paper are typed back in.
  const ben = codeOf('Ben Carter')
  const kai = codeOf('Nakamura')
  const workshop = (await call<{ sessions: { id: number; title: string }[] }>(page, desk, 'sessions.forDay', { date: '2026-07-06', timeZone: 'Europe/Berlin' })).sessions.find(
    (s) => s.title === 'Workshop B'
  )!
  // Olga's code comes from the workshop's own sheet.
  await call(page, desk, 'print.sheet', { sessionId: workshop.id })
  const olgaCode = await olgaRowCode(browser, desk, workshop.id, dir)

  await page.getByRole('button', { name: 'Print: badges, attendance sheet, marks from paper' }).click()
  await page.getByRole('dialog', { name: 'Printing' }).getByRole('button', { name: 'Enter marks from a sheet' }).click()
  const paper = page.getByRole('dialog', { name: 'Enter marks from a sheet' })
  await expect(paper.getByLabel(/At the sheet’s print time/)).toBeChecked()
  const code = paper.getByLabel('Row code')
  const typo = ben.slice(0, -3) + (ben.at(-3) === '7' ? '8' : '7') + ben.slice(-2)
  await code.fill(typo)
  await code.press('Enter')
  await expect(paper.getByText(`${typo}: typo — the check character does not match. Look at the sheet again.`)).toBeVisible()
  await code.fill(olgaCode)
  await code.press('Enter')
  await expect(paper.getByText(`${olgaCode} (Olga Other) is on the sheet of “Workshop B”, not this session: nothing entered.`)).toBeVisible()
  await code.fill(ben.toLowerCase())
  await code.press('Enter')
  await expect(paper.getByText(/^Ben Carter: checked in from paper at \d{1,2}:\d{2}/)).toBeVisible()
  await paper.getByLabel('The time written on the paper').check()
  await paper.getByLabel('Time on paper').fill('09:20')
  await code.fill(kai)
  await code.press('Enter')
  await expect(paper.getByText(/^Kai 🎉 Nakamura: checked in from paper at 09:20( AM)?\.$/)).toBeVisible()
  await code.fill(codeOf('Zoë Adams'))
  await code.press('Enter')
  await expect(paper.getByText(/^Zoë Adams had already arrived \(\d{1,2}:\d{2}( [AP]M)?\): not entered twice\.$/)).toBeVisible()
  await paper.screenshot({ path: join(SHOTS, 'paper-marks.png') })
  await paper.getByRole('button', { name: 'Done' }).click()

  // On the roster and in the audit log as marks from paper; Olga's session untouched.
  await search.fill('Kai')
  await expect(page.getByText('1 of 1 arrived')).toBeVisible()
  const audit = await call<{ entries: { action: string; personName: string | null; details: { fromPaper?: boolean } }[] }>(page, desk, 'audit.list', {})
  expect(audit.entries.filter((e) => e.details?.fromPaper).map((e) => e.personName).sort()).toEqual(['Ben Carter', 'Kai 🎉 Nakamura'])
  const olgaRow = (await call<{ rows: { attendance: { status: string } }[] }>(page, desk, 'roster.page', { sessionId: workshop.id, search: '', offset: 0, limit: 5 })).rows[0]!
  expect(olgaRow.attendance.status).toBe('NOT_SET')
})

/** Olga's row code, read off her own session's sheet. */
async function olgaRowCode(browser: Browser, desk: DeskHandle, sessionId: number, dir: string): Promise<string> {
  const page = await browser.newPage()
  try {
    const res = await page.request.post(`${desk.origin}api/print.lastSheet`, { headers: { Authorization: `Bearer ${desk.token}`, Connection: 'close' }, data: { sessionId } })
    const { value } = (await res.json()) as { value: { sheet: { sheetId: number } } }
    const file = join(dir, 'workshop.pdf')
    await toPdf(browser, desk, `/print/sheet/${value.sheet.sheetId}?lang=en`, file)
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
    return /Olga Other.*?\b([0-9A-Z]{3,}-[0-9A-Z*~$=])\b/.exec(text)![1]!
  } finally {
    await page.close()
  }
}
