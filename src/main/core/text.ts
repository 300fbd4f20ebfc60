/**
 * Text folding shared by sorting and search, so that what the desk types finds what it sees.
 */
import { createRequire } from 'node:module'

// fold-to-ascii is CommonJS without named exports Node's ESM loader can see; its functions use
// `this`, so they are called on the module object.
const asciiFolder = createRequire(import.meta.url)('fold-to-ascii') as typeof import('fold-to-ascii')

/**
 * Lower case in the letters a keyboard without them types: "Zoë Müller" → "zoe muller",
 * "Łukasz Ødegaard" → "lukasz odegaard", "Straße" → "strasse", "Þór" → "thor". The roster sorts by
 * this, the search index holds it (as sort_name), and typed searches are folded by it, so a desk
 * finds a name whichever way it is typed. Stripping accent marks (NFKD) handles every letter that
 * is a base letter plus a mark; the letters that are not (Ø, Ł, ß, Æ, Œ, Đ, Þ, dotless ı…) fold by
 * Lucene's ASCII folding table (fold-to-ascii), a well-kept list instead of one of our own.
 * Scripts without an ASCII form (Arabic, Cyrillic, Han, emoji) are kept as they are.
 */
export function foldText(value: string): string {
  return asciiFolder.foldMaintaining(value.normalize('NFKD').replace(/\p{M}+/gu, '')).toLowerCase().trim()
}

/**
 * search_codes written before foldText knew every letter, with the compact form of each code as
 * foldText now makes it added beside it (the migration that taught the index the letters uses it).
 */
export function refoldSearchCodes(codes: string): string {
  const parts = codes.split(' ').filter(Boolean)
  return [...new Set(parts.flatMap((part) => [part, compactCode(part)]).filter(Boolean))].join(' ')
}

/** A code with separators removed, so "AB-12 34" is found by typing "ab1234". */
export function compactCode(value: string): string {
  return foldText(value).replace(/[^\p{L}\p{N}]+/gu, '')
}

/** Digits only: "+49 (0)170 123-4567" → "4901701234567". */
export function phoneDigits(value: string): string {
  return value.replace(/\D+/g, '')
}

/**
 * E.164 country codes are prefix-free: 1 and 7 stand alone, these two-digit ones are assigned, and
 * every other code has three digits. (A table of 44 codes that change once a decade, rather than
 * a phone-number library whose parsing would cost a 100,000-person pull seconds.)
 */
const TWO_DIGIT_COUNTRY_CODES = new Set(
  '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(' ')
)

/** How many leading digits of an international number ("491701234567") are its country code. */
export function countryCodeLength(digits: string): number {
  if (digits.startsWith('1') || digits.startsWith('7')) return 1
  return TWO_DIGIT_COUNTRY_CODES.has(digits.slice(0, 2)) ? 2 : 3
}

/** From this many characters (compacted) a code is indexed in its compact form only. */
const LONG_CODE = 20

/** Everything a person can be found by besides name, email and phone, as one indexed text. */
export function buildSearchCodes(codes: (string | null | undefined)[], phone: string | null | undefined): string {
  const parts = new Set<string>()
  for (const code of codes) {
    if (!code) continue
    const compact = compactCode(code)
    // A long id (a GUID) is typed from its start or scanned whole, never from its middle: its
    // compact form is enough, and its five hyphen-separated parts would be ~20 more index terms
    // per person for a pull to write. Short codes ("M-1001") keep their parts: "1001" finds them.
    if (compact.length < LONG_CODE) parts.add(code)
    if (compact) parts.add(compact)
  }
  if (phone) {
    const digits = phoneDigits(phone)
    if (digits.length >= 3) {
      parts.add(digits)
      // Desks type the national form ("0170 …" or "170 …") of a number stored as "+49 170 …":
      // index the number without its country code too.
      const international = /^\s*(\+|00)/.test(phone) ? digits.replace(/^00/, '') : null
      if (international) {
        const national = international.slice(countryCodeLength(international))
        if (national.length >= 4) parts.add(national).add(`0${national}`)
      } else if (digits.startsWith('0')) parts.add(digits.replace(/^0+/, ''))
    }
  }
  return [...parts].join(' ')
}

/**
 * Turns what the desk typed into a safe FTS5 query: every word must match as a prefix, in any
 * field. Each word is a quoted phrase (so FTS syntax in the input is inert text) with a prefix
 * star, folded as names are indexed ("ødegaard" finds "Ødegaard" and "odegaard" alike) and, when
 * the fold changes it, also as typed (emails, codes); a word with separators also matches its
 * compact form (ids, phone numbers).
 * Returns null when nothing searchable is left.
 */
export function toFtsQuery(input: string): string | null {
  const words = input
    .split(/\s+/u)
    .map((w) => w.replace(/[^\p{L}\p{N}@.+\-_/#']+/gu, ''))
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .slice(0, 12)
  if (words.length === 0) return null
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"*`
  const terms = words
    .map((word) => {
      // Names are indexed folded (sort_name), so the word is searched folded; emails and codes
      // are indexed as written, so a word the fold changes is searched as typed too.
      const folded = foldText(word) || word
      const alternatives = new Set([quote(folded)])
      if (word.toLowerCase() !== folded) alternatives.add(quote(word))
      const compact = compactCode(word)
      if (compact && compact !== folded) alternatives.add(quote(compact))
      return alternatives.size > 1 ? `(${[...alternatives].join(' OR ')})` : [...alternatives][0]
    })
    .join(' AND ')
  // Only the columns a person is found by: the index also holds each row's roster key.
  return `${SEARCHED_COLUMNS} : (${terms})`
}

/** The full-text columns what the desk types is matched against (FTS5 column filter). */
export const SEARCHED_COLUMNS = '{sort_name email phone search_codes}'

/**
 * The FTS5 term for "on this session's roster": its own participations, and for a session of a
 * course (scheduleId) the course's participations too. Mirrors the roster_key column (schema.ts).
 */
export function rosterFilter(sessionId: number, scheduleId: string | null): string {
  const own = `roster_key : "s${sessionId}"`
  if (scheduleId === null) return own
  return `(${own} OR roster_key : "c${Buffer.from(scheduleId, 'utf8').toString('hex')}")`
}
