/**
 * The roster export's own CSV writer (src/main/export/roster-csv.ts) against the reference it
 * replaced: csv-stringify with the desk's options over the rows of one plain SQL statement. The
 * files must be byte for byte the same — quoting, formula neutralisation, BOM, CRLF, session-zone
 * times, order (own and course participations of a course session merged by name), marks, chosen
 * columns — for a single session and for a day of sessions.
 */
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { DateTime } from 'luxon'
import { describe, expect, it } from 'vitest'
import { csvField, neutraliseFormula } from '../../src/main/export'
import type { ParticipationRecord, SessionRecord } from '../../src/main/providers/types'
import { EXPORT_COLUMNS, type ExportColumn } from '../../src/shared/contract'
import { createReplica } from '../../src/main/sync'
import { testDesk, ZONE } from './helpers'

const TRICKY = [
  '',
  'plain',
  'Anna Müller',
  "O'Brien, Liam",
  'say "hi"',
  '"',
  '""',
  ',',
  'a\r\nb',
  'line\nbreak',
  'cr\ronly',
  'ends with cr\r',
  ' leading space',
  'trailing space ',
  '\ttab first',
  'tab last\t',
  'inner\ttab',
  '\u00a0nbsp',
  'ideographic\u3000',
  '=SUM(A1:A2)',
  '+45 20 30 40 50',
  '-1',
  '@cmd',
  '  ',
  'emoji 🎉, and "quotes"',
  'עברית',
  '漢字',
  'e\u0301'
]

/**
 * The desk's csv-stringify options. `quote_record_delimiter: true` is the one the old export lacked:
 * with a CRLF record delimiter csv-stringify left a lone LF or CR inside a field unquoted, so a
 * name with a line break split its row in two; the desk's writer quotes it (RFC 4180).
 */
const OPTIONS = { record_delimiter: 'windows', quoted_match: /^\s|\s$/, quote_record_delimiter: true } as const

describe('csvField', () => {
  it('quotes exactly like csv-stringify with the desk options', () => {
    for (const value of TRICKY) {
      const reference = stringify([[value, 'x']], OPTIONS)
      expect(`${csvField(value)},x\r\n`, JSON.stringify(value)).toBe(reference)
    }
  })
})

const day = '2026-07-06'
const at = (hm: string) => DateTime.fromISO(`${day}T${hm}`, { zone: ZONE }).toMillis()

function session(providerId: string, title: string, start: string, extra: Partial<SessionRecord> = {}): SessionRecord {
  return {
    providerId,
    title,
    startsAt: at(start),
    endsAt: at(start) + 3_600_000,
    timeZone: ZONE,
    allDay: false,
    capacity: null,
    scheduleId: null,
    scheduleName: null,
    kind: 'DEFAULT',
    status: 'CONFIRMED',
    revision: '1',
    raw: null,
    ...extra
  }
}

function person(providerId: string, name: string, target: { sessionProviderId?: string; scheduleId?: string }, extra: Partial<ParticipationRecord> = {}): ParticipationRecord {
  return {
    providerId,
    externalId: `ext-${providerId}`,
    sessionProviderId: target.sessionProviderId ?? null,
    scheduleId: target.scheduleId ?? null,
    name,
    email: `${providerId}@example.com`,
    phone: null,
    contactId: null,
    customerNumber: null,
    bookingId: null,
    badgeNumber: null,
    partySize: 1,
    status: 'CONFIRMED',
    revision: '1',
    raw: null,
    ...extra
  }
}

/** The export as it was written before: one statement (OR over course rows), csv-stringify. */
function reference(sqlite: import('better-sqlite3').Database, sessionIds: number[], columns: readonly ExportColumn[]): string {
  const rows = sqlite
    .prepare(
      `SELECT s.title AS sessionTitle, s.starts_at AS startsAt, s.time_zone AS timeZone,
         p.name, p.email, p.phone, p.party_size AS partySize, p.status, p.external_id AS externalId,
         p.is_walk_in AS isWalkIn, a.status AS aStatus, a.attendees, a.marked_at AS markedAt, a.desk_id AS deskId, a.checked_out_at AS checkedOutAt, a.day
       FROM sessions s
       JOIN participations p ON p.session_id = s.id OR (s.schedule_id IS NOT NULL AND p.schedule_id = s.schedule_id)
       LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = s.id
       WHERE s.id IN (SELECT value FROM json_each(?)) ORDER BY s.starts_at, s.title, s.id, p.sort_name, p.id`
    )
    .all(JSON.stringify(sessionIds)) as Record<string, string | number | null>[]
  const local = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm')
  const words: Record<string, string> = { ATTENDED: 'Checked in', NOT_ATTENDED: 'No-show', NOT_SET: '' }
  const cell: Record<ExportColumn, [string, (r: Record<string, string | number | null>) => string]> = {
    session: ['Session', (r) => String(r.sessionTitle)],
    sessionStart: ['Session start', (r) => local(r.startsAt as number, r.timeZone as string)],
    timeZone: ['Time zone', (r) => String(r.timeZone)],
    name: ['Name', (r) => String(r.name)],
    email: ['Email', (r) => String(r.email ?? '')],
    phone: ['Phone', (r) => String(r.phone ?? '')],
    partySize: ['Party size', (r) => String(r.partySize)],
    bookingStatus: ['Booking status', (r) => String(r.status)],
    attendance: ['Attendance', (r) => words[(r.aStatus as string | null) ?? 'NOT_SET'] ?? ''],
    attendees: ['Attendees', (r) => String(r.attendees ?? 0)],
    day: ['Day', (r) => String(r.day ?? (r.markedAt === null ? '' : local(r.markedAt as number, r.timeZone as string).slice(0, 10)))],
    checkedOutAt: ['Checked out at', (r) => (r.checkedOutAt !== null && r.aStatus === 'ATTENDED' ? local(r.checkedOutAt as number, r.timeZone as string) : '')],
    checkedInAt: ['Checked in at', (r) => (r.markedAt !== null && r.aStatus === 'ATTENDED' ? local(r.markedAt as number, r.timeZone as string) : '')],
    checkedInBy: ['Checked in by (desk)', (r) => String(r.deskId ?? '')],
    walkIn: ['Walk-in', (r) => (r.isWalkIn ? 'yes' : '')],
    externalId: ['Booking reference', (r) => String(r.externalId ?? '')],
    // Pulled marks are never from paper, and nobody printed a badge here.
    fromPaper: ['From paper', () => ''],
    badgePrinted: ['Badge printed', () => '']
  }
  const chosen = columns.map((c) => cell[c])
  return stringify([chosen.map((c) => c[0]), ...rows.map((r) => chosen.map((c) => neutraliseFormula(c[1](r))))], { ...OPTIONS, bom: true })
}

describe('roster export', () => {
  it('writes the same file as csv-stringify over the old single statement', async () => {
    const t = testDesk({ now: () => Date.parse('2026-07-06T16:35:00Z') })
    const sqlite = t.desk.db.$client
    const replica = createReplica(t.desk.db, () => Date.parse('2026-07-06T10:00:00Z'))
    const [yoga, course1, course2] = replica.applySessions('wix', [
      session('ev-yoga', '=Morning "Yoga", deluxe', '09:00'),
      session('ev-c1', 'Pottery course', '18:00', { scheduleId: 'sch-pottery', kind: 'COURSE' }),
      session('ev-c2', 'Pottery course', '18:00', { scheduleId: 'sch-pottery', kind: 'COURSE', providerId: 'ev-c2' })
    ]).ids as [number, number, number]
    const names = TRICKY.filter((n) => n !== '').concat(['Zoë', 'zoe', 'Zoe', 'Åsa', 'Ærø', 'Ølund', 'Bob'])
    replica.applyParticipations(
      'wix',
      { id: yoga, providerId: 'ev-yoga' },
      names.map((n, i) =>
        person(`y${i}`, n, { sessionProviderId: 'ev-yoga' }, {
          email: i % 3 ? `@${i}@example.com` : null,
          phone: i % 4 ? `+49 170 ${i}` : null,
          externalId: i % 5 ? `-ext ${i}` : null,
          partySize: 1 + (i % 3),
          status: i % 7 ? 'CONFIRMED' : 'PENDING_CONFIRMATION',
          attendance: i % 2 ? [{ participationProviderId: `y${i}`, sessionProviderId: 'ev-yoga', status: i % 4 === 1 ? 'ATTENDED' : 'NOT_ATTENDED', attendees: i % 4 === 1 ? 2 : 0, providerId: null, markedAt: at('09:07') + i * 61_000, deskId: `desk, ${i}` }] : undefined
        })
      )
    )
    // A course: people of the whole course (schedule) and people of one session, names interleaved.
    replica.applyParticipations('wix', { id: course1, providerId: 'ev-c1' }, [
      person('c-a', 'Anna Course', { scheduleId: 'sch-pottery' }),
      person('c-c', 'Carl Course', { scheduleId: 'sch-pottery' }, { attendance: [{ participationProviderId: 'c-c', sessionProviderId: 'ev-c2', status: 'ATTENDED', attendees: 1, providerId: null, markedAt: at('18:05'), deskId: 'd' }] }),
      person('s-b', 'Bert Session', { sessionProviderId: 'ev-c1' }),
      person('s-d', 'Dora Session', { sessionProviderId: 'ev-c1' })
    ])
    const walkIn = await t.call('attendance.walkIn', { sessionId: yoga, name: '+walk in ', partySize: 2 })
    expect(walkIn).toBeTruthy()

    for (const columns of [EXPORT_COLUMNS, ['name', 'checkedInAt', 'session'] as ExportColumn[]]) {
      for (const id of [yoga, course1, course2]) {
        const file = await t.call('export.roster', { sessionId: id, columns: [...columns] })
        expect(file.csv, `session ${id}`).toBe(reference(sqlite, [id], columns))
        expect(file.rows).toBe((parse(file.csv, { bom: true }) as unknown[]).length - 1)
      }
      const all = await t.call('export.roster', { date: day, timeZone: ZONE, columns: [...columns] })
      expect(all.csv).toBe(reference(sqlite, [yoga, course1, course2], columns))
      expect(all.rows).toBe(names.length + 1 + 4 + 2)
    }
  })
})
