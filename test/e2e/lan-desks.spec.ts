/**
 * Several desks, one roster (issue 18), as the desks' people do it: three browser desks on one
 * machine (own data dirs, loopback). The hub imports a roster and shares itself from Set-up; two
 * desks join it with the code read off the hub's screen; a check-in at one shows at the other,
 * and the other is told where and when the person was checked in already.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { ChildProcess } from 'node:child_process'
import type { Page } from '@playwright/test'
import { expect, ROOT, scanBurst, startDesk, stopDesk, test, type DeskHandle } from './fixtures'

const SHOTS = join(ROOT, 'docs', 'screenshots')
/** Loopback only, no multicast: three desks on one machine type the address as a desk would on a network without mDNS. */
const LAN_ENV = { ROLLCALL_LAN_HOST: '127.0.0.1', ROLLCALL_MDNS: 'off' }

const running: { child: ChildProcess; handle: DeskHandle }[] = []
const dirs: string[] = []
test.afterEach(async () => {
  for (const d of running.splice(0)) await stopDesk(d.child)
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/**
 * A desk with its own name: the desk names itself after its computer, and three desks on one
 * machine would all be called the same, so each data dir gets its name before the desk opens it.
 */
async function namedDesk(name: string): Promise<DeskHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rollcall-e2e-lan-'))
  dirs.push(dataDir)
  const first = await startDesk(dataDir, LAN_ENV)
  await stopDesk(first.child)
  const db = new Database(join(dataDir, 'rollcall.sqlite'))
  db.prepare(`INSERT INTO desk_meta (key, value) VALUES ('desk_name', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(name)
  db.close()
  const desk = await startDesk(dataDir, LAN_ENV)
  running.push(desk)
  return desk.handle
}

/** Today's roster (the desks open on today), one session spanning the day. */
function todaysRoster(): string {
  const d = new Date()
  const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
  const file = join(mkdtempSync(join(tmpdir(), 'rollcall-e2e-lan-csv-')), 'conference.csv')
  dirs.push(join(file, '..'))
  const rows = [
    ['Anna Müller', 'anna@example.com', 'BK-2001'],
    ['José Álvarez', 'jose@example.com', 'BK-2002'],
    ['Mei Tanaka', 'mei@example.com', 'BK-2003']
  ]
  writeFileSync(
    file,
    ['Name,Email,Party size,Booking id,Status,Session,Start,End,Capacity']
      .concat(rows.map(([name, email, id]) => `${name},${email},1,${id},confirmed,Keynote,${day} 00:00,${day} 23:59,300`))
      .join('\n') + '\n'
  )
  return file
}

async function openSetup(page: Page) {
  await page.getByRole('button', { name: 'Set-up', exact: true }).first().click()
  const dialog = page.getByRole('dialog', { name: 'Set-up' })
  await expect(dialog.getByRole('group', { name: 'Several desks on this network' })).toBeVisible()
  return dialog
}

/** The hub's pairing screen: a fresh code, and what the other desk types. */
async function pairingCode(hub: Page) {
  const dialog = hub.getByRole('dialog', { name: 'Set-up' })
  const show = dialog.getByRole('button', { name: /^(Show a pairing code|New pairing code)$/ })
  await show.click()
  const code = (await dialog.getByTestId('lan-pairing-code').textContent())!.trim()
  const lan = dialog.getByRole('group', { name: 'Several desks on this network' })
  const port = (await lan.locator('dt:text-is("Port") + dd').textContent())!.trim()
  const hubKey = (await lan.locator('dt:text-is("Hub key") + dd').textContent())!.trim()
  return { code, port, hubKey }
}

async function joinHub(member: Page, pairing: { code: string; port: string; hubKey: string }) {
  const dialog = await openSetup(member)
  await dialog.getByRole('button', { name: 'Join a desk on this network' }).click()
  await dialog.getByLabel('Hub address').fill('127.0.0.1')
  await dialog.getByLabel('Port', { exact: true }).fill(pairing.port)
  await dialog.getByLabel('Pairing code').fill(pairing.code)
  await dialog.getByLabel('Hub key', { exact: true }).fill(pairing.hubKey)
  await dialog.getByRole('button', { name: 'Join', exact: true }).click()
  await expect(dialog.getByText('This desk is a member of Entrance (127.0.0.1:' + pairing.port + ').')).toBeVisible()
  // Set-up's own form now says where the sessions come from, and saving it keeps the hub.
  await expect(dialog.getByRole('note').filter({ hasText: 'shared with the hub desk' })).toBeVisible()
  await expect(dialog.getByRole('radio')).toHaveCount(0)
  await dialog.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(dialog).toBeHidden()
}

async function openKeynote(page: Page) {
  const sessions = page.getByRole('navigation', { name: /^Sessions on / })
  await sessions.getByRole('button', { name: /Keynote/ }).click({ timeout: 20_000 })
}

test('two browser desks join a hub with the code from its screen; a check-in at one shows at the other', async ({ browser }) => {
  test.setTimeout(120_000)
  const [hubDesk, desk2, desk3] = await Promise.all([namedDesk('Entrance'), namedDesk('Desk 2'), namedDesk('Desk 3')])
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const [hub, two, three] = await Promise.all([context.newPage(), context.newPage(), context.newPage()])
  await Promise.all([hub.goto(hubDesk.deskUrl), two.goto(desk2.deskUrl), three.goto(desk3.deskUrl)])

  // The hub has the roster (local-only mode, a CSV file).
  await hub.getByRole('button', { name: 'Import roster', exact: true }).click()
  const importing = hub.getByRole('dialog', { name: 'Import roster' })
  await importing.getByLabel('Roster CSV file').setInputFiles(todaysRoster())
  await importing.getByRole('button', { name: 'Import 3 rows' }).click()
  await expect(importing.getByText('Imported: 3 new, 0 updated')).toBeVisible()
  await importing.getByRole('button', { name: 'Close' }).click()

  // Set-up → share this desk: address, port and hub key; a pairing code with its QR code.
  const setup = await openSetup(hub)
  await setup.getByRole('button', { name: 'Share this desk on the local network' }).click()
  await expect(setup.getByRole('switch', { name: 'Share this desk on the local network' })).toBeChecked()
  await expect(setup.getByText('Sharing on: desks on this network can join.')).toBeVisible()
  await expect(setup.getByText('No desk has joined yet.')).toBeVisible()

  await joinHub(two, await pairingCode(hub))
  await expect(setup.getByRole('row', { name: /Desk 2/ })).toBeVisible()
  // The code worked once: the second desk needs a new one.
  const second = await pairingCode(hub)
  await expect(setup.getByRole('img', { name: /QR code for pairing/ })).toBeVisible()
  // The whole section in view: code, QR code and the member list.
  await hub.setViewportSize({ width: 1280, height: 1400 })
  await setup.getByRole('group', { name: 'Several desks on this network' }).scrollIntoViewIfNeeded()
  await hub.screenshot({ path: join(SHOTS, 'lan-pairing.png') })
  await hub.setViewportSize({ width: 1280, height: 900 })
  await joinHub(three, second)
  await expect(setup.getByRole('row', { name: /Desk 3/ })).toBeVisible()
  await setup.getByRole('button', { name: 'Cancel' }).click()

  // Each desk's sync line says where it stands.
  await expect(hub.getByRole('button', { name: /^Sync status: Local only · Sharing with 2 desks/ })).toBeVisible()
  await expect(two.getByRole('button', { name: /^Sync status: Hub: Entrance — connected, 0 waiting/ })).toBeVisible()

  // Both members have the hub's session and roster.
  await Promise.all([openKeynote(two), openKeynote(three)])
  await expect(two.getByRole('button', { name: 'Check in Anna Müller' })).toBeVisible()
  await expect(three.getByRole('button', { name: 'Check in Anna Müller' })).toBeVisible()

  // Desk 2 checks Anna in; Desk 3 sees her arrived, checked in at Desk 2.
  await two.getByRole('button', { name: 'Check in Anna Müller' }).click()
  const checkedInAt = Date.now()
  await expect(two.getByRole('list', { name: /Roster/ }).getByText(/^Arrived/)).toBeVisible()

  // The hub has it, made at Desk 2: its stats count it for Desk 2.
  await openKeynote(hub)
  await expect(hub.getByRole('main').getByText(/1 of 3 arrived/)).toBeVisible({ timeout: 10_000 })
  await hub.getByRole('button', { name: 'Stats', exact: true }).click()
  const stats = hub.getByRole('dialog', { name: 'Stats' })
  const byDesk = stats.getByRole('table', { name: 'Checked in today, by desk' })
  await expect(byDesk.getByRole('row', { name: /^Desk 2 1 1$/ })).toBeVisible()
  await stats.getByRole('button', { name: 'Close' }).click()

  // Desk 3 sees her arrived within a second, checked in at Desk 2.
  const atThree = three.getByRole('list', { name: /Roster/ })
  await expect(atThree.getByText(/Already checked in at Desk 2, \d{1,2}:\d{2}/)).toBeVisible({ timeout: 5_000 })
  // Seen by the test, browser round trips included (the ≤ 1 s goal is measured in lan-desks.test.ts and the bench).
  test.info().annotations.push({ type: 'propagation', description: `Desk 2 → Desk 3 on screen within ${Date.now() - checkedInAt} ms` })

  // Her ticket scanned at Desk 3: answered at once from its replica, naming Desk 2.
  await scanBurst(three, 'BK-2001')
  const overlay = three.locator('.overlay[role="alert"]')
  await expect(overlay).toContainText('Already checked in')
  await expect(overlay).toContainText('at Desk 2')
  await three.screenshot({ path: join(SHOTS, 'lan-already-checked-in.png') })

  // The hub revokes Desk 3 (after asking); Desk 3 is cut off and says so, its check-ins stay on it.
  const hubSetup = await openSetup(hub)
  await hubSetup.getByRole('button', { name: 'Revoke Desk 3' }).click()
  const ask = hub.getByRole('dialog', { name: 'Revoke Desk 3?' })
  await ask.getByRole('button', { name: 'Revoke', exact: true }).click()
  await expect(hubSetup.getByRole('row', { name: /Desk 3/ }).getByText('Revoked')).toBeVisible()
  await hubSetup.getByRole('button', { name: 'Cancel' }).click()
  await expect(three.getByRole('button', { name: /^Sync status: Hub: Entrance — cut off/ })).toBeVisible({ timeout: 15_000 })

  // Desk 2 leaves the hub (after asking): it stands alone again.
  const twoSetup = await openSetup(two)
  await twoSetup.getByRole('button', { name: 'Leave the hub' }).click()
  await two.getByRole('dialog', { name: 'Leave Entrance?' }).getByRole('button', { name: 'Leave the hub' }).click()
  await expect(twoSetup.getByRole('button', { name: 'Join a desk on this network' })).toBeVisible()
  await expect(twoSetup.getByRole('radio', { name: /Local only/ })).toBeChecked()
  await twoSetup.getByRole('button', { name: 'Cancel' }).click()
  await expect(two.getByRole('button', { name: /^Sync status: Local only/ })).toBeVisible()
  await context.close()
})
