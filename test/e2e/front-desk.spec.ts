/**
 * Front-desk operations end to end in the browser desk: a USB scanner (a keyboard wedge) checks
 * people in from anywhere while typing still searches; kiosk mode with the admin PIN, its lockout
 * and the self-service screen that never shows a contact detail; walk-ins, confirmations, closing
 * a session, live stats, the audit log and export with chosen columns. The scan detector's pure
 * logic is checked first, by feeding it timestamped keys.
 *
 * The spec also saves the README's screenshots to docs/screenshots/.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { parse } from 'csv-parse/sync'
import { ScanDetector } from '../../src/renderer/src/scan/scanner'
import { expect, ROOT, scanBurst, test, type DeskHandle } from './fixtures'

const SHOTS = join(ROOT, 'docs', 'screenshots')

/** Booking ids are 20 characters long, like the codes on printed tickets. */
const CODE = {
  anna: 'RC-2026-000000000001',
  jose: 'RC-2026-000000000002',
  zoe: 'RC-2026-000000000003',
  liam: 'RC-2026-000000000004',
  soren: 'RC-2026-000000000005',
  unknown: 'RC-2026-999999999999'
}
/** Everything of the roster's contact details that must never show on a self-service screen. */
const SECRETS = ['@example.com', '+49 170 1234567', '170 1234567', '+34 600 111 222', '600 111 222', '+45 20 30 40 50', '+44 7700 900123']

function rosterCsv(today: string): string {
  const yoga = `Morning Yoga,${today} 09:00,${today} 10:00,20,`
  const spin = `Evening Spin,${today} 18:30,${today} 19:15,12,`
  // A session run from another zone: its times are shown in its zone, labelled "(New York)".
  const webinar = `Lunch Webinar,${today} 12:00,${today} 13:00,50,America/New_York`
  return [
    'Name,Email,Phone,Party size,Booking id,Status,Session,Start,End,Capacity,Timezone',
    `Anna Müller,anna.mueller@example.com,+49 170 1234567,3,${CODE.anna},confirmed,${yoga}`,
    `José Álvarez,jose@example.com,+34 600 111 222,1,${CODE.jose},confirmed,${yoga}`,
    `Zoë Chen,zoe.chen@example.com,,2,${CODE.zoe},pending,${yoga}`,
    `Liam O'Brien,liam@example.com,+44 7700 900123,1,${CODE.liam},confirmed,${yoga}`,
    `Søren Kierkegaard,soren@example.com,+45 20 30 40 50,1,${CODE.soren},confirmed,${spin}`,
    `Kai Webb,kai@example.com,,1,RC-2026-000000000006,confirmed,${webinar}`
  ].join('\n')
}

/** Today in the desk's zone (the browser's), and the roster imported for it through the API. */
async function openDesk(page: Page, desk: DeskHandle): Promise<string> {
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(desk.deskUrl)
  const { zone, today } = await page.evaluate(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
    return { zone, today }
  })
  const res = await page.request.post(`${desk.origin}api/import.commit`, {
    headers: { Authorization: `Bearer ${desk.token}` },
    data: { csv: rosterCsv(today), timeZone: zone }
  })
  expect(res.ok()).toBe(true)
  await page.reload()
  await page.getByRole('navigation', { name: /^Sessions on / }).getByRole('button', { name: /Morning Yoga/ }).click()
  await expect(page.getByLabel('Search roster')).toBeFocused()
  return zone
}

const counts = (page: Page) => page.getByRole('main').locator('.counts .main')
const overlay = (page: Page) => page.locator('.overlay[role="alert"]')

const scan = (page: Page, code: string): Promise<void> => scanBurst(page, code)

/** A scanner as many really are: Shift down and up around every capital letter. */
const scanWithShift = (page: Page, code: string): Promise<void> => scanBurst(page, code, { shift: true })

async function noSecrets(page: Page): Promise<void> {
  const text = await page.locator('body').innerText()
  for (const secret of SECRETS) expect(text, `the page shows ${secret}`).not.toContain(secret)
}

test.describe('scan detector (pure logic)', () => {
  const feed = (d: ScanDetector, text: string, start: number, gap: number) => {
    let at = start
    const steps = [...text].map((ch) => {
      const step = d.char(ch, at)
      at += gap
      return step
    })
    return { steps, at }
  }

  test('a fast burst ending in Enter is a scan; nothing of it is typed', () => {
    const d = new ScanDetector()
    const { steps, at } = feed(d, CODE.anna, 1000, 5)
    expect(steps.every((s) => s.consume && s.replay === '')).toBe(true)
    expect(d.enter(at)).toEqual({ consume: true, replay: '', scan: CODE.anna })
    expect(d.held).toBe('')
  })

  test('a person typing ~120 ms apart is typing: every key is handed back, Enter passes', () => {
    const d = new ScanDetector()
    let at = 0
    let typed = ''
    for (const ch of 'anna') {
      typed += d.idle(at) // the timer between keys
      const step = d.char(ch, at)
      typed += step.replay
      at += 120
    }
    const enter = d.enter(at)
    expect(enter.scan).toBeNull()
    expect(enter.consume).toBe(false)
    expect(typed + enter.replay).toBe('anna')
  })

  test('too short, one slow gap, other keys and pauses', () => {
    const short = new ScanDetector()
    const { at } = feed(short, 'abc', 0, 5)
    expect(short.enter(at)).toEqual({ consume: false, replay: 'abc', scan: null })

    // A busy machine delays one key: still a scan (the median gap is what counts).
    const hiccup = new ScanDetector()
    feed(hiccup, 'RC-2026-', 0, 6)
    hiccup.char('0', 48 + 70)
    const rest = feed(hiccup, '00001', 48 + 76, 6)
    expect(hiccup.enter(rest.at).scan).toBe('RC-2026-000001')

    const other = new ScanDetector()
    feed(other, 'ab', 0, 5)
    expect(other.other()).toEqual({ consume: false, replay: 'ab', scan: null })

    const paused = new ScanDetector()
    feed(paused, 'abcd', 0, 5)
    expect(paused.idle(40)).toBe('')
    expect(paused.idle(200)).toBe('abcd')
    expect(paused.enter(205)).toEqual({ consume: false, replay: '', scan: null })
  })
})

test('a scanner burst checks in anywhere; typed slowly the code just searches; unknown codes change nothing', async ({ page, desk }) => {
  const zone = await openDesk(page, desk)
  const search = page.getByLabel('Search roster')
  await expect(counts(page)).toHaveText(/^0 of 7 arrived · capacity 20$/)
  // Times are in each session's zone, labelled when it is not the desk's.
  const sessions = page.getByRole('navigation', { name: /^Sessions on / })
  await expect(sessions.getByRole('button', { name: /Morning Yoga/ })).not.toContainText('(')
  if (zone !== 'America/New_York') await expect(sessions.getByRole('button', { name: /Lunch Webinar/ })).toContainText(/12:00.*\(New York\)/)

  // The scanner types Anna's 20-character booking id at 5 ms per key, then Enter.
  await scan(page, CODE.anna)
  await expect(overlay(page)).toContainText('Checked in')
  await expect(overlay(page)).toContainText('Anna Müller')
  await expect(overlay(page)).toContainText('Party of 3')
  await page.screenshot({ path: join(SHOTS, 'scan-checked-in.png') })
  await expect(search).toHaveValue('')
  await expect(counts(page)).toHaveText(/^3 of 7 arrived/)
  await expect(overlay(page)).toBeHidden({ timeout: 4_000 })
  await search.fill('anna')
  await expect(page.getByRole('list', { name: 'Roster' }).getByText('3 of 3 arrived')).toBeVisible()
  await search.fill('')

  // The same code again (Shift pressed for the capitals, as scanners do): amber, with when and where.
  await scanWithShift(page, CODE.anna)
  await expect(overlay(page)).toContainText('Already checked in')
  await expect(overlay(page)).toContainText(/at \d{1,2}:\d{2}/)
  await expect(overlay(page)).toContainText('at this desk')
  await page.screenshot({ path: join(SHOTS, 'scan-already.png') })

  // An unknown code (the next scan clears the last feedback at once): red, nothing changes.
  await scan(page, CODE.unknown)
  await expect(overlay(page)).toContainText('Unknown code')
  await expect(overlay(page)).toContainText(CODE.unknown)
  await page.screenshot({ path: join(SHOTS, 'scan-unknown.png') })
  await expect(counts(page)).toHaveText(/^3 of 7 arrived/)

  // Someone booked for the evening class: red, with the session they are booked for.
  await scan(page, CODE.soren)
  await expect(overlay(page)).toContainText('Not booked for this session')
  await expect(overlay(page)).toContainText('Evening Spin')
  await expect(counts(page)).toHaveText(/^3 of 7 arrived/)
  await page.keyboard.press('Shift')
  await expect(overlay(page)).toBeHidden()

  // A person typing José's code at 120 ms per key: it lands in the search box and searches.
  await search.focus()
  await page.keyboard.type(CODE.jose, { delay: 120 })
  await expect(search).toHaveValue(CODE.jose)
  await expect(overlay(page)).toBeHidden()
  await expect(page.getByRole('button', { name: 'Check in José Álvarez' })).toBeVisible()
  await expect(page.getByRole('list', { name: 'Roster' }).getByRole('listitem')).toHaveCount(1)
  await expect(counts(page)).toHaveText(/^3 of 7 arrived/)
})

test('kiosk mode: a PIN first, the PIN to leave or open set-up, lockout after 5 wrong PINs, self-service masks contacts', async ({ page, desk }) => {
  test.setTimeout(90_000)
  await openDesk(page, desk)

  // No PIN yet: main refuses to enter kiosk mode.
  await page.getByRole('button', { name: 'Kiosk mode' }).click()
  const dialog = page.getByRole('dialog', { name: 'Kiosk mode', exact: true })
  await dialog.getByRole('button', { name: 'Enter kiosk mode' }).click()
  await expect(dialog.getByRole('alert')).toHaveText('Set an admin PIN first: it is needed to leave kiosk mode.')
  await dialog.getByLabel('Admin PIN').fill('12')
  await dialog.getByRole('button', { name: 'Set PIN' }).click()
  await expect(dialog.getByText('A PIN is 4 to 12 digits.')).toBeVisible()
  await dialog.getByLabel('Admin PIN').fill('2468')
  await dialog.getByRole('button', { name: 'Set PIN' }).click()
  await expect(dialog.getByRole('status')).toHaveText('The admin PIN is saved.')

  // A staffed kiosk: full screen, no admin buttons.
  await dialog.getByRole('radio', { name: 'Staffed kiosk' }).check()
  await dialog.getByRole('button', { name: 'Enter kiosk mode' }).click()
  await expect(dialog).toBeHidden()
  await expect.poll(() => page.evaluate(() => !!document.fullscreenElement)).toBe(true)
  for (const name of ['Import roster', 'Export CSV…', 'Close session', 'Export roster CSV', 'Kiosk mode']) {
    await expect(page.getByRole('button', { name, exact: true })).toHaveCount(0)
  }
  await expect(page.getByRole('button', { name: 'Mark José Álvarez as no-show' })).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Check in José Álvarez' })).toBeVisible()

  // Leaving needs the PIN: a wrong one is refused with main's words, the right one leaves.
  await page.getByRole('button', { name: 'Leave kiosk' }).click()
  const prompt = page.getByRole('dialog', { name: 'Leave kiosk mode' })
  await prompt.getByLabel('Admin PIN').fill('0000')
  await prompt.getByLabel('Admin PIN').press('Enter')
  await expect(prompt.getByRole('alert')).toHaveText('Wrong PIN. 4 attempts left.')
  await expect(page.locator('.kiosk-badge')).toHaveText('Staffed kiosk')
  await prompt.getByLabel('Admin PIN').fill('2468')
  await prompt.getByRole('button', { name: 'Leave kiosk' }).click()
  await expect(prompt).toBeHidden()
  await expect(page.getByRole('button', { name: 'Import roster', exact: true })).toBeVisible()
  await expect.poll(() => page.evaluate(() => !!document.fullscreenElement)).toBe(false)

  // Self-service: nothing listed before 3 letters, contact details masked, a confirmation step.
  await page.getByRole('button', { name: 'Kiosk mode' }).click()
  await dialog.getByRole('radio', { name: 'Self-service' }).check()
  await dialog.getByRole('button', { name: 'Enter kiosk mode' }).click()
  await expect(page.getByText('Type at least 3 letters of your name')).toBeVisible()
  await noSecrets(page)
  const name = page.getByLabel('Your name')
  await name.fill('an')
  await expect(page.getByText('Type at least 3 letters of your name')).toBeVisible()
  await expect(page.getByRole('button', { name: /^This is me:/ })).toHaveCount(0)
  await name.fill('ann')
  const anna = page.getByRole('button', { name: 'This is me: Anna Müller' })
  await expect(anna).toBeVisible()
  await expect(anna).toContainText('a•••@e•••.com')
  await noSecrets(page)
  await name.fill('o')
  await name.fill('jos')
  await expect(page.getByRole('button', { name: 'This is me: José Álvarez' })).toContainText('••• ••22')
  await noSecrets(page)
  await name.fill('anna')
  await anna.click()
  await expect(page.getByRole('heading', { name: 'Are you Anna M.?' })).toBeVisible()
  const party = page.getByRole('group', { name: 'How many of you are here?' })
  await expect(party).toContainText('3')
  await party.getByRole('button', { name: 'One fewer person' }).click()
  await expect(party).toContainText('2')
  await page.screenshot({ path: join(SHOTS, 'kiosk-self-service.png') })
  await page.getByRole('button', { name: 'Check me in' }).click()
  await expect(page.getByRole('heading', { name: 'Thank you, Anna!' })).toBeVisible()
  await expect(page.getByText('2 people checked in.')).toBeVisible()
  await noSecrets(page)
  // A scan on the self-service screen gives the same full-screen feedback, still masked.
  await scan(page, CODE.jose)
  await expect(overlay(page)).toContainText('José Álvarez')
  await noSecrets(page)
  // The thank-you screen goes back to the search by itself.
  await expect(page.getByLabel('Your name')).toHaveValue('', { timeout: 10_000 })

  // Leaving full screen does not leave the kiosk: a blocking prompt until PIN or full screen.
  await page.evaluate(() => document.exitFullscreen())
  const lock = page.getByRole('dialog', { name: 'Kiosk mode — enter the admin PIN to leave' })
  await expect(lock).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(lock).toBeVisible()
  await lock.getByRole('button', { name: 'Back to full screen' }).click()
  await expect(lock).toBeHidden()
  // Kiosk mode survives a reload (main keeps it); without full screen the lock shows again.
  await page.reload()
  await expect(lock).toBeVisible()
  await lock.getByRole('button', { name: 'Back to full screen' }).click()
  await expect(page.getByText('Type at least 3 letters of your name')).toBeVisible()

  // Set-up asks for the PIN; 5 wrong PINs lock PIN entry for a minute, even the right PIN then.
  await page.getByRole('button', { name: 'Set-up', exact: true }).click()
  const setupPin = page.getByRole('dialog', { name: 'Open set-up' })
  for (const left of [4, 3, 2, 1]) {
    await setupPin.getByLabel('Admin PIN').fill('1111')
    await setupPin.getByRole('button', { name: 'Open set-up' }).click()
    await expect(setupPin.getByRole('alert')).toHaveText(`Wrong PIN. ${left} ${left === 1 ? 'attempt' : 'attempts'} left.`)
  }
  await setupPin.getByLabel('Admin PIN').fill('1111')
  await setupPin.getByRole('button', { name: 'Open set-up' }).click()
  await expect(setupPin.getByRole('alert')).toHaveText(/^Wrong PIN\. PIN entry is locked until \d{1,2}:\d{2}( [AP]M)?\.$/)
  await setupPin.getByLabel('Admin PIN').fill('2468')
  await setupPin.getByRole('button', { name: 'Open set-up' }).click()
  await expect(setupPin.getByRole('alert')).toHaveText(/^Too many wrong PINs: PIN entry is locked until \d{1,2}:\d{2}( [AP]M)?\.$/)
  await expect(page.getByRole('dialog', { name: 'Set-up', exact: true })).toHaveCount(0)
  await page.keyboard.press('Escape')
  await expect(setupPin).toBeHidden()
  await noSecrets(page)
})

test('walk-in, confirm a pending booking, close the session, stats, audit log and export columns', async ({ page, desk }) => {
  test.setTimeout(90_000)
  await openDesk(page, desk)
  const search = page.getByLabel('Search roster')
  const roster = page.getByRole('list', { name: 'Roster' })

  // A walk-in: the name is required; they are added and checked in at once.
  const addButton = page.getByRole('button', { name: 'Add walk-in' })
  await addButton.click()
  const walkIn = page.getByRole('dialog', { name: 'Add walk-in' })
  await expect(walkIn.getByLabel('Name')).toBeFocused()
  await walkIn.getByRole('button', { name: 'Add and check in' }).click()
  await expect(walkIn.getByText('A walk-in needs a name')).toBeVisible()
  await walkIn.getByLabel('Name').fill('Mia Walker')
  await walkIn.getByLabel('Email (optional)').fill('mia@walkin.test')
  await walkIn.getByRole('button', { name: 'One more person' }).click()
  await walkIn.getByLabel('Name').press('Enter')
  await expect(walkIn).toBeHidden()
  await expect(search).toHaveValue('Mia Walker')
  await expect(roster.getByRole('listitem')).toHaveCount(1)
  await expect(roster).toContainText('Walk-in')
  await expect(roster).toContainText('2 of 2 arrived')
  await expect(counts(page)).toHaveText(/^2 of 9 arrived/)

  // Esc closes a dialog and gives the focus back to the button that opened it.
  await addButton.click()
  await expect(walkIn.getByLabel('Name')).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(walkIn).toBeHidden()
  await expect(addButton).toBeFocused()

  // The roster as the desk sees it now (a walk-in checked in, Zoë waiting for confirmation).
  await search.fill('')
  await expect(roster.getByRole('listitem')).toHaveCount(5)
  await page.setViewportSize({ width: 1280, height: 900 })
  await page.mouse.move(0, 0)
  await expect(roster.getByRole('button', { name: 'Confirm Zoë Chen' })).toBeVisible()
  await page.screenshot({ path: join(SHOTS, 'roster.png') })
  await page.setViewportSize({ width: 1280, height: 800 })

  // Zoë's booking waits for confirmation: confirm it on arrival, then check her in.
  await search.fill('zoe')
  await expect(roster).toContainText('Pending confirmation')
  await page.getByRole('button', { name: 'Confirm Zoë Chen' }).click()
  await expect(roster).not.toContainText('Pending confirmation')
  await page.getByRole('button', { name: 'Check in Zoë Chen' }).click()
  await expect(roster).toContainText('2 of 2 arrived')
  await search.fill('')
  await expect(roster.getByRole('listitem')).toHaveCount(5)

  // The same roster in German, chosen with the header's picker (and remembered across a reload).
  await page.getByLabel('Language').selectOption('de')
  await expect(page.locator('html')).toHaveAttribute('lang', 'de')
  await expect(page.getByRole('button', { name: 'Spontangast hinzufügen' })).toBeVisible()
  await expect(counts(page)).toHaveText(/^4 von 9 da/)
  await page.reload()
  await expect(page.getByLabel('Sprache')).toHaveValue('de')
  await expect(page.getByLabel('Liste durchsuchen')).toBeFocused()
  await page.setViewportSize({ width: 1280, height: 900 })
  await page.mouse.move(0, 0)
  await page.screenshot({ path: join(SHOTS, 'roster-de.png') })
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.getByLabel('Sprache').selectOption('en')
  await expect(page.locator('html')).toHaveAttribute('lang', 'en')
  await page.getByRole('navigation', { name: /^Sessions on / }).getByRole('button', { name: /Morning Yoga/ }).click()

  // Close the session: the three without a mark (Anna, José, Liam) become no-shows.
  await page.getByRole('button', { name: 'Close session' }).click()
  const confirm = page.getByRole('dialog', { name: 'Close this session?' })
  await expect(confirm).toContainText('Mark the 3 people who have not arrived as no-shows?')
  await confirm.getByRole('button', { name: 'Mark 3 as no-shows' }).click()
  await expect(roster.getByText(/^No-show/)).toHaveCount(3)
  await expect(page.getByRole('main').locator('.counts')).toContainText('3 no-shows')

  // Live stats: the numbers and a chart of arrivals, with a table behind it.
  await page.getByRole('button', { name: 'Stats' }).click()
  const stats = page.getByRole('dialog', { name: 'Stats' })
  const numbers = stats.locator('#stats-session-numbers')
  await expect(numbers.getByText('People arrived')).toBeVisible()
  await expect(numbers.locator('.tile').filter({ hasText: 'People arrived' })).toContainText('4')
  await expect(numbers.locator('.tile').filter({ hasText: 'People expected' })).toContainText('9')
  await expect(numbers.locator('.tile').filter({ hasText: 'Capacity' })).toContainText('20')
  await expect(numbers.locator('.tile').filter({ hasText: 'No-shows' })).toContainText('3')
  await expect(numbers.locator('.tile').filter({ hasText: 'Pending confirmations' })).toContainText('0')
  const chart = stats.getByRole('img', { name: /Arrivals per 15 minutes/ })
  await expect(chart).toBeVisible()
  await expect(chart.locator('rect.bar')).not.toHaveCount(0)
  await expect(chart).toHaveAccessibleName(/4 people arrived between/)
  await stats.getByText('Show the arrivals as a table').click()
  await expect(stats.getByRole('table').first()).toContainText('People')
  await expect(stats.getByRole('row', { name: /Evening Spin/ })).toBeVisible()
  await page.setViewportSize({ width: 1280, height: 1000 })
  await page.screenshot({ path: join(SHOTS, 'stats.png') })
  await page.setViewportSize({ width: 1280, height: 800 })
  await stats.getByRole('button', { name: 'Close' }).click()

  // The audit log lists every mark, newest first, with its sync state.
  await page.getByRole('button', { name: /^Sync status:/ }).click()
  await page.getByRole('dialog', { name: 'Sync' }).getByRole('button', { name: 'Audit log' }).click()
  const audit = page.getByRole('dialog', { name: 'Audit log' })
  const rows = audit.getByRole('row')
  await expect(rows.nth(1)).toContainText('Closed session (3 no-shows)')
  const text = await audit.getByRole('table').innerText()
  for (const what of ['No-show', 'Checked in 2', 'Confirmed', 'Walk-in', 'Imported 6 rows']) expect(text).toContain(what)
  expect(text).toMatch(/No-show\s+José Álvarez\s+Morning Yoga/)
  expect(text).toMatch(/Walk-in\s+Mia Walker/)
  expect(text).toContain('(this desk)')
  expect(text).toContain('Local only')
  await audit.getByRole('button', { name: 'Close' }).click()

  // Export with chosen columns: at least one, and only those.
  await page.getByRole('button', { name: 'Export CSV…' }).click()
  const exp = page.getByRole('dialog', { name: 'Export CSV' })
  await expect(exp.getByRole('checkbox')).toHaveCount(18)
  await exp.getByRole('button', { name: 'Untick all' }).click()
  await expect(exp.getByText('Choose at least one column.')).toBeVisible()
  await expect(exp.getByRole('button', { name: 'Export CSV' })).toBeDisabled()
  await exp.getByRole('checkbox', { name: 'Name', exact: true }).check()
  await exp.getByRole('checkbox', { name: 'Attendance', exact: true }).check()
  await exp.getByRole('radio', { name: /^This session/ }).check()
  const [download] = await Promise.all([page.waitForEvent('download'), exp.getByRole('button', { name: 'Export CSV' }).click()])
  const file = parse(readFileSync((await download.path())!, 'utf8'), { bom: true }) as string[][]
  expect(file[0]).toEqual(['Name', 'Attendance'])
  expect(file).toHaveLength(6)
})
