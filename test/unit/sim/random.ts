/**
 * A small seeded PRNG (mulberry32) for the simulation suites: the same seed gives the same run.
 * Every suite reads its seed from ROLLCALL_SIM_SEED when set, so a failure can be replayed.
 */
export interface Rng {
  readonly seed: number
  /** [0, 1) */
  next(): number
  /** An integer in [min, max] (inclusive). */
  int(min: number, max: number): number
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
  /** Picks by weight: [[value, weight], …]. */
  weighted<T>(items: readonly (readonly [T, number])[]): T
  /** A new independent stream derived from this one. */
  fork(): Rng
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const rng: Rng = {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list')
      return items[Math.floor(next() * items.length)]!
    },
    weighted: (items) => {
      const total = items.reduce((s, [, w]) => s + w, 0)
      let r = next() * total
      for (const [value, w] of items) {
        r -= w
        if (r < 0) return value
      }
      return items[items.length - 1]![0]
    },
    fork: () => createRng(Math.floor(next() * 2 ** 32))
  }
  return rng
}

/** The suite's seed: ROLLCALL_SIM_SEED (decimal or 0x…) if set, else the default. */
export function suiteSeed(fallback: number): number {
  const raw = process.env.ROLLCALL_SIM_SEED
  if (!raw) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n)) throw new Error(`ROLLCALL_SIM_SEED=${raw} is not a number`)
  return n >>> 0
}
