/**
 * A desk keeps a season: earlier sessions' people stay in the replica (and in its search index)
 * long after their day. Today's roster search must neither find them nor pay for them: the plan
 * is chosen by the hits on this roster, whatever the history holds. The roster's counts, read
 * from their own indexes and the session's marks, must stay the figures one join of roster and
 * marks gives.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { createRosterService } from '../../src/main/core/roster'
import { createSessionService } from '../../src/main/core/sessions'
import { dayIn } from '../../src/main/core/days'
import { foldText } from '../../src/main/core/text'
import { testDesk } from './helpers'

const FIRST = ['Anna', 'Ørjan', 'Zoë', 'Łukasz', 'Maria', 'Søren', 'Jürgen', 'Ángel']
const LAST = ['Ødegaard', 'Müller', 'Straße', 'Marsh', 'Núñez', 'Berg']

interface Person {
  id: number
  name: string
  email: string
  today: boolean
}

function seed() {
  const t = testDesk()
  const sqlite = t.desk.db.$client
  const now = Date.now()
  const addSession = sqlite.prepare(
    `INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, created_at, updated_at)
     VALUES ('wix', ?, ?, ?, ?, 'Europe/Berlin', ?, ?)`
  )
  const today = Number(addSession.run('ev-today', 'Today', now, now + 3_600_000, now, now).lastInsertRowid)
  const old = Number(addSession.run('ev-old', 'Last spring', now - 200 * 86_400_000, now - 200 * 86_400_000 + 3_600_000, now, now).lastInsertRowid)
  const add = sqlite.prepare(
    `INSERT INTO participations (provider, provider_id, session_id, name, sort_name, email, search_codes, created_at, updated_at)
     VALUES ('wix', @providerId, @sessionId, @name, @sortName, @email, @providerId, @now, @now)`
  )
  const people: Person[] = []
  sqlite.transaction(() => {
    // The earlier session first (lower ids, as a season's history has), then today's.
    for (const [sessionId, count, prefix] of [
      [old, 8_000, 'old'],
      [today, 3_600, 'new']
    ] as const) {
      for (let i = 0; i < count; i++) {
        // "Mats Oldfield" is in the history only: thousands of hits desk-wide, none today.
        const name = sessionId === old && i % 2 === 0 ? `Mats Oldfield ${i}` : `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`
        const email = `${foldText(name).replace(/\s+/g, '.')}.${prefix}${i}@example.org`
        const info = add.run({ providerId: `${prefix}-${i}`, sessionId, name, sortName: foldText(name), email, now })
        people.push({ id: Number(info.lastInsertRowid), name, email, today: sessionId === today })
      }
    }
  })()
  const roster = createRosterService(t.desk.context, createSessionService(t.desk.context))
  return { t, today, old, people, roster }
}

/** Today's people whose words each start with a typed word (one letter: names starting with it). */
function expected(people: Person[], search: string) {
  const typed = foldText(search).split(/\s+/).filter(Boolean)
  const words = (p: Person) => foldText(`${p.name} ${p.email}`).split(/[^\p{L}\p{N}]+/u)
  const single = typed.length === 1 && [...typed[0]!].length === 1
  return people
    .filter((p) => p.today && (single ? foldText(p.name).startsWith(typed[0]!) : typed.every((w) => words(p).some((x) => x.startsWith(w)))))
    .sort((a, b) => (foldText(a.name) < foldText(b.name) ? -1 : foldText(a.name) > foldText(b.name) ? 1 : a.id - b.id))
    .map((p) => p.id)
}

describe('search on a desk that keeps a season', () => {
  let s: ReturnType<typeof seed>
  beforeEach(() => {
    s = seed()
  })
  const all = async (search: string) => {
    const ids: number[] = []
    let total = -1
    for (let offset = 0; offset === 0 || offset < Math.min(total, 1_000); offset += 200) {
      const page = await s.t.call('roster.page', { sessionId: s.today, search, offset, limit: 200 })
      total = page.total
      ids.push(...page.rows.map((r) => r.participationId))
    }
    return { total, ids }
  }

  it.each([
    // typed, the plan it takes on today's roster
    ['ødegaard', 'selective'],
    ['odegaard', 'selective'],
    ['lukasz strasse', 'selective'],
    ['zoe mull', 'selective'],
    ['soren', 'selective'],
    ['example', 'broad'],
    ['m', 'letter']
  ])('"%s" finds today\'s people only, folded either way, through the %s plan', async (search, plan) => {
    expect(s.roster.planOf(s.today, search)).toBe(plan)
    const want = expected(s.people, search)
    const got = await all(search)
    expect(got.total).toBe(want.length)
    expect(got.ids).toEqual(want.slice(0, got.ids.length))
    expect(got.ids.length).toBe(Math.min(want.length, 1_000))
    const earlier = new Set(s.people.filter((p) => !p.today).map((p) => p.id))
    expect(got.ids.filter((id) => earlier.has(id))).toEqual([])
  })

  it('a person of an earlier session is never found on today\'s roster, however many the history holds', async () => {
    // 4,000 "Mats Oldfield" in the history: a broad search desk-wide, nobody today.
    expect(s.people.filter((p) => p.name.startsWith('Mats Oldfield')).length).toBe(4_000)
    expect(s.roster.planOf(s.today, 'oldfield')).toBe('selective')
    expect(await all('oldfield')).toEqual({ total: 0, ids: [] })
    expect(await all('mats old')).toEqual({ total: 0, ids: [] })
    // Their own session still finds them all.
    expect((await s.t.call('roster.page', { sessionId: s.old, search: 'oldfield', offset: 0, limit: 10 })).total).toBe(4_000)
    // Someone on both rosters by name is found once per roster, as the roster's own person.
    const [first] = (await s.t.call('roster.page', { sessionId: s.today, search: 'anna odegaard', offset: 0, limit: 1 })).rows
    expect(s.people.find((p) => p.id === first!.participationId)?.today).toBe(true)
  })

  it('people removed upstream leave today\'s totals in every plan', async () => {
    const sqlite = s.t.desk.db.$client
    const today = s.people.filter((p) => p.today)
    const removed = today.filter((_, i) => i % 10 === 0)
    const mark = sqlite.prepare('UPDATE participations SET removed_at = 1 WHERE id = ?')
    for (const p of removed) mark.run(p.id)
    const gone = new Set(removed.map((p) => p.id))
    const left = s.people.filter((p) => !gone.has(p.id))
    for (const search of ['example', 'odegaard', 'z']) {
      const want = expected(left, search)
      const got = await all(search)
      expect(got.total).toBe(want.length)
      expect(got.ids).toEqual(want.slice(0, got.ids.length))
    }
  })
})

describe('roster counts', () => {
  it('are the figures of one join of the roster and its marks: own and course people, removed, cancelled, moved away, marks of other days', async () => {
    const t = testDesk()
    const sqlite = t.desk.db.$client
    const now = Date.now()
    const addSession = sqlite.prepare(
      `INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, schedule_id, capacity, created_at, updated_at)
       VALUES ('wix', ?, ?, ?, ?, 'Europe/Berlin', ?, ?, 0, 0)`
    )
    const DAY = 86_400_000
    const session = Number(addSession.run('ev-1', 'Course, day 1', now - 3 * DAY, now + 3 * DAY, 'sched-1', 40).lastInsertRowid)
    const other = Number(addSession.run('ev-2', 'Elsewhere', now, now + 3_600_000, null, null).lastInsertRowid)
    const add = sqlite.prepare(
      `INSERT INTO participations (provider, provider_id, session_id, schedule_id, name, sort_name, party_size, status, removed_at, created_at, updated_at)
       VALUES ('wix', ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)`
    )
    const markRow = sqlite.prepare(
      `INSERT INTO attendance (participation_id, session_id, status, attendees, marked_at, desk_id, method, updated_at, day, checked_out_at)
       VALUES (?, ?, ?, ?, ?, 'desk-1', 'scan', ?, ?, ?)`
    )
    const statuses = ['CONFIRMED', 'CANCELLED', 'PENDING_CONFIRMATION', 'CONFIRMED']
    const marks = ['ATTENDED', 'NOT_ATTENDED', 'NOT_SET', 'ATTENDED', null]
    const days = [dayIn(now, 'Europe/Berlin'), '2020-01-01']
    for (let i = 0; i < 300; i++) {
      const where = i % 5 === 0 ? [null, 'sched-1'] : i % 7 === 0 ? [other, null] : [session, null]
      const id = Number(
        add.run(`p${i}`, where[0], where[1], `Person ${i}`, `person ${i}`, 1 + (i % 4), statuses[i % 4], i % 11 === 0 ? now : null).lastInsertRowid
      )
      const status = marks[i % 5]
      // Marks for this session, also on people since moved to another one or removed upstream.
      if (status) markRow.run(id, session, status, status === 'ATTENDED' ? 1 + (i % 3) : 0, now, now, days[i % 2], status === 'ATTENDED' && i % 6 === 0 ? now : null)
    }
    const reference = sqlite.prepare(`
      SELECT
        count(CASE WHEN p.status <> 'CANCELLED' THEN 1 END) AS participations,
        coalesce(sum(CASE WHEN p.status <> 'CANCELLED' THEN p.party_size END), 0) AS expectedPeople,
        coalesce(sum(CASE WHEN a.status = 'ATTENDED' AND (@today IS NULL OR a.day = @today) THEN a.attendees END), 0) AS arrivedPeople,
        count(CASE WHEN a.status = 'ATTENDED' AND (@today IS NULL OR a.day = @today) THEN 1 END) AS checkedIn,
        coalesce(sum(CASE WHEN a.status = 'ATTENDED' AND a.checked_out_at IS NULL AND (@today IS NULL OR a.day = @today) THEN a.attendees END), 0) AS insideNow,
        count(CASE WHEN a.status = 'NOT_ATTENDED' AND (@today IS NULL OR a.day = @today) THEN 1 END) AS noShows,
        count(CASE WHEN p.status = 'PENDING_CONFIRMATION' THEN 1 END) AS pendingConfirmations
      FROM participations p
      LEFT JOIN attendance a ON a.participation_id = p.id AND a.session_id = @sessionId
      WHERE (p.session_id = @sessionId OR p.schedule_id = @scheduleId) AND p.removed_at IS NULL`)
    const want = { ...(reference.get({ sessionId: session, scheduleId: 'sched-1', today: days[0] }) as object), capacity: 40 }
    const got = await t.call('roster.counts', { sessionId: session })
    expect(got).toEqual(want)
    // The data reaches every figure (the comparison above is not of zeros).
    for (const value of Object.values(got)) expect(value).toBeGreaterThan(0)
    // A session without a course: its own people only.
    const plain = { ...(reference.get({ sessionId: other, scheduleId: null, today: null }) as object), capacity: null }
    expect(await t.call('roster.counts', { sessionId: other })).toEqual(plain)
  })
})
