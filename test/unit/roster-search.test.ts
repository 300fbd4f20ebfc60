/**
 * Roster search picks its plan by how many people match (a few: sort the hits; thousands: walk the
 * roster in name order; one letter: jump to the names that start with it). Whatever the plan, the
 * desk must see the same thing: exactly the people on this session's roster (its own and, for a
 * session of a course, the course's) whose words start with what was typed, in name order, with
 * the right total, page after page. Checked here against a plain-JavaScript reading of that rule,
 * on a roster big enough that every plan runs.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { buildSearchCodes, countryCodeLength, foldText } from '../../src/main/core/text'
import { testDesk } from './helpers'

const FIRST = ['Anna', 'Andreas', 'Ángel', 'Maria', 'Marie', 'Martin', 'Jan', 'Jana', 'Zoë', 'Ole', 'Mats', 'Noah']
const LAST = ['Müller', 'Marsh', 'Andersen', 'Berg', 'Jansen', 'Núñez', 'Olsen', 'Mayer', 'Åberg', 'Zola']

interface Person {
  id: number
  index: number
  name: string
  email: string
  roster: 'own' | 'course' | 'other'
}

function seed() {
  const t = testDesk()
  const sqlite = t.desk.db.$client
  const now = Date.now()
  const addSession = sqlite.prepare(
    `INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, schedule_id, created_at, updated_at)
     VALUES ('wix', ?, ?, ?, ?, 'Europe/Berlin', ?, ?, ?)`
  )
  const own = Number(addSession.run('ev-1', 'Course, week 1', now, now + 3_600_000, 'sched-1', now, now).lastInsertRowid)
  const other = Number(addSession.run('ev-2', 'Other class', now, now + 3_600_000, null, now, now).lastInsertRowid)
  const add = sqlite.prepare(
    `INSERT INTO participations (provider, provider_id, session_id, schedule_id, name, sort_name, email, search_codes, created_at, updated_at)
     VALUES ('wix', @providerId, @sessionId, @scheduleId, @name, @sortName, @email, @providerId, @now, @now)`
  )
  const people: Person[] = []
  sqlite.transaction(() => {
    for (let i = 0; i < 7_000; i++) {
      const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`
      const email = `${foldText(name).replace(/\s+/g, '.')}${i}@example.org`
      // Two thirds on this session's roster (own or by the course), one third on another class.
      const roster = i % 3 === 0 ? 'other' : i % 3 === 1 ? 'own' : 'course'
      const info = add.run({
        providerId: `p${i}`,
        sessionId: roster === 'own' ? own : roster === 'other' ? other : null,
        scheduleId: roster === 'course' ? 'sched-1' : null,
        name,
        sortName: foldText(name),
        email,
        now
      })
      people.push({ id: Number(info.lastInsertRowid), index: i, name, email, roster })
    }
  })()
  return { t, own, other, people }
}

/**
 * What the desk expects: every typed word starts a word of the name, the email or a code; one
 * typed letter or digit jumps to the names that start with it, as in a phone book.
 */
function expected(people: Person[], rosters: Person['roster'][], search: string) {
  const typed = foldText(search).split(/\s+/).filter(Boolean)
  if (typed.length === 1 && [...typed[0]!].length === 1) {
    return people
      .filter((p) => rosters.includes(p.roster) && foldText(p.name).startsWith(typed[0]!))
      .sort(byName)
      .map((p) => p.id)
  }
  const words = (p: Person) => foldText(`${p.name} ${p.email} p${p.index}`).split(/[^\p{L}\p{N}]+/u)
  return people
    .filter((p) => rosters.includes(p.roster) && typed.every((w) => words(p).some((x) => x.startsWith(w))))
    .sort(byName)
    .map((p) => p.id)
}

function byName(a: Person, b: Person): number {
  const [x, y] = [foldText(a.name), foldText(b.name)]
  return x < y ? -1 : x > y ? 1 : a.id - b.id
}

describe('roster search at size', () => {
  // A fresh desk per test: the helpers close every desk after each one.
  let t: ReturnType<typeof seed>['t']
  let own: number
  let other: number
  let people: Person[]
  beforeEach(() => {
    ;({ t, own, other, people } = seed())
  })
  const page = (sessionId: number, search: string, offset: number, limit: number) =>
    t.call('roster.page', { sessionId, search, offset, limit })

  // From thousands of hits (broad plan) to a handful (selective), one letter, two words.
  const searches = ['ma', 'an', 'mar', 'jans', 'maria m', 'zoe', 'ángel núñez', 'o', 'example', 'p12', 'anna mull']

  it.each(searches)('"%s": the right people, total and name order, page after page', async (search) => {
    const want = expected(people, ['own', 'course'], search)
    const got: number[] = []
    let total = -1
    // Up to seven pages of 200: deep enough to cross plan boundaries, short enough to stay quick.
    for (let offset = 0; offset < Math.min(want.length, 1_400) || offset === 0; offset += 200) {
      const answer = await page(own, search, offset, 200)
      total = answer.total
      got.push(...answer.rows.map((r) => r.participationId))
    }
    expect(total).toBe(want.length)
    expect(got).toEqual(want.slice(0, Math.ceil(Math.min(want.length, 1_400) / 200) * 200))
  })

  it('the searches above reach every plan (the data is big enough to test what it claims)', async () => {
    // roster.ts turns to its broad plan above 3,000 hits desk-wide.
    const everyone: Person['roster'][] = ['own', 'course', 'other']
    expect(expected(people, everyone, 'ma').length).toBeGreaterThan(3_000)
    expect(expected(people, everyone, 'example').length).toBeGreaterThan(3_000)
    expect(expected(people, everyone, 'jans').length).toBeLessThan(3_000)
  })

  it('a class without a course sees only its own people', async () => {
    const want = expected(people, ['other'], 'mar')
    const got = await page(other, 'mar', 0, 200)
    expect(got.total).toBe(want.length)
    expect(got.rows.map((r) => r.participationId)).toEqual(want.slice(0, 200))
  })

  it('the last page and past the end', async () => {
    const want = expected(people, ['own', 'course'], 'ma')
    const last = await page(own, 'ma', want.length - 5, 200)
    expect(last.total).toBe(want.length)
    expect(last.rows.map((r) => r.participationId)).toEqual(want.slice(-5))
    expect(await page(own, 'ma', want.length + 10, 200)).toEqual({ total: want.length, rows: [] })
  })

  it('what the search index keeps about rosters cannot be searched for', async () => {
    // Each row's roster key ("s1", "c…") is indexed beside its text; typing it finds nobody.
    for (const search of ['s1', `s${own}`, 'c73', 'roster_key', 'roster_key:s1']) {
      expect((await page(own, search, 0, 50)).total, search).toBe(0)
    }
  })

  it('a person who moves to another session moves rosters in the search too', async () => {
    const anna = people.find((p) => p.roster === 'other' && p.name === 'Anna Marsh')!
    const before = (await page(own, `anna marsh ${anna.email.split('@')[0]}`, 0, 50)).total
    expect(before).toBe(0)
    t.desk.db.$client.prepare('UPDATE participations SET session_id = ? WHERE id = ?').run(own, anna.id)
    const after = await page(own, `anna marsh ${anna.email.split('@')[0]}`, 0, 50)
    expect(after.rows.map((r) => r.participationId)).toEqual([anna.id])
  })
})

describe('found by the numbers a desk types', () => {
  function desk() {
    const t = testDesk()
    const sqlite = t.desk.db.$client
    const now = Date.now()
    const session = Number(
      sqlite
        .prepare(`INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, created_at, updated_at) VALUES ('wix', 'ev', 'Class', ?, ?, 'Europe/Lisbon', ?, ?)`)
        .run(now, now, now, now).lastInsertRowid
    )
    const add = sqlite.prepare(
      `INSERT INTO participations (provider, provider_id, session_id, name, sort_name, phone, search_codes, created_at, updated_at)
       VALUES ('wix', @id, @session, @name, @sortName, @phone, @codes, 1, 1)`
    )
    const people: [string, string, string | null, string[]][] = [
      ['3f9a1b2c-4d5e-6f70-8192-a3b4c5d6e7f8', 'Inês Sousa', '+351 912 345 678', ['M-1001']],
      ['0b1c2d3e-0000-4000-8000-000000000001', 'Ana Novák', '+420 601 222 333', []],
      ['0b1c2d3e-0000-4000-8000-000000000002', 'Bob Smith', '+1 (555) 010-9999', []],
      ['0b1c2d3e-0000-4000-8000-000000000003', 'Jan Berg', '+49 170 1234567', []]
    ]
    for (const [id, name, phone, codes] of people) {
      add.run({ id, session, name, sortName: foldText(name), phone, codes: buildSearchCodes([id, ...codes], phone) })
    }
    const names = async (search: string) => (await t.call('roster.page', { sessionId: session, search, offset: 0, limit: 10 })).rows.map((r) => r.name)
    return names
  }

  it('a phone number in its national form, with or without the leading zero', async () => {
    const names = desk()
    expect(await names('912 345 678')).toEqual(['Inês Sousa']) // +351: a three-digit country code
    expect(await names('0912345678')).toEqual(['Inês Sousa'])
    expect(await names('601 222')).toEqual(['Ana Novák']) // +420
    expect(await names('5550109999')).toEqual(['Bob Smith']) // +1
    expect(await names('0170 1234567')).toEqual(['Jan Berg']) // +49
    expect(await names('+49 170')).toEqual(['Jan Berg'])
  })

  it('a booking id from its start, with or without its hyphens; a short code by its number', async () => {
    const names = desk()
    expect(await names('3f9a1b2c-4d5e')).toEqual(['Inês Sousa'])
    expect(await names('3F9A1B2C4D')).toEqual(['Inês Sousa'])
    expect(await names('M-1001')).toEqual(['Inês Sousa'])
    expect(await names('1001')).toEqual(['Inês Sousa'])
  })

  it('country codes are read as E.164 assigns them', () => {
    expect(['12025550100', '74951234567', '491701234567', '441234567890', '351912345678', '420601222333', '3725123456'].map(countryCodeLength)).toEqual([
      1, 1, 2, 2, 3, 3, 3
    ])
  })
})
