/** Local-only mode: the desk is the system of record (see ProviderTraits). */
import { USUAL_RULES } from '../rules'
import type { ProviderTraits } from '../types'

export const localTraits: ProviderTraits = {
  needsNetwork: false,
  grant: 'permission',
  sessionRules: () => USUAL_RULES,
  walkInNeedsEmail: false,
  walkInChecksInTogether: false,
  sendsCheckOut: false,
  namesStations: false
}
