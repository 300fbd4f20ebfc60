/**
 * Text folding shared by sorting and search, so that what the desk types finds what it sees.
 */

/** Lower case without accents: "Zoë Müller" → "zoe muller". The roster sorts by this. */
export function foldText(value: string): string {
  return value.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().trim()
}

/** A code with separators removed, so "AB-12 34" is found by typing "ab1234". */
export function compactCode(value: string): string {
  return foldText(value).replace(/[^\p{L}\p{N}]+/gu, '')
}

/** Digits only: "+49 (0)170 123-4567" → "4901701234567". */
export function phoneDigits(value: string): string {
  return value.replace(/\D+/g, '')
}

/** Everything a person can be found by besides name, email and phone, as one indexed text. */
export function buildSearchCodes(codes: (string | null | undefined)[], phone: string | null | undefined): string {
  const parts = new Set<string>()
  for (const code of codes) {
    if (!code) continue
    parts.add(code)
    const compact = compactCode(code)
    if (compact) parts.add(compact)
  }
  if (phone) {
    const digits = phoneDigits(phone)
    if (digits.length >= 3) {
      parts.add(digits)
      // Desks type the national form ("0170 …" or "170 …") of a number stored as "+49 170 …":
      // country codes are 1 to 3 digits, so index the number without each possible one.
      const international = /^\s*(\+|00)/.test(phone) ? digits.replace(/^00/, '') : null
      if (international) {
        for (const cc of [1, 2, 3]) {
          const national = international.slice(cc)
          if (national.length >= 4) parts.add(national).add(`0${national}`)
        }
      } else if (digits.startsWith('0')) parts.add(digits.replace(/^0+/, ''))
    }
  }
  return [...parts].join(' ')
}

/**
 * Turns what the desk typed into a safe FTS5 query: every word must match as a prefix, in any
 * field. Each word is a quoted phrase (so FTS syntax in the input is inert text) with a prefix
 * star; a word with separators also matches its compact form (ids, phone numbers).
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
      const compact = compactCode(word)
      const phrase = quote(word)
      return compact && compact !== foldText(word) ? `(${phrase} OR ${quote(compact)})` : phrase
    })
    .join(' AND ')
  // Only the columns a person is found by: the index also holds each row's roster key.
  return `${SEARCHED_COLUMNS} : (${terms})`
}

/** The full-text columns what the desk types is matched against (FTS5 column filter). */
export const SEARCHED_COLUMNS = '{name email phone search_codes}'

/**
 * The FTS5 term for "on this session's roster": its own participations, and for a session of a
 * course (scheduleId) the course's participations too. Mirrors the roster_key column (schema.ts).
 */
export function rosterFilter(sessionId: number, scheduleId: string | null): string {
  const own = `roster_key : "s${sessionId}"`
  if (scheduleId === null) return own
  return `(${own} OR roster_key : "c${Buffer.from(scheduleId, 'utf8').toString('hex')}")`
}
