/**
 * Letters with no accent mark to strip (Ø, Ł, ß, Æ, Œ, Đ, Þ, dotless ı) fold like accented ones:
 * a desk with an English keyboard types "odegaard" for Ødegaard, and a desk typing "ø" finds
 * "Odegaard" too. The same fold serves the search index, the typed query and the self-service
 * kiosk's name match; an existing desk's index learns the fold through a migration (with backup).
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { DATABASE_FILE } from '../../src/main/core'
import { foldText } from '../../src/main/core/text'
import { findMigrationsFolder, openDatabase } from '../../src/main/db'
import { tempDir, testDesk, ZONE, type TestDesk } from './helpers'

/** [name with the letter, the same name as an English keyboard types it, the word typed each way]. */
const PAIRS: [string, string, string, string][] = [
  ['Martin Ødegaard', 'Martin Odegaard', 'ødegaard', 'odegaard'],
  ['Łukasz Nowak', 'Lukasz Nowak', 'łukasz', 'lukasz'],
  ['Heinz Strauß', 'Heinz Strauss', 'strauß', 'strauss'],
  ['Mette Ærenlund', 'Mette Aerenlund', 'ærenlund', 'aerenlund'],
  ['Léa Œuvrard', 'Léa Oeuvrard', 'œuvrard', 'oeuvrard'],
  ['Novak Đoković', 'Novak Dokovic', 'đoković', 'dokovic'],
  ['Þóra Jónsdóttir', 'Thora Jonsdottir', 'þóra', 'thora'],
  ['Aylin Yıldız', 'Aylin Yildiz', 'yıldız', 'yildiz']
]
const PHONE_BOOK = ['Øystein Berg', 'Ole Hansen', 'Ida Bauer']

async function seedRoster(t: TestDesk): Promise<number> {
  const names = [...PAIRS.flatMap(([special, plain]) => [special, plain]), ...PHONE_BOOK]
  const csv = ['Name,Session,Start', ...names.map((n) => `${n},Folding class,2026-07-06 09:00`)].join('\r\n')
  const { sessionIds } = await t.call('import.commit', { csv, timeZone: ZONE })
  return sessionIds[0]!
}

const found = async (t: TestDesk, sessionId: number, search: string) =>
  (await t.call('roster.page', { sessionId, search, offset: 0, limit: 50 })).rows.map((r) => r.name).sort()

describe('search folds every letter', () => {
  it('finds each name by its letter and by its English-keyboard form, both ways, in any case', async () => {
    const t = testDesk()
    const sessionId = await seedRoster(t)
    const misses: string[] = []
    for (const [special, plain, typedSpecial, typedPlain] of PAIRS) {
      const both = [special, plain].sort()
      for (const typed of [typedSpecial, typedPlain, typedSpecial.toUpperCase(), typedPlain.toUpperCase()]) {
        const names = await found(t, sessionId, typed)
        if (JSON.stringify(names) !== JSON.stringify(both)) misses.push(`"${typed}" found ${JSON.stringify(names)}, not ${JSON.stringify(both)}`)
      }
    }
    expect(misses).toEqual([])
  })

  it('one typed letter jumps to the names starting with it, folded: "ø" finds Ole, "o" finds Øystein', async () => {
    const t = testDesk()
    const sessionId = await seedRoster(t)
    expect(await found(t, sessionId, 'ø')).toEqual(['Ole Hansen', 'Øystein Berg'])
    expect(await found(t, sessionId, 'O')).toEqual(['Ole Hansen', 'Øystein Berg'])
    expect(await found(t, sessionId, 'ı')).toEqual(['Ida Bauer'])
    expect(await found(t, sessionId, 'þ')).toEqual(['Thora Jonsdottir', 'Þóra Jónsdóttir'])
    // ...and the roster sorts Ø among the O's, as the search finds it.
    const all = (await t.call('roster.page', { sessionId, search: '', offset: 0, limit: 50 })).rows.map((r) => r.name)
    expect(all.indexOf('Øystein Berg')).toBe(all.indexOf('Ole Hansen') + 1)
  })

  it('the self-service kiosk matches a typed name the same way', async () => {
    const t = testDesk()
    const sessionId = await seedRoster(t)
    await t.call('kiosk.setPin', { newPin: '2468' })
    await t.call('kiosk.enter', { selfService: true })
    const misses: string[] = []
    for (const [special, plain, typedSpecial, typedPlain] of PAIRS) {
      for (const typed of [typedSpecial, typedPlain]) {
        const names = await found(t, sessionId, typed)
        if (JSON.stringify(names) !== JSON.stringify([special, plain].sort())) misses.push(`kiosk "${typed}" found ${JSON.stringify(names)}`)
      }
    }
    expect(misses).toEqual([])
  })

  it('the fold keeps scripts without an ASCII form as they are', () => {
    expect(foldText('Łukasz ØDEGAARD Straße Þór Yıldız Œuvre Æsir Đorđe')).toBe('lukasz odegaard strasse thor yildiz oeuvre aesir dorde')
    expect(foldText('محمد Юлия 张伟 🎉')).toBe('محمد юлия 张伟 🎉')
  })
})

/** The shipped migrations up to `tag`, as that release shipped them. */
function migrationsUpTo(tag: string): string {
  const folder = join(tempDir(), 'drizzle')
  cpSync(findMigrationsFolder(), folder, { recursive: true })
  const journalFile = join(folder, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] }
  const end = journal.entries.findIndex((e) => e.tag === tag)
  expect(end).toBeGreaterThan(0)
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, end + 1) }))
  return folder
}

/** How the desk folded before it knew every letter: accent marks stripped, nothing else. */
const oldFold = (s: string) => s.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().trim()

describe('migration 0007: the existing index learns the fold', () => {
  it('refolds old names and codes, keeps every row, backs up first, and finds the old people', async () => {
    const dataDir = tempDir()
    const file = join(dataDir, DATABASE_FILE)
    {
      const { db } = openDatabase(file, { migrationsFolder: migrationsUpTo('0006_outbox_error_reason') })
      const insert = db.$client.prepare(
        `INSERT INTO participations (provider, provider_id, external_id, session_id, name, sort_name, email, search_codes, created_at, updated_at)
         VALUES ('local', ?, ?, 1, ?, ?, ?, ?, 0, 0)`
      )
      db.$client.exec(`INSERT INTO desk_meta (key, value) VALUES ('desk_id', 'desk-old'), ('desk_name', 'Old desk');
        INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, created_at, updated_at)
        VALUES ('local', 's1', 'Folding class', ${Date.UTC(2026, 6, 6, 7)}, ${Date.UTC(2026, 6, 6, 8)}, 'Europe/Berlin', 0, 0)`)
      insert.run('p1', 'ØK-12', 'Martin Ødegaard', oldFold('Martin Ødegaard'), 'martin@example.no', 'ØK-12 øk12')
      insert.run('p2', 'M-1001', 'Zoë Müller', oldFold('Zoë Müller'), 'zoe@example.com', 'M-1001 m1001')
      insert.run('p3', null, 'Łukasz Nowak', oldFold('Łukasz Nowak'), null, '')
      db.$client.close()
    }
    const { db, migrations } = openDatabase(file)
    try {
      // 0007, then whatever came after it (0008 keeps every row too).
      expect(migrations.applied[0]).toBe('1795300000000')
      expect(migrations.backupFile && existsSync(migrations.backupFile)).toBe(true)
      const rows = db.$client.prepare('SELECT name, sort_name, search_codes FROM participations ORDER BY id').raw().all()
      expect(rows).toEqual([
        ['Martin Ødegaard', 'martin odegaard', 'ØK-12 ok12 øk12'],
        ['Zoë Müller', 'zoe muller', 'M-1001 m1001'],
        ['Łukasz Nowak', 'lukasz nowak', '']
      ])
      const backup = new Database(migrations.backupFile!, { readonly: true })
      expect(backup.prepare('SELECT sort_name FROM participations ORDER BY id').pluck().all()).toEqual(['martin ødegaard', 'zoe muller', 'łukasz nowak'])
      backup.close()
    } finally {
      db.$client.close()
    }
    const t = testDesk({ dataDir })
    expect(await found(t, 1, 'odegaard')).toEqual(['Martin Ødegaard'])
    expect(await found(t, 1, 'ØDEGAARD')).toEqual(['Martin Ødegaard'])
    expect(await found(t, 1, 'lukasz')).toEqual(['Łukasz Nowak'])
    expect(await found(t, 1, 'muller')).toEqual(['Zoë Müller'])
    expect(await found(t, 1, 'martin@example')).toEqual(['Martin Ødegaard'])
    expect(await found(t, 1, 'ok12')).toEqual(['Martin Ødegaard'])
    // A scanned code is matched through the refolded compact form as well.
    expect((await t.call('attendance.scan', { sessionId: 1, code: 'ØK-12' })).outcome).toBe('checked_in')
    // Renaming keeps the index in step (the update trigger watches sort_name).
    t.desk.db.$client.prepare("UPDATE participations SET name = 'Łukasz Ødegaard', sort_name = ? WHERE provider_id = 'p3'").run(foldText('Łukasz Ødegaard'))
    expect(await found(t, 1, 'odegaard')).toEqual(['Martin Ødegaard', 'Łukasz Ødegaard'])
    expect(await found(t, 1, 'nowak')).toEqual([])
  })
})
