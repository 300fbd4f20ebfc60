/**
 * The desk's questions about providers, answered from registrations.ts: which provider the
 * settings build, what a provider's sessions allow, whose history the desk pulls.
 */
import type { ProviderName, RemoteProviderName } from '../../shared/contract'
import type { StoredSettings } from '../settings'
import { REGISTRATIONS } from './registrations'
import type { SessionRules } from './rules'
import type { Provider, ProviderDeps, ProviderRegistration, ProviderTraits } from './types'
export type { ProviderDeps }

/** What the desk knows of a provider without a connection to it (for sessions of any provider on the desk). */
export function traitsOf(name: ProviderName): ProviderTraits {
  return REGISTRATIONS[name].traits
}

/** Which account's history the current settings pull, and how far back (null: none). */
export function historyOf(settings: StoredSettings): { account: string; days: number } | null {
  return REGISTRATIONS[settings.provider].history(settings)
}

/** A session's rules, answered by its provider. `raw`: the provider's own record of the session as stored (JSON text, or null). */
export function sessionRules(session: { provider: ProviderName; raw: string | null }): SessionRules {
  return traitsOf(session.provider).sessionRules({ raw: parsedRaw(session.raw) })
}

/** The booking system that refuses a walk-in without an email in this session (null: none does). */
export function walkInEmailRequiredBy(session: { provider: ProviderName; raw: string | null }): RemoteProviderName | null {
  const traits = traitsOf(session.provider)
  if (traits.walkInEmailFrom) return traits.walkInEmailFrom({ raw: parsedRaw(session.raw) })
  return traits.walkInNeedsEmail ? (session.provider as RemoteProviderName) : null
}

function parsedRaw(raw: string | null): unknown {
  try {
    return raw === null ? null : JSON.parse(raw)
  } catch {
    return null
  }
}

/** What the settings lack before their provider's connection can be tried (null: nothing). */
export function lacksOf(settings: StoredSettings): ReturnType<ProviderRegistration['lacks']> {
  return REGISTRATIONS[settings.provider].lacks(settings)
}

export function buildProvider(settings: StoredSettings, deps: ProviderDeps): Provider | null {
  return REGISTRATIONS[settings.provider].build(settings, deps)
}

/** The provider the current settings describe; rebuilt only when they change. */
export function createProviderSource(settings: () => StoredSettings, deps: ProviderDeps): () => Provider | null {
  let provider: Provider | null = null
  let key = ''
  return () => {
    const s = settings()
    const next = JSON.stringify(s)
    if (next !== key) {
      key = next
      provider = buildProvider(s, deps)
    }
    return provider
  }
}
