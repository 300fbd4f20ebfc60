/** A hub desk on the LAN as the member sees it (see ProviderTraits). */
import type { SessionRules } from '../rules'
import type { ProviderTraits } from '../types'

/** What a member keeps of a hub's session: the rules the hub's own provider set for it. */
export interface HubSessionRaw {
  rules: SessionRules
}

export const hubTraits: ProviderTraits<HubSessionRaw> = {
  needsNetwork: true,
  grant: 'permission',
  // The hub's provider decides (a Wix Bookings session confirms in Wix); walk-ins stay on the
  // member's desk until the hub takes them (it applies marks of people on its roster only).
  sessionRules: (session) => ({ walkIns: 'desk_only', confirm: session.raw?.rules.confirm ?? 'desk' }),
  walkInNeedsEmail: false,
  walkInChecksInTogether: false,
  // A check-out made at a member goes to the hub (else the next download would put the person back inside).
  sendsCheckOut: true,
  // Marks name the desk that made them: the member shows which desk checked a person in.
  namesStations: true
}
