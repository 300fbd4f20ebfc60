/** What main does for set-up: the settings as the window may see them, saving them, testing a connection. */
import { DeskError } from '../core/errors'
import type { DeskParts } from '../core/parts'
import type { HandlersFor } from '../ipc/dispatcher'
import { buildProvider } from '../providers/registry'

export function settingsHandlers({ settings, ctx, freshness, engine, providerDeps, events }: DeskParts): HandlersFor<'settings.get' | 'settings.save' | 'settings.testConnection'> {
  return {
    'settings.get': () => settings.view(ctx.deskName),
    'settings.save': (input) => {
      const candidate = settings.merged(input)
      if (candidate.provider === 'wix' && !candidate.wix.apiKey) {
        throw DeskError.because('invalid_input', { reason: 'api_key_needed', params: { provider: 'wix' } }, 'Enter the Wix API key.', [{ path: 'wix.apiKey', message: 'required' }])
      }
      if (candidate.provider === 'plandocket' && !candidate.plandocket.apiKey) {
        throw DeskError.because('invalid_input', { reason: 'api_key_needed', params: { provider: 'plandocket' } }, 'Enter the Plandocket API key.', [
          { path: 'plandocket.apiKey', message: 'required' }
        ])
      }
      settings.save(input)
      freshness.refresh()
      void engine.trigger('settings')
      events.sessions(null)
      return settings.view(ctx.deskName)
    },
    'settings.testConnection': async (input) => {
      const candidate = settings.merged(input)
      if (candidate.provider === 'local') return { ok: true, reason: 'local_needs_no_connection', params: {}, message: 'Local-only mode needs no connection.' }
      if (candidate.provider === 'wix' && !candidate.wix.apiKey) {
        return { ok: false, reason: 'api_key_needed', params: { provider: 'wix' }, message: 'Enter the API key.' }
      }
      if (candidate.provider === 'plandocket' && !candidate.plandocket.apiKey) {
        return { ok: false, reason: 'api_key_needed', params: { provider: 'plandocket' }, message: 'Enter the API key.' }
      }
      if (candidate.provider === 'plandocket' && !candidate.plandocket.baseUrl) {
        return { ok: false, reason: 'tenant_address_needed', params: {}, message: 'Enter the tenant address, e.g. https://yourname.plandocket.com/api/v1.' }
      }
      const p = buildProvider(candidate, providerDeps)
      if (!p) return { ok: false, reason: 'connection_incomplete', params: {}, message: 'Fill in every field of the connection first.' }
      return p.testConnection()
    }
  }
}
