/** What main does for set-up: the settings as the window may see them, saving them, testing a connection. */
import { DeskError } from '../core/errors'
import type { DeskParts } from '../core/parts'
import type { HandlersFor } from '../ipc/dispatcher'
import type { RemoteProviderName } from '../../shared/contract'
import { buildProvider, lacksOf, traitsOf } from '../providers/registry'

export function settingsHandlers({ settings, ctx, freshness, engine, providerDeps, events, isMember }: DeskParts): HandlersFor<'settings.get' | 'settings.save' | 'settings.testConnection'> {
  return {
    'settings.get': () => settings.view(ctx.deskName),
    'settings.save': (input) => {
      // A member's sessions come from its hub and nowhere else; the hub is reached only by joining
      // it (Set-up → Join), which also switches the provider. Either way round would strand marks.
      if (input.provider === 'hub' && !isMember()) throw DeskError.because('refused', { reason: 'lan_refused', params: { refusal: 'lan_unpaired', retryAfterSeconds: null } })
      if (input.provider !== 'hub' && isMember()) throw DeskError.because('refused', { reason: 'lan_refused', params: { refusal: 'lan_is_member', retryAfterSeconds: null } })
      const candidate = settings.merged(input)
      const lack = lacksOf(candidate)
      if (lack?.reason === 'api_key_needed') {
        const provider = candidate.provider as RemoteProviderName
        throw DeskError.because('invalid_input', { reason: 'api_key_needed', params: { provider } }, [{ path: lack.field, problem: 'required', limit: null, message: 'required' }])
      }
      settings.save(input)
      freshness.refresh()
      void engine.trigger('settings')
      events.sessions(null)
      return settings.view(ctx.deskName)
    },
    'settings.testConnection': async (input) => {
      const candidate = settings.merged(input)
      if (!traitsOf(candidate.provider).needsNetwork) return { ok: true, reason: 'local_needs_no_connection', params: {} }
      const lack = lacksOf(candidate)
      if (lack?.reason === 'api_key_needed') {
        return { ok: false, reason: 'api_key_needed', params: { provider: candidate.provider as RemoteProviderName } }
      }
      if (lack?.reason === 'tenant_address_needed') {
        return { ok: false, reason: 'tenant_address_needed', params: {} }
      }
      const p = buildProvider(candidate, providerDeps)
      if (!p) return { ok: false, reason: 'connection_incomplete', params: {} }
      return p.testConnection()
    }
  }
}
