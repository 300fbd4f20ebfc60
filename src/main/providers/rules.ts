/**
 * What a booking system allows the desk to do in a session, where that differs from the usual:
 * the core asks registry.sessionRules, and each provider answers for its own sessions (its traits),
 * so no one outside a provider's folder knows its app ids.
 */
export interface SessionRules {
  /** sync: a walk-in is created in the booking system; desk_only: it stays on this desk. */
  walkIns: 'sync' | 'desk_only'
  /** desk: Confirm is offered and sent; otherwise where a pending booking is confirmed. */
  confirm: 'desk' | 'wix_bookings'
}

export const USUAL_RULES: SessionRules = { walkIns: 'sync', confirm: 'desk' }
