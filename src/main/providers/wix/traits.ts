/** What the desk knows of Wix without a connection (see ProviderTraits). */
import type { SessionRules } from '../rules'
import { USUAL_RULES } from '../rules'
import type { ProviderTraits } from '../types'

export const BOOKINGS_APP_ID = '13d21c63-b5ec-5912-8397-c3a5ddb27a97'

/**
 * Wix Bookings manages the participations of its own events: an app must not create, update or
 * delete them, and Bookings attendance needs a booking. So a walk-in stays on the desk, and a
 * pending booking is confirmed in Bookings (docs/wix-bookings.md says why not through its API).
 */
const WIX_BOOKINGS: SessionRules = { walkIns: 'desk_only', confirm: 'wix_bookings' }

/** A session is a Bookings session when the Bookings app owns its event (stored as the session's raw event). */
export const isBookingsEvent = (event: { appId?: string } | null | undefined) => event?.appId === BOOKINGS_APP_ID

export const wixTraits: ProviderTraits<{ appId?: string }> = {
  needsNetwork: true,
  grant: 'permission',
  sessionRules: (session) => (isBookingsEvent(session.raw) ? WIX_BOOKINGS : USUAL_RULES),
  walkInNeedsEmail: false,
  walkInChecksInTogether: false,
  sendsCheckOut: false,
  namesStations: false
}
