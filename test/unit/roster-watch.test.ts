/**
 * The open roster's poll for other stations' check-ins (core/watch.ts): it runs while the desk
 * has the roster open, at the interval the provider's budget asks for, and stops once nobody has
 * read the roster for a minute. Over an idle hour that is what keeps a Plandocket desk under its
 * request budget while still showing another station's check-in within 30 s.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRosterWatch } from '../../src/main/core/watch'
import { RequestBudget } from '../../src/main/providers/budget'

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('roster watch', () => {
  it('polls the open roster at the budget’s interval and stops when the roster is closed', () => {
    const budget = new RequestBudget(() => Date.now(), 150)
    const polls: number[] = []
    const watch = createRosterWatch({
      now: () => Date.now(),
      poll: (sessionId) => {
        polls.push(sessionId)
        return budget.pollIntervalMs()
      }
    })
    // The window re-reads an open roster every 20 s for an hour.
    for (let t = 0; t < 3_600_000; t += 20_000) {
      watch.viewing(7)
      vi.advanceTimersByTime(20_000)
    }
    expect(polls.every((id) => id === 7)).toBe(true)
    // At most one poll per 30 s (another station shows within 30 s), and room left in the budget.
    expect(polls.length).toBeGreaterThanOrEqual(120)
    expect(polls.length).toBeLessThan(140)
    // Closed: no roster read for a minute, no more polls.
    const before = polls.length
    vi.advanceTimersByTime(10 * 60_000)
    expect(polls.length - before).toBeLessThanOrEqual(2)
    watch.stop()
  })

  it('does not poll for a provider without a budget (its rosters refresh when read)', () => {
    let asked = 0
    const watch = createRosterWatch({ now: () => Date.now(), poll: () => (asked++, null) })
    watch.viewing(1)
    vi.advanceTimersByTime(5 * 60_000)
    watch.stop()
    // Only asked whether to poll, at its idle pace, while the roster counted as open.
    expect(asked).toBeLessThanOrEqual(3)
  })
})
