/**
 * What a booking system allows the desk to do in a session, where that differs from the usual:
 * the core asks here instead of knowing each provider's app ids.
 */
import { BOOKINGS_APP_ID } from './wix'

export interface SessionRules {
  /** sync: a walk-in is created in the booking system; desk_only: it stays on this desk. */
  walkIns: 'sync' | 'desk_only'
  /** desk: Confirm is offered and sent; otherwise where a pending booking is confirmed. */
  confirm: 'desk' | 'wix_bookings'
}

const USUAL: SessionRules = { walkIns: 'sync', confirm: 'desk' }

/**
 * Wix Bookings manages the participations of its own events: an app must not create, update or
 * delete them, and Bookings attendance needs a booking. So a walk-in stays on the desk, and a
 * pending booking is confirmed in Bookings (docs/wix-bookings.md says why not through its API).
 */
const WIX_BOOKINGS: SessionRules = { walkIns: 'desk_only', confirm: 'wix_bookings' }

export function sessionRules(session: { provider: string; appId: string | null }): SessionRules {
  return session.provider === 'wix' && session.appId === BOOKINGS_APP_ID ? WIX_BOOKINGS : USUAL
}
