/** A hub desk on the LAN as the member sees it (see ProviderTraits). */
import type { SessionRules } from '../rules'
import type { ProviderTraits } from '../types'
import type { RemoteProviderName } from '../../../shared/contract'

/** What a member keeps of a hub's session: the rules the hub's own provider set for it. */
export interface HubSessionRaw {
  rules: SessionRules
  /** The hub's service that refuses a walk-in without an email (absent from hubs before it was sent). */
  walkInEmail?: RemoteProviderName | null
}

export const hubTraits: ProviderTraits<HubSessionRaw> = {
  needsNetwork: true,
  grant: 'permission',
  // The hub's provider decides confirmations (a Wix Bookings session confirms in Wix): a member
  // follows. Walk-ins go to the hub, added and checked in in one request; the hub's own rules
  // then decide whether they go further (a Wix Bookings walk-in stays on the hub's desk).
  sessionRules: (session) => ({ walkIns: 'sync', confirm: session.raw?.rules.confirm ?? 'desk' }),
  walkInNeedsEmail: false,
  // The hub's service decides (Plandocket wants an email): asked at the member, before the walk-in is made.
  walkInEmailFrom: (session) => session.raw?.walkInEmail ?? null,
  walkInChecksInTogether: true,
  // A check-out made at a member goes to the hub (else the next download would put the person back inside).
  sendsCheckOut: true,
  // Marks name the desk that made them: the member shows which desk checked a person in.
  namesStations: true
}
