/**
 * Refuses a request seen before. Each authenticated request carries its time and a random nonce;
 * the hub accepts a time within ±windowMs of its own clock and a nonce it has not seen within that
 * window, so remembering nonces for twice the window is enough to refuse every replay.
 *
 * Desk clocks in a venue without internet drift apart (no NTP): a refusal for a stale time carries
 * the hub's clock, and the member corrects its offset and retries (client.ts).
 */
import { LanRefusal } from './protocol'

export const REPLAY_WINDOW_MS = 2 * 60_000
/** Nonces remembered per member at most: a member sending faster than this is refused, not remembered forever. */
export const MAX_NONCES_PER_MEMBER = 20_000

export function createReplayGuard(options: { now?: () => number; windowMs?: number } = {}) {
  const now = options.now ?? Date.now
  const windowMs = options.windowMs ?? REPLAY_WINDOW_MS
  /** member id → nonce → when it may be forgotten */
  const seen = new Map<string, Map<string, number>>()

  function prune(nonces: Map<string, number>, at: number): void {
    // Insertion order is expiry order (every entry lives 2 × window from its arrival).
    for (const [nonce, forgetAt] of nonces) {
      if (forgetAt > at) break
      nonces.delete(nonce)
    }
  }

  return {
    check(memberId: string, time: number, nonce: string): void {
      const at = now()
      if (Math.abs(at - time) > windowMs) throw new LanRefusal('lan_stale_request', { hubTime: at })
      let nonces = seen.get(memberId)
      if (!nonces) seen.set(memberId, (nonces = new Map()))
      prune(nonces, at)
      if (nonces.has(nonce)) throw new LanRefusal('lan_replayed')
      if (nonces.size >= MAX_NONCES_PER_MEMBER) throw new LanRefusal('lan_rate_limited', { retryAfterMs: 1000 })
      nonces.set(nonce, at + 2 * windowMs)
    },
    /** Forgets a member (revoked): its nonces are no use any more. */
    forget(memberId: string): void {
      seen.delete(memberId)
    }
  }
}
