/**
 * Syncing with a booking system, end to end, as the front desk sees it: connect the desk to a fake
 * Wix / Plandocket through Set-up, watch the session arrive, check people in, lose the network,
 * keep checking in, get it back, and see every mark land exactly once. Plus a mark the booking
 * system refuses: it waits in the Sync panel until the desk retries it.
 */
import type { Locator, Page } from '@playwright/test'
import { DateTime } from 'luxon'
import { startFakePlandocket, type FakePlandocket } from '../fakes/plandocket'
import { startFakeWix, type FakeWix } from '../fakes/wix'
import { join } from 'node:path'
import type { SyncProblem, SyncStatus } from '../../src/shared/contract'
import { englishSync } from '../../src/main/log/english'
import { expect, ROOT, test } from './fixtures'

const NS = '@rollcall/checkin'
const OTHER_APP = 'aaaaaaaa-1111-2222-3333-bbbbbbbbbbbb'
const PEOPLE = ['Ada Test', 'Ben Test', 'Cleo Test', 'Dora Test']
const TITLE = 'Spin'

/** A booking system seeded with today's Spin class, driven the same way whichever it is. */
interface Backend {
  label: 'Wix' | 'Plandocket'
  /** Fill the chosen provider's fields in the Set-up dialog (with another key, if given). */
  fill(dialog: Locator, apiKey?: string): Promise<void>
  /** Names of the people whose check-in the booking system holds, one entry per stored mark. */
  marked(): string[]
  down(): Promise<void>
  up(): Promise<void>
  close(): Promise<void>
  /** Another station (or the service's dashboard) acts at the same time. */
  otherStationChecksIn(name: string): void
  removeCheckIn(name: string): void
  removePerson(name: string): void
  /** A key the service accepts that may not record check-ins; and how the desk must name what it lacks. */
  keyWithoutCheckIns(): { key: string; missing: string }
}

interface Day {
  zone: string
  today: string
}

async function startWix(day: Day): Promise<Backend & { fake: FakeWix; eventId: string }> {
  const fake = await startFakeWix({ seed: 11, timeZone: day.zone })
  const event = fake.addEvent({
    title: TITLE,
    type: 'CLASS',
    appId: OTHER_APP,
    start: `${day.today}T09:00:00`,
    end: `${day.today}T10:00:00`,
    timeZone: day.zone,
    totalCapacity: 50
  })
  for (const name of PEOPLE) fake.addParticipation({ eventId: event.id, participant: { name }, partySize: 1 })
  return {
    label: 'Wix',
    fake,
    eventId: event.id,
    async fill(dialog, apiKey = fake.apiKey) {
      await dialog.getByLabel('Site ID').fill(fake.siteId)
      await dialog.getByLabel('API key').fill(apiKey)
      await dialog.getByText('Advanced', { exact: true }).click()
      await expect(dialog.getByLabel('Base URL')).toHaveValue('https://www.wixapis.com')
      await expect(dialog.getByLabel('Check-in namespace')).toHaveValue(NS)
      await dialog.getByLabel('Base URL').fill(fake.baseUrl)
    },
    marked() {
      const marks: string[] = []
      for (const p of fake.participations()) {
        const sessions = (p.extendedFields?.namespaces?.[NS] as { sessions?: Record<string, { status: string; attendees: number }> } | undefined)?.sessions
        const mark = sessions?.[event.id]
        if (mark?.status === 'ATTENDED') marks.push(p.participant.name)
      }
      // Exactly once: one accepted PATCH per person.
      const patched = fake.requests((r) => r.method === 'PATCH').filter((r) => r.status === 200)
      const byId = new Map(fake.participations().map((p) => [p.id, p.participant.name]))
      const patchedNames = patched.map((r) => byId.get(r.path.split('/').pop() ?? '') ?? r.path).sort()
      expect(patchedNames, 'one accepted PATCH per check-in').toEqual([...marks].sort())
      return marks
    },
    down: () => fake.down(),
    up: () => fake.up(),
    close: () => fake.close(),
    otherStationChecksIn(name) {
      const p = fake.participations().find((x) => x.participant.name === name)!
      const mark = { status: 'ATTENDED', attendees: 1, markedAt: new Date().toISOString(), deskId: 'side-door', deskName: 'Side door' }
      fake.updateParticipation(p.id, { extendedFields: { namespaces: { [NS]: { sessions: { [event.id]: mark } } } } })
    },
    removeCheckIn(name) {
      const p = fake.participations().find((x) => x.participant.name === name)!
      fake.updateParticipation(p.id, { extendedFields: { namespaces: { [NS]: { sessions: {} } } } })
    },
    removePerson(name) {
      fake.removeParticipation(fake.participations().find((x) => x.participant.name === name)!.id)
    },
    keyWithoutCheckIns() {
      fake.setKey('calendar-reader', ['Read Calendar', 'Manage Bookings'])
      return { key: 'calendar-reader', missing: 'the permission “Manage Calendar”' }
    }
  }
}

async function startPlandocket(day: Day): Promise<Backend & { fake: FakePlandocket }> {
  const fake = await startFakePlandocket({ seed: 5 })
  const at = (time: string) => DateTime.fromISO(`${day.today}T${time}`, { zone: day.zone }).toUTC().toISO({ suppressMilliseconds: true })!
  const event = fake.addEvent({ event_key: `spin-${day.today}`, title: TITLE, date_from: at('09:00:00'), date_to: at('10:00:00'), is_visible: true })
  const seeded = fake.seedMany(PEOPLE.length, event.event_key, (i) => {
    const [first = '', last = ''] = PEOPLE[i]!.split(' ')
    return { contact: { first_name: first, last_name: last } }
  })
  const nameOf = new Map(seeded.map((s) => [s.participant.id, `${s.contact.first_name} ${s.contact.last_name}`]))
  const idOf = (name: string) => [...nameOf].find(([, n]) => n === name)![0]
  return {
    label: 'Plandocket',
    fake,
    async fill(dialog, apiKey = fake.apiKey) {
      await dialog.getByLabel('Tenant address').fill(fake.baseUrl)
      await dialog.getByLabel('API key').fill(apiKey)
    },
    marked: () => fake.checkIns().filter((c) => c.is_checked_in).map((c) => nameOf.get(c.event_participant_id) ?? `#${c.event_participant_id}`),
    down: () => fake.down(),
    up: () => fake.up(),
    close: () => fake.close(),
    otherStationChecksIn(name) {
      fake.addCheckIn({ event_participant_id: idOf(name), station: 'Side door' })
    },
    removeCheckIn(name) {
      for (const c of fake.checkIns().filter((x) => x.event_participant_id === idOf(name))) fake.removeCheckIn(c.id)
    },
    removePerson(name) {
      fake.removeParticipant(idOf(name))
    },
    keyWithoutCheckIns() {
      fake.setKey('no-checkins', { scopes: ['events', 'participants', 'contacts'] })
      return { key: 'no-checkins', missing: 'the checkins scope' }
    }
  }
}

/** The desk's zone and today's date there (the desk shows today on open). */
async function deskDay(page: Page): Promise<Day> {
  return page.evaluate(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
    return { zone, today: parts }
  })
}

/**
 * The usual start of a test: the desk at 1280 px, a fake booking system seeded with today's Spin
 * class, `run` with it, and the fake closed whatever happens.
 */
async function withBackend<B extends Backend>(page: Page, deskUrl: string, start: (day: Day) => Promise<B>, run: (backend: B) => Promise<void>): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(deskUrl)
  const backend = await start(await deskDay(page))
  try {
    await run(backend)
  } finally {
    await backend.close()
  }
}

const indicator = (page: Page) => page.getByRole('button', { name: /^Sync status:/ })
/** "Synced · 12:04" with nothing waiting and nothing to look at. */
const SYNCED = /^Sync status: Synced · [^·]+$/

/** Set-up → provider → fields → Test connection (must succeed) → Save. */
async function connect(page: Page, backend: Backend, screenshot?: string): Promise<void> {
  await page.getByRole('button', { name: 'Set-up', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Set-up' })
  await expect(dialog).toBeVisible()
  await expect(dialog.getByRole('radio', { name: 'Local only (no account)' })).toBeChecked()
  await dialog.getByRole('radio', { name: backend.label, exact: true }).check()
  await backend.fill(dialog)
  // The web desk has no keychain: the desk is told how the key is kept.
  await expect(dialog.getByText('stored in a file only readable by this user account')).toBeVisible()

  await dialog.getByRole('button', { name: 'Test connection' }).click()
  await expect(dialog.getByRole('status')).toContainText('Connected to')
  if (screenshot) await dialog.screenshot({ path: screenshot })

  await dialog.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(dialog).toBeHidden()
}

async function checkIn(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: `Check in ${name}` }).click()
  await expect(page.getByRole('button', { name: `Undo last mark for ${name}` })).toBeVisible()
}

const backends: { label: Backend['label']; start: (day: Day) => Promise<Backend & { fake: FakeWix | FakePlandocket }> }[] = [
  { label: 'Wix', start: startWix },
  { label: 'Plandocket', start: startPlandocket }
]

for (const { label, start } of backends) {
  test(`${label}: set up, check in, lose the network, keep checking in, and every mark lands once`, async ({ page, desk }, testInfo) => {
    test.setTimeout(150_000)
    const pageErrors: string[] = []
    page.on('pageerror', (err) => pageErrors.push(err.message))
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) pageErrors.push(msg.text())
    })
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.goto(desk.deskUrl)
    await expect(indicator(page)).toHaveAccessibleName('Sync status: Local only')
    const backend = await start(await deskDay(page))
    try {
      await connect(page, backend, testInfo.outputPath(`${label.toLowerCase()}-setup.png`))

      // The class arrives in the background, without a reload.
      const sessions = page.getByRole('navigation', { name: /^Sessions on / })
      await expect(sessions.getByRole('button', { name: new RegExp(TITLE) })).toBeVisible({ timeout: 20_000 })
      await sessions.getByRole('button', { name: new RegExp(TITLE) }).click()
      await expect(page.getByRole('button', { name: 'Check in Dora Test' })).toBeVisible({ timeout: 20_000 })

      await checkIn(page, 'Ada Test')
      await expect(indicator(page)).toHaveAccessibleName(SYNCED, { timeout: 20_000 })
      await expect.poll(() => backend.marked(), { timeout: 10_000 }).toEqual(['Ada Test'])

      // Unplugged: marks keep working and wait on the desk.
      await backend.down()
      await checkIn(page, 'Ben Test')
      await checkIn(page, 'Cleo Test')
      await expect(indicator(page)).toHaveAccessibleName('Sync status: Offline · 2 waiting', { timeout: 15_000 })
      await expect(indicator(page)).toContainText('Offline · 2 waiting')
      await page.screenshot({ path: testInfo.outputPath(`${label.toLowerCase()}-offline.png`) })

      await indicator(page).click()
      const panel = page.getByRole('dialog', { name: 'Sync' })
      await expect(panel).toBeVisible()
      await expect(panel.getByText('2 marks', { exact: true })).toBeVisible()
      await expect(panel.getByText(/^Offline: .* cannot be reached/)).toBeVisible()
      await expect(panel.getByRole('button', { name: 'Sync now' })).toBeVisible()
      await panel.screenshot({ path: testInfo.outputPath(`${label.toLowerCase()}-sync-panel.png`) })
      await panel.getByRole('button', { name: 'Close' }).click()
      await expect(panel).toBeHidden()

      // Plugged back in: the desk retries on its own and the queue drains.
      await backend.up()
      await expect(indicator(page)).toHaveAccessibleName(SYNCED, { timeout: 45_000 })
      await expect.poll(() => backend.marked().sort(), { timeout: 10_000 }).toEqual(['Ada Test', 'Ben Test', 'Cleo Test'])
      expect(pageErrors).toEqual([])
    } finally {
      await backend.close()
    }
  })
}

test('a mark Wix refuses waits in the Sync panel until the desk retries it', async ({ page, desk }, testInfo) => {
  test.setTimeout(90_000)
  await withBackend(page, desk.deskUrl, startWix, async (backend) => {
    await connect(page, backend)
    const sessions = page.getByRole('navigation', { name: /^Sessions on / })
    await sessions.getByRole('button', { name: new RegExp(TITLE) }).click({ timeout: 20_000 })
    await expect(page.getByRole('button', { name: 'Check in Ada Test' })).toBeVisible({ timeout: 20_000 })

    backend.fake.faults.next(1, { type: 'status', status: 400, body: { message: 'bad', details: {} } }, (r) => r.method === 'PATCH')
    await checkIn(page, 'Ada Test')
    await expect(indicator(page)).toHaveAccessibleName(/· 1 needs attention$/, { timeout: 20_000 })
    await expect(indicator(page)).toContainText('1 needs attention')

    await indicator(page).click()
    const panel = page.getByRole('dialog', { name: 'Sync' })
    const problems = panel.getByRole('region', { name: /^Need attention/ })
    await expect(problems.getByRole('listitem')).toHaveCount(1)
    await expect(problems.getByRole('listitem')).toContainText('Ada Test')
    await expect(problems.getByRole('listitem')).toContainText(TITLE)
    await expect(problems.getByRole('listitem')).toContainText('bad')
    await expect(problems.getByRole('button', { name: "Discard this desk's change for Ada Test" })).toBeVisible()
    await panel.screenshot({ path: testInfo.outputPath('wix-problem-panel.png') })
    expect(backend.fake.participations().every((p) => !p.extendedFields?.namespaces?.[NS])).toBe(true)

    await problems.getByRole('button', { name: 'Retry for Ada Test' }).click()
    await expect(panel.getByRole('status')).toContainText('Sending the change for Ada Test again')
    await expect(problems.getByRole('listitem')).toHaveCount(0)
    await expect(panel.getByText('Nothing needs attention')).toBeVisible()
    await expect(indicator(page)).toHaveAccessibleName(SYNCED, { timeout: 20_000 })
    await expect.poll(() => backend.marked(), { timeout: 10_000 }).toEqual(['Ada Test'])
  })
})

/** Set-up → provider → fields with `key` → Save (Test connection is the test's business). */
async function connectWith(page: Page, backend: Backend, key?: string): Promise<Locator> {
  await page.getByRole('button', { name: 'Set-up', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Set-up' })
  await dialog.getByRole('radio', { name: backend.label, exact: true }).check()
  await backend.fill(dialog, key)
  return dialog
}

async function openSpin(page: Page): Promise<void> {
  const sessions = page.getByRole('navigation', { name: /^Sessions on / })
  await sessions.getByRole('button', { name: new RegExp(TITLE) }).click({ timeout: 20_000 })
  await expect(page.getByRole('button', { name: 'Check in Dora Test' })).toBeVisible({ timeout: 20_000 })
}

const arrived = (page: Page, name: string) => page.getByRole('button', { name: `Undo last mark for ${name}` })

for (const { label, start } of backends) {
  test.describe(`${label}: a desk left alone`, () => {
    test('an outage during a download ends by itself: Online again and another station’s check-in shown, with no click', async ({ page, desk }) => {
      test.setTimeout(120_000)
      await withBackend(page, desk.deskUrl, start, async (backend) => {
        await connect(page, backend)
        await openSpin(page)
        await expect(indicator(page)).toHaveAccessibleName(SYNCED, { timeout: 20_000 })

        // The service goes away while the desk downloads (nothing is waiting to be sent).
        await backend.down()
        await indicator(page).click()
        const panel = page.getByRole('dialog', { name: 'Sync' })
        await panel.getByRole('button', { name: 'Sync now' }).click()
        await panel.getByRole('button', { name: 'Close' }).click()
        await expect(indicator(page)).toHaveAccessibleName('Sync status: Offline', { timeout: 20_000 })

        // Meanwhile another station checks Ben in; then the service is back. Nobody clicks.
        backend.otherStationChecksIn('Ben Test')
        await backend.up()
        await expect(indicator(page)).toHaveAccessibleName(SYNCED, { timeout: 60_000 })
        await expect(arrived(page, 'Ben Test')).toBeVisible({ timeout: 30_000 })
      })
    })

    test('one 500 on a check-in: the mark is at the service within 5 s', async ({ page, desk }) => {
      await withBackend(page, desk.deskUrl, start, async (backend) => {
        await connect(page, backend)
        await openSpin(page)
        const fake = backend.fake
        fake.faults.next(1, { type: 'status', status: 500 }, (r) => r.method === 'PATCH' || (r.method === 'POST' && r.path === '/check-ins'))
        const started = Date.now()
        await checkIn(page, 'Ada Test')
        await expect.poll(() => backend.marked(), { timeout: 5_000, intervals: [100] }).toEqual(['Ada Test'])
        expect(Date.now() - started).toBeLessThan(5_000)
        expect(fake.requests().some((r) => r.status === 500)).toBe(true)
      })
    })

    test('a person removed and a check-in deleted at the service disappear from the desk after the next download', async ({ page, desk }) => {
      await withBackend(page, desk.deskUrl, start, async (backend) => {
        await connect(page, backend)
        await openSpin(page)
        await checkIn(page, 'Cleo Test')
        await expect.poll(() => backend.marked(), { timeout: 10_000 }).toEqual(['Cleo Test'])

        backend.removePerson('Dora Test')
        backend.removeCheckIn('Cleo Test')
        await indicator(page).click()
        const panel = page.getByRole('dialog', { name: 'Sync' })
        await panel.getByRole('button', { name: 'Sync now' }).click()
        await panel.getByRole('button', { name: 'Close' }).click()
        await expect(page.getByRole('button', { name: 'Check in Dora Test' })).toHaveCount(0, { timeout: 20_000 })
        await expect(page.getByRole('button', { name: 'Check in Cleo Test' })).toBeVisible({ timeout: 20_000 })
        await expect(page.getByText('3 on the roster')).toBeVisible()
      })
    })

    test('a key that may not record check-ins is named by Test connection and by the Sync panel', async ({ page, desk }, testInfo) => {
      await withBackend(page, desk.deskUrl, start, async (backend) => {
        const { key, missing } = backend.keyWithoutCheckIns()
        const dialog = await connectWith(page, backend, key)
        await dialog.getByRole('button', { name: 'Test connection' }).click()
        const report = dialog.getByRole('status')
        await expect(report).toContainText(`but the key lacks ${missing} (to record check-ins)`)
        await dialog.screenshot({ path: testInfo.outputPath(`${label.toLowerCase()}-setup-missing-permission.png`) })
        if (label === 'Plandocket') await dialog.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'setup-missing-scope.png') })
        await dialog.getByRole('button', { name: 'Save', exact: true }).click()
        await expect(dialog).toBeHidden()

        // The roster still downloads; the check-in waits, and the desk says why.
        await openSpin(page)
        await checkIn(page, 'Ada Test')
        await expect(indicator(page)).toHaveAccessibleName('Sync status: Permission missing · 1 waiting', { timeout: 20_000 })
        await indicator(page).click()
        const panel = page.getByRole('dialog', { name: 'Sync' })
        await expect(panel.getByText(`This key may not record check-ins in ${label}: add ${missing} to the key.`)).toBeVisible()
        await panel.screenshot({ path: testInfo.outputPath(`${label.toLowerCase()}-sync-missing-permission.png`) })
        if (label === 'Plandocket') await panel.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'sync-missing-scope.png') })
        expect(backend.marked()).toEqual([])
      })
    })
  })
}

/** A row's sync marker, by its accessible name: "Ada Test: Sent". */
const marker = (page: Page, name: string, state: string) => page.getByRole('img', { name: `${name}: ${state}` })

test('each row shows where its mark is: waiting to send, then sent when Wix accepts it, or needs attention when Wix refuses it', async ({ page, desk }, testInfo) => {
  test.setTimeout(90_000)
  await withBackend(page, desk.deskUrl, startWix, async (backend) => {
    await connect(page, backend)
    await openSpin(page)
    await expect(indicator(page)).toHaveAccessibleName(SYNCED, { timeout: 20_000 })
    // Nothing was sent for anyone yet: no marker at all.
    await expect(page.getByRole('img', { name: /^Ada Test: / })).toHaveCount(0)

    // Wix takes its time answering: the row says the mark waits, then that Wix has it.
    backend.fake.faults.next(1, { type: 'delay', ms: 2_500 }, (r) => r.method === 'PATCH')
    await checkIn(page, 'Ada Test')
    await expect(marker(page, 'Ada Test', 'Waiting to send')).toBeVisible()
    await page.locator('section.roster').screenshot({ path: testInfo.outputPath('row-waiting.png') })
    await expect(marker(page, 'Ada Test', 'Sent')).toBeVisible({ timeout: 20_000 })
    expect(backend.marked()).toEqual(['Ada Test'])

    // Wix refuses the next one: that row needs attention, Ada's stays sent.
    backend.fake.faults.next(1, { type: 'status', status: 400, body: { message: 'bad', details: {} } }, (r) => r.method === 'PATCH')
    await checkIn(page, 'Ben Test')
    await expect(marker(page, 'Ben Test', 'Needs attention')).toBeVisible({ timeout: 20_000 })
    await expect(marker(page, 'Ada Test', 'Sent')).toBeVisible()
    await page.locator('section.roster').screenshot({ path: join(ROOT, 'docs', 'screenshots', 'roster-sync-markers.png') })

    // The check-in's answer reaches the window only after main pushed Wix's refusal (HTTP and the
    // event stream race like that on a busy machine): the row keeps the later news.
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    await page.route('**/api/attendance.checkIn', async (route) => {
      const response = await route.fetch()
      await held
      await route.fulfill({ response })
    })
    backend.fake.faults.next(1, { type: 'status', status: 400, body: { message: 'bad', details: {} } }, (r) => r.method === 'PATCH')
    await page.getByRole('button', { name: 'Check in Cleo Test' }).click()
    await expect(marker(page, 'Cleo Test', 'Needs attention')).toBeVisible({ timeout: 20_000 })
    release()
    await expect(page.getByText('Cleo Test checked in (1)')).toBeVisible()
    await expect(marker(page, 'Cleo Test', 'Needs attention')).toBeVisible()
    await expect(marker(page, 'Cleo Test', 'Waiting to send')).toHaveCount(0)
    await page.unroute('**/api/attendance.checkIn')
  })
})

test("another desk's change appears on this desk's screen through main's events: the window never polls", async ({ page, desk, context }) => {
  test.setTimeout(90_000)
  await withBackend(page, desk.deskUrl, startWix, async (backend) => {
    await connect(page, backend)
    await openSpin(page)
    await expect(indicator(page)).toHaveAccessibleName(SYNCED, { timeout: 20_000 })

    // From here on, every call this window makes is counted; it listens on the event stream.
    const calls: string[] = []
    let listening = false
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname
      if (path === '/api/events') listening = true
      else if (path.startsWith('/api/')) calls.push(path.slice('/api/'.length))
    })
    await page.reload()
    await expect(page.getByRole('button', { name: 'Check in Dora Test' })).toBeVisible({ timeout: 20_000 })
    await expect.poll(() => listening).toBe(true)
    // A quiet window asks main nothing: a poll of any kind (sync status, the roster, the day) fails here.
    await page.waitForTimeout(1_000)
    calls.length = 0
    await page.waitForTimeout(5_000)
    expect(calls, 'calls made by a window left alone').toEqual([])

    // A second screen on this desk checks Cleo in: the first shows it, without asking.
    const second = await context.newPage()
    await second.setViewportSize({ width: 1280, height: 800 })
    await second.goto(desk.deskUrl)
    await second.getByRole('navigation', { name: /^Sessions on / }).getByRole('button', { name: new RegExp(TITLE) }).click({ timeout: 20_000 })
    await checkIn(second, 'Cleo Test')
    await expect(arrived(page, 'Cleo Test')).toBeVisible({ timeout: 10_000 })
    await expect(marker(page, 'Cleo Test', 'Sent')).toBeVisible({ timeout: 20_000 })
    await second.close()
    expect(calls.filter((c) => c === 'sync.status' || c === 'roster.page'), 'the row came with the event, not by reading the roster again').toEqual([])

    // Another desk checks Ben in at Wix; this desk downloads it (asked here by its own API, not by
    // the window), and the window shows it from the event alone.
    backend.otherStationChecksIn('Ben Test')
    const res = await fetch(`${desk.origin}api/sync.now`, { method: 'POST', headers: { Authorization: `Bearer ${desk.token}`, 'Content-Type': 'application/json' }, body: '{}' })
    expect(res.status).toBe(200)
    await expect(arrived(page, 'Ben Test')).toBeVisible({ timeout: 20_000 })
    expect(calls.filter((c) => c === 'sync.status'), 'the sync status came with the events').toEqual([])
  })
})

test("in German the desk shows none of main's English: the indicator, the Sync panel, a set-aside mark and the rows word main's codes", async ({ page, desk }) => {
  test.setTimeout(120_000)
  await withBackend(page, desk.deskUrl, startWix, async (backend) => {
    await connect(page, backend)
    await openSpin(page)
    // Wix no longer has Ben (404): his mark is set aside with a code, not a sentence.
    backend.fake.faults.next(1, { type: 'status', status: 404, body: { message: 'participation not found', details: {} } }, (r) => r.method === 'PATCH')
    await checkIn(page, 'Ben Test')
    await expect(indicator(page)).toContainText('1 needs attention', { timeout: 20_000 })
    await backend.down()
    await checkIn(page, 'Ada Test')
    await page.getByLabel('Language').selectOption('de')
    const indicatorDe = page.getByRole('button', { name: /^Sync-Status:/ })
    await expect(indicatorDe).toContainText('1 wartend', { timeout: 20_000 })
    await expect(marker(page, 'Ada Test', 'Wartet aufs Senden')).toBeVisible()

    // Main answers codes and no words; the log's English for them must not reach the German screen.
    const ask = async <T>(call: string): Promise<T> => {
      const res = await fetch(`${desk.origin}api/${call}`, { method: 'POST', headers: { Authorization: `Bearer ${desk.token}`, 'Content-Type': 'application/json' }, body: '{}' })
      return ((await res.json()) as { value: T }).value
    }
    const status = await ask<SyncStatus>('sync.status')
    const { problems } = await ask<{ problems: SyncProblem[] }>('sync.problems')
    expect(status).not.toHaveProperty('lastError')
    for (const e of status.errors) expect(e).not.toHaveProperty('message')
    expect(problems).toEqual([expect.objectContaining({ personName: 'Ben Test', reason: 'sync_removed_upstream', intent: { kind: 'check_in', attendees: 1 } })])
    expect(problems[0]).not.toHaveProperty('message')
    expect(problems[0]).not.toHaveProperty('wanted')
    const english = [...status.errors.map(englishSync), ...problems.map(englishSync)]
    expect(english.length).toBeGreaterThan(1)
    await indicatorDe.click()
    const panel = page.getByRole('dialog', { name: 'Synchronisierung' })
    await expect(panel).toBeVisible()
    const problem = panel.getByRole('listitem').filter({ hasText: 'Ben Test' })
    await expect(problem).toContainText('Diese Person ist in Wix nicht mehr gebucht.')
    await expect(problem).toContainText('Gewollt: 1 einchecken')
    const shown = await page.locator('body').innerText()
    for (const sentence of english) expect(shown, 'main’s English on the German screen').not.toContain(sentence)
    expect(shown).not.toMatch(/cannot be reached|\bwaiting\b|Waiting to send|check in 1|no longer booked/)
    await panel.screenshot({ path: join(ROOT, 'docs', 'screenshots', 'sync-problem-de.png') })
  })
})

test('Set-up keeps ended sessions for a number of days the desk chooses: out of range is refused at the field with nothing saved', async ({ page, desk }) => {
  await page.goto(desk.deskUrl)
  await page.getByRole('button', { name: 'Set-up', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Set-up' })
  const keep = dialog.getByRole('textbox', { name: 'Keep ended sessions for (days)' })
  await expect(keep).toHaveValue('180')
  await keep.fill('3')
  await dialog.getByRole('button', { name: 'Save', exact: true }).click()
  // Refused at the field, the dialog stays open, and nothing was saved.
  await expect(keep).toHaveAttribute('aria-invalid', 'true')
  await expect(keep).toBeFocused()
  await expect(dialog).toBeVisible()
  await keep.screenshot({ path: test.info().outputPath('retention-refused.png') })
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await page.getByRole('button', { name: 'Set-up', exact: true }).click()
  await expect(keep).toHaveValue('180')

  await keep.fill('30')
  await dialog.getByRole('group', { name: 'History on this desk' }).screenshot({ path: test.info().outputPath('retention-field.png') })
  await dialog.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(dialog).toBeHidden()
  await page.getByRole('button', { name: 'Set-up', exact: true }).click()
  await expect(keep).toHaveValue('30')
})
