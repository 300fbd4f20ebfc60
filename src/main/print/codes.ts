/**
 * Row codes on attendance sheets: the participation's number in Crockford base 32 (no I, L, O, U:
 * nothing to mistake for 1 or 0 when typed back from paper) and one check character.
 *
 * The check character is Luhn mod N over the same 32 symbols: it catches every single wrong
 * character and every swap of two neighbours, the two typos people make copying codes. A few
 * lines of arithmetic, so no library (none of the well-kept ones does mod-N Luhn over Crockford).
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const N = ALPHABET.length

/** Crockford's reading rules: O is 0, I and L are 1; separators and case do not matter. */
function normalise(code: string): string {
  return code
    .toUpperCase()
    .replace(/[\s\-_.]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1')
}

function checkCharacter(body: string): string {
  let factor = 2
  let sum = 0
  for (let i = body.length - 1; i >= 0; i--) {
    let addend = factor * ALPHABET.indexOf(body[i]!)
    factor = factor === 2 ? 1 : 2
    addend = Math.floor(addend / N) + (addend % N)
    sum += addend
  }
  return ALPHABET[(N - (sum % N)) % N]!
}

/** The code printed for a participation: at least three characters, a dash, the check character. */
export function rowCode(participationId: number): string {
  let body = ''
  for (let n = participationId; n > 0; n = Math.floor(n / N)) body = ALPHABET[n % N] + body
  body = body.padStart(3, '0')
  return `${body}-${checkCharacter(body)}`
}

export type ParsedRowCode = { ok: true; participationId: number } | { ok: false; problem: 'typo' | 'not_a_code' }

/** Reads a typed or scanned row code back; a wrong check character is a typo, said as such. */
export function parseRowCode(input: string): ParsedRowCode {
  const code = normalise(input)
  if (code.length < 4 || code.length > 12 || [...code].some((c) => !ALPHABET.includes(c))) return { ok: false, problem: 'not_a_code' }
  const body = code.slice(0, -1)
  if (checkCharacter(body) !== code.slice(-1)) return { ok: false, problem: 'typo' }
  let id = 0
  for (const c of body) id = id * N + ALPHABET.indexOf(c)
  return id > 0 && Number.isSafeInteger(id) ? { ok: true, participationId: id } : { ok: false, problem: 'not_a_code' }
}
