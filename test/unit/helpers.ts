import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { createDispatcher } from '../../src/main/ipc/dispatcher'
import { openDesk, type Desk, type DeskOptions } from '../../src/main/core'
import { findMigrationsFolder } from '../../src/main/db'
import type { CallName, CallInput, CallOutput, ImportRowError, SyncStatus } from '../../src/shared/contract'
import { english, englishSync } from '../../src/main/log/english'
import type { ParticipationRecord, SessionRecord } from '../../src/main/providers/types'

export const ZONE = 'Europe/Berlin'
/** An import line's problems in the log's English (the window words the same codes in its language). */
export const lineText = (e: ImportRowError): string => e.problems.map(english).join('; ')
/** The sync status's errors in the log's English ("Download failed: …"), as one line; null when none. */
export const errorsText = (s: SyncStatus): string | null =>
  s.errors.map((e) => (e.stage === 'download' ? `Download failed: ${englishSync(e)}` : englishSync(e))).join(' ') || null
export const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8')

const dirs: string[] = []
const desks: Desk[] = []
afterEach(() => {
  for (const d of desks.splice(0)) {
    try {
      d.close()
    } catch {
      /* already closed by the test */
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-test-'))
  dirs.push(dir)
  return dir
}

/** A desk on a real SQLite file, driven through the same dispatcher the app uses. */
export function testDesk(options: Partial<DeskOptions> = {}) {
  const dataDir = options.dataDir ?? tempDir()
  const desk = openDesk({ env: {}, ...options, dataDir })
  desks.push(desk)
  return { desk, dataDir, ...drive(desk) }
}

/**
 * Calls into a desk through the dispatcher the app uses: `call` answers the value or throws the
 * desk's error (its message prefixed with the call's name when `named`); `fail` expects an error.
 */
export function drive(desk: Desk, options: { named?: boolean } = {}) {
  const dispatch = createDispatcher(desk.handlers, () => {})
  async function call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
    const answer = await dispatch(name, input)
    if (!answer.ok) {
      const message = options.named ? `${name}: ${answer.error.message}` : answer.error.message
      throw Object.assign(new Error(message), { code: answer.error.code, issues: answer.error.issues })
    }
    return answer.value as CallOutput<K>
  }
  async function fail(name: CallName, input: unknown) {
    const answer = await dispatch(name, input)
    if (answer.ok) throw new Error(`${name} was expected to fail`)
    return answer.error
  }
  return { call, fail, dispatch }
}

export type TestDesk = ReturnType<typeof testDesk>

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Lets the desk's sync engine run until `done` holds (or fails the test after `ms`). */
export async function waitFor(done: () => boolean | Promise<boolean>, ms = 15_000, what = 'condition') {
  const until = Date.now() + ms
  while (!(await done())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

export async function importStudio(t: ReturnType<typeof testDesk>) {
  const result = await t.call('import.commit', { csv: fixture('studio-roster.csv'), timeZone: ZONE })
  const { sessions } = await t.call('sessions.forDay', { date: '2026-07-06', timeZone: ZONE })
  const byTitle = (title: string) => sessions.find((s) => s.title === title)!
  return { result, sessions, yoga: byTitle('Morning Yoga'), spin: byTitle('Evening Spin') }
}

/**
 * A migrations folder holding the shipped migrations up to (not including) the one whose tag
 * matches: a database migrated with it is what a desk of the release before that one wrote.
 */
export function migrationsBefore(tag: RegExp): string {
  const full = findMigrationsFolder()
  const folder = join(tempDir(), 'drizzle')
  mkdirSync(join(folder, 'meta'), { recursive: true })
  const journal = JSON.parse(readFileSync(join(full, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] }
  const at = journal.entries.findIndex((e) => tag.test(e.tag))
  if (at <= 0) throw new Error(`no migration before one tagged ${tag}`)
  const entries = journal.entries.slice(0, at)
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }))
  for (const e of entries) cpSync(join(full, `${e.tag}.sql`), join(folder, `${e.tag}.sql`))
  return folder
}

/** A session as a provider hands it to the replica (override what a test is about). */
export const sessionRecord = (providerId: string, extra: Partial<SessionRecord> = {}): SessionRecord => ({
  providerId,
  title: providerId,
  startsAt: Date.parse('2026-07-06T09:00:00Z'),
  endsAt: Date.parse('2026-07-06T10:00:00Z'),
  timeZone: 'Europe/Berlin',
  allDay: false,
  capacity: null,
  scheduleId: null,
  scheduleName: null,
  kind: 'DEFAULT',
  status: 'CONFIRMED',
  revision: '1',
  raw: null,
  ...extra
})

/** A person on a roster as a provider hands it to the replica, for session 'ev-1' unless told. */
export const participationRecord = (providerId: string, extra: Partial<ParticipationRecord> = {}): ParticipationRecord => ({
  providerId,
  externalId: null,
  sessionProviderId: 'ev-1',
  scheduleId: null,
  name: providerId,
  email: null,
  phone: null,
  contactId: null,
  customerNumber: null,
  bookingId: null,
  badgeNumber: null,
  partySize: 1,
  status: 'CONFIRMED',
  revision: '1',
  raw: { id: providerId },
  ...extra
})
