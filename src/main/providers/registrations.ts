/**
 * Every provider the desk knows, one line each: a provider is its folder under providers/ (which
 * exports its registration), its name in the contract's PROVIDERS list, and its line here (the
 * type asks for one per name). Nothing else in main names a provider, except settings/, which
 * still stores each remote provider's connection fields (and contract/settings.ts, setup/ in the
 * window, which ask for them): a provider with settings of its own touches those too.
 */
import type { ProviderName } from '../../shared/contract'
import { hubRegistration } from './hub/registration'
import { localRegistration } from './local/registration'
import { plandocketRegistration } from './plandocket/registration'
import type { ProviderRegistration } from './types'
import { wixRegistration } from './wix/registration'

export const REGISTRATIONS: Record<ProviderName, ProviderRegistration> = {
  local: localRegistration,
  wix: wixRegistration,
  plandocket: plandocketRegistration,
  hub: hubRegistration
}
