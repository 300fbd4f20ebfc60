/**
 * Local-only mode as the registry lists it: nothing to build, since there is nothing to sync with
 * (its sessions' operations are settled by the local provider the desk always has beside the one
 * built from the settings), and no history to pull.
 */
import type { ProviderRegistration } from '../types'
import { localTraits } from './traits'

export const localRegistration: ProviderRegistration = {
  traits: localTraits,
  build: () => null,
  history: () => null,
  lacks: () => null
}
