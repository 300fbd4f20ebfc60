/** What the desk knows of Plandocket without a connection (see ProviderTraits). */
import { USUAL_RULES } from '../rules'
import type { ProviderTraits } from '../types'

export const plandocketTraits: ProviderTraits = {
  needsNetwork: true,
  // Plandocket keys carry scopes (shared/contracts/plandocket.md).
  grant: 'scope',
  sessionRules: () => USUAL_RULES,
  // It refuses a contact without one: the desk says so before anything is recorded or sent.
  walkInNeedsEmail: true,
  // One request creates, confirms and checks in, so a refusal is one item, not two.
  walkInChecksInTogether: true,
  // A check-out closes the check-in there; undoing it opens a new one.
  sendsCheckOut: true,
  namesStations: true
}
