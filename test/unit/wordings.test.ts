/**
 * One wording per code: every reason main can answer (desk refusals, scan answers, import line
 * problems, sync failures, connection tests), every field problem and every call error code has
 * words in English and in German, and the log words each code in English from the same table. The
 * dictionaries' types make a missing wording a compile error; this checks the running tables too,
 * with params built from the contract's own schemas.
 */
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { english, englishConnection, englishSync } from '../../src/main/log/english'
import { de } from '../../src/renderer/src/lib/messages/de'
import { en } from '../../src/renderer/src/lib/messages/en'
import { word, type Say, type Words } from '../../src/renderer/src/lib/messages/words'
import { ConnectionReason, DeskReason, FieldProblem, ImportProblem, ScanReason, SyncReason } from '../../src/shared/contract'

/** A value that fits a schema: enough to call a wording with. */
function sample(schema: z.ZodType): unknown {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def
  switch (def.type) {
    case 'object':
      return Object.fromEntries(Object.entries(def.shape as Record<string, z.ZodType>).map(([k, v]) => [k, sample(v)]))
    case 'string':
      return (def as { format?: string }).format === 'datetime' ? '2026-07-06T08:00:00.000Z' : 'Zoë'
    case 'number':
      return 2
    case 'enum':
      return Object.values(def.entries as Record<string, string>)[0]
    case 'literal':
      return (def.values as unknown[])[0]
    case 'nullable':
    case 'optional':
    case 'default':
      return sample(def.innerType as z.ZodType)
    case 'array':
      return [sample(def.element as z.ZodType)]
    case 'union':
      return sample((def.options as z.ZodType[])[0]!)
    default:
      throw new Error(`no sample for ${def.type}`)
  }
}

const samples = (union: { options: readonly z.ZodType[] }) => union.options.map((o) => sample(o) as { reason: string; params: object })
/** As the log says them: UTC times without milliseconds, English lists. */
const say: Say = { time: (iso) => iso.replace(/\.\d{3}Z$/, 'Z'), list: (items) => new Intl.ListFormat('en', { type: 'conjunction' }).format(items) }

const sets = [
  { name: 'desk refusals and scan answers', reasons: samples(ScanReason), en: { ...en.reasons.importProblem, ...en.reasons.desk, ...en.reasons.scan }, de: { ...de.reasons.importProblem, ...de.reasons.desk, ...de.reasons.scan }, log: (r: never) => english(r) },
  { name: 'import line problems', reasons: samples(ImportProblem), en: en.reasons.importProblem, de: de.reasons.importProblem, log: (r: never) => english(r) },
  { name: 'sync failures', reasons: samples(SyncReason), en: en.reasons.sync, de: de.reasons.sync, log: (r: never) => englishSync(r) },
  { name: 'connection tests', reasons: samples(ConnectionReason), en: en.reasons.connection, de: de.reasons.connection, log: (r: never) => englishConnection(r) }
]

describe('every code has its words', () => {
  for (const set of sets) {
    it(`${set.name}: in English, in German, and in the log`, () => {
      expect(set.reasons.length).toBeGreaterThan(0)
      for (const r of set.reasons) {
        const table = (words: object) => words as Words<{ reason: string; params: object }>
        const [inEnglish, inGerman] = [word(table(set.en), r, say), word(table(set.de), r, say)]
        // A code without a wording would come back as the code itself.
        expect(inEnglish, `${r.reason} in English`).not.toBe(r.reason)
        expect(inGerman, `${r.reason} in German`).not.toBe(r.reason)
        expect(inEnglish.trim().length, r.reason).toBeGreaterThan(0)
        expect(inGerman.trim().length, r.reason).toBeGreaterThan(0)
        expect(set.log(r as never), `${r.reason} in the log`).toBe(inEnglish)
      }
    })
  }

  it('the DeskReason union is the desk table, the scan table and the import table, and nothing else', () => {
    const codes = (u: { options: readonly z.ZodType[] }) => samples(u).map((r) => r.reason).sort()
    expect(codes(DeskReason)).toEqual([...Object.keys(en.reasons.desk), ...Object.keys(en.reasons.importProblem)].sort())
    expect(codes(ScanReason)).toEqual([...Object.keys(en.reasons.desk), ...Object.keys(en.reasons.importProblem), ...Object.keys(en.reasons.scan)].sort())
    for (const dict of [en, de]) {
      expect(Object.keys(dict.reasons.sync).sort()).toEqual(codes(SyncReason))
      expect(Object.keys(dict.reasons.connection).sort()).toEqual(codes(ConnectionReason))
    }
  })

  it('field problems, call errors and what a set-aside mark wanted have words in both languages', () => {
    for (const dict of [en, de]) {
      for (const problem of FieldProblem.options) expect(dict.reasons.field[problem](100)).toMatch(/\S/)
      for (const code of ['invalid_input', 'not_found', 'refused', 'unknown_call', 'forbidden', 'internal', 'unreadable'] as const) expect(dict.reasons.call[code]).toMatch(/\S/)
      for (const words of Object.values(dict.sync.intent) as ((count: number) => string)[]) expect(words(2)).toMatch(/\S/)
    }
    expect(de.reasons.field.too_long(100)).toBe('höchstens 100 Zeichen')
  })

  it('the log words PIN, import, sync and connection codes as an English desk reads them', () => {
    expect(english({ reason: 'pin_wrong', params: { attemptsLeft: 1 } })).toBe('Wrong PIN. 1 attempt left.')
    expect(english({ reason: 'pin_locked', params: { until: '2026-07-06T08:01:00.000Z', seconds: 45 } })).toBe('Too many wrong PINs: PIN entry is locked until 2026-07-06T08:01:00Z.')
    expect(english({ reason: 'import_row_errors', params: { count: 2, line: 3, problems: [{ reason: 'name_missing', params: {} }] } })).toBe(
      '2 rows have errors (first: line 3: name is missing). Nothing was imported.'
    )
    expect(englishSync({ reason: 'sync_no_connection', params: { service: 'wix' } })).toBe('No connection to Wix.')
    expect(englishSync({ reason: 'sync_other_desk', params: { service: 'wix', status: 'ATTENDED', attendees: 3 } })).toBe("Another desk checked in 3 in Wix since this desk's mark.")
    expect(
      englishConnection({
        reason: 'key_lacks_permissions',
        params: { service: 'plandocket', where: 'https://x.plandocket.com/api/v1', missing: [{ name: 'checkins', kind: 'scope', use: 'check_ins' }, { name: 'events', kind: 'scope', use: 'sessions' }] }
      })
    ).toBe(
      'Connected to Plandocket (https://x.plandocket.com/api/v1), but the key lacks the checkins scope (to record check-ins) and the events scope (to download sessions). Add them to the key before using the desk.'
    )
  })
})
