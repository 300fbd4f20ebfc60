/**
 * The hub as the registry lists it: built whenever the settings chose it and the desk has a LAN
 * store; which hub, and the credential, are read from lan.json at each request (a desk paired with
 * another hub sends its unsent marks there, without a restart). No history of its own to pull.
 */
import type { ProviderRegistration } from '../types'
import { createHubProvider } from './index'
import { hubTraits } from './traits'

export const hubRegistration: ProviderRegistration = {
  traits: hubTraits,
  build: (_settings, deps) => (deps.lan ? createHubProvider({ store: deps.lan, now: deps.now }) : null),
  history: () => null,
  lacks: () => null
}
