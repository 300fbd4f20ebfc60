/**
 * Row codes on attendance sheets: the participation's number in Crockford base 32 (no I, L, O, U:
 * nothing to mistake for 1 or 0 when typed back from paper) and Crockford's own check symbol, the
 * number modulo 37 (the 32 symbols plus * ~ $ = U). 37 is prime and no power of 32 is a multiple of
 * it, so every single wrong character and every swap of two neighbours changes the remainder: the
 * two typos people make copying codes are caught. A few lines of arithmetic, so no library.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const CHECK = ALPHABET + '*~$=U'
const N = ALPHABET.length

/** Crockford's reading rules: O is 0, I and L are 1; separators and case do not matter. */
function normalise(code: string): string {
  return code
    .toUpperCase()
    .replace(/[\s\-_.]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1')
}

const checkOf = (id: number) => CHECK[id % 37]!

/** The code printed for a participation: at least three characters, a dash, the check symbol. */
export function rowCode(participationId: number): string {
  let body = ''
  for (let n = participationId; n > 0; n = Math.floor(n / N)) body = ALPHABET[n % N] + body
  return `${body.padStart(3, '0')}-${checkOf(participationId)}`
}

export type ParsedRowCode = { ok: true; participationId: number } | { ok: false; problem: 'typo' | 'not_a_code' }

/** Reads a typed or scanned row code back; a check symbol that does not match is a typo, said as such. */
export function parseRowCode(input: string): ParsedRowCode {
  const code = normalise(input)
  const body = code.slice(0, -1)
  if (code.length < 4 || code.length > 12 || [...body].some((c) => !ALPHABET.includes(c)) || !CHECK.includes(code.slice(-1))) {
    return { ok: false, problem: 'not_a_code' }
  }
  let id = 0
  for (const c of body) id = id * N + ALPHABET.indexOf(c)
  if (!(id > 0) || !Number.isSafeInteger(id)) return { ok: false, problem: 'not_a_code' }
  return checkOf(id) === code.slice(-1) ? { ok: true, participationId: id } : { ok: false, problem: 'typo' }
}
