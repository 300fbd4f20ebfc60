/**
 * The hub's pairing code: one at a time, single-use, valid for minutes, and guarded against
 * guessing. Kept in memory only: a hub that restarts shows no code until someone asks for one,
 * which is the safe default for a secret that lives five minutes.
 *
 * Guessing: 8 characters of a 32-letter alphabet are 40 bits. A source (IP address) gets
 * SOURCE_MAX_WRONG wrong tries, then is locked out for LOCKOUT_MS; all sources together get
 * GLOBAL_MAX_WRONG per code, then pairing is locked for everyone for LOCKOUT_MS (an attacker
 * with many addresses gains nothing). During a lockout even the right code is refused, so a
 * guess that happens to be right cannot be told apart. At most ~20 guesses per 5 minutes
 * against 2^40 codes: about one chance in 5·10^10.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { LanRefusal, crockford, normalizeTyped } from './protocol'

export const CODE_LENGTH = 8
export const CODE_TTL_MS = 5 * 60_000
export const SOURCE_MAX_WRONG = 5
export const GLOBAL_MAX_WRONG = 20
export const LOCKOUT_MS = 60_000
/** Sources remembered at most (a flood of addresses cannot grow the map without end). */
const MAX_SOURCES = 10_000

export interface PairingCode {
  /** 8 characters of Crockford base32, e.g. "7K3M9QXA"; show it grouped ("7K3M-9QXA"). */
  code: string
  issuedAt: number
  expiresAt: number
}

export interface PairingStatus {
  code: PairingCode | null
  /** While set, every attempt is refused (too many wrong codes from everyone together). */
  lockedUntil: number | null
  wrongAttempts: number
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest()

export function createPairingDesk(options: { now?: () => number; ttlMs?: number } = {}) {
  const now = options.now ?? Date.now
  const ttlMs = options.ttlMs ?? CODE_TTL_MS
  let current: PairingCode | null = null
  let globalWrong = 0
  let globalLockedUntil = 0
  const sources = new Map<string, { wrong: number; lockedUntil: number }>()

  function lockedFor(source: string, at: number): number {
    const s = sources.get(source)
    return Math.max(globalLockedUntil, s?.lockedUntil ?? 0) - at
  }

  function wrong(source: string, at: number): void {
    let s = sources.get(source)
    if (!s) {
      if (sources.size >= MAX_SOURCES) {
        for (const [key, value] of sources) if (value.lockedUntil <= at) sources.delete(key)
        // Still full: everyone waits rather than the map growing (or old lockouts being forgotten).
        if (sources.size >= MAX_SOURCES) globalLockedUntil = at + LOCKOUT_MS
      }
      s = { wrong: 0, lockedUntil: 0 }
      sources.set(source, s)
    }
    s.wrong++
    if (s.wrong >= SOURCE_MAX_WRONG) {
      s.lockedUntil = at + LOCKOUT_MS
      s.wrong = 0
    }
    globalWrong++
    if (globalWrong >= GLOBAL_MAX_WRONG) {
      globalLockedUntil = at + LOCKOUT_MS
      globalWrong = 0
    }
  }

  return {
    /** A new code (the previous one, if any, stops working). */
    issue(): PairingCode {
      const at = now()
      current = { code: crockford(randomBytes(5), CODE_LENGTH), issuedAt: at, expiresAt: at + ttlMs }
      globalWrong = 0
      // The lock for everyone ends with a code its guessers have not seen: otherwise anyone on the
      // network could keep pairing shut by guessing from many addresses. Their own addresses stay
      // locked out, and each new code again allows at most GLOBAL_MAX_WRONG guesses in all.
      globalLockedUntil = 0
      return { ...current }
    },

    /** No code any more (sharing turned off, or the hub closed the pairing screen). */
    close(): void {
      current = null
    },

    status(): PairingStatus {
      const at = now()
      if (current && current.expiresAt <= at) current = null
      return { code: current ? { ...current } : null, lockedUntil: globalLockedUntil > at ? globalLockedUntil : null, wrongAttempts: globalWrong }
    },

    /**
     * Checks a typed code from `source`; on success the code is spent and `onSuccess` runs before
     * anyone else can try (it is synchronous: nothing interleaves). Throws a LanRefusal otherwise.
     */
    redeem<T>(typed: string, source: string, onSuccess: () => T): T {
      const at = now()
      const wait = lockedFor(source, at)
      if (wait > 0) throw new LanRefusal('lan_rate_limited', { retryAfterMs: wait })
      if (!current) throw new LanRefusal('lan_pairing_closed')
      // Both sides hashed first: equal lengths for timingSafeEqual whatever was typed.
      const right = timingSafeEqual(digest(normalizeTyped(typed)), digest(current.code))
      if (current.expiresAt <= at) {
        current = null
        // An expired code is told apart only when it was the right one; a wrong guess stays a wrong guess.
        if (right) throw new LanRefusal('lan_code_expired')
        wrong(source, at)
        throw new LanRefusal('lan_pairing_closed')
      }
      if (!right) {
        wrong(source, at)
        throw new LanRefusal('lan_wrong_code')
      }
      const result = onSuccess()
      current = null
      sources.delete(source)
      return result
    }
  }
}

export type PairingDesk = ReturnType<typeof createPairingDesk>
