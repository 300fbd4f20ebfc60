/** Set-up: the provider and its connection (secrets never reach the window). */
import { z } from 'zod'
import { MissingPermission, ProviderName, empty, int, reason, remoteService } from './common'
import { RETENTION_DAYS } from './constants'

const baseUrl = z
  .string()
  .trim()
  .max(300)
  .refine((u) => {
    try {
      const url = new URL(u)
      return url.protocol === 'https:' || url.protocol === 'http:'
    } catch {
      return false
    }
  }, { message: 'must be an http(s) URL', params: { problem: 'not_url' } })

const historyDays = z.number().int().min(0).max(365).optional()

export const WixSettingsInput = z
  .object({
    siteId: z.string().trim().min(1, 'the site id is required').max(100),
    /** Omit to keep the stored key. */
    apiKey: z.string().trim().min(1).max(4096).optional(),
    baseUrl: baseUrl.optional(),
    /** The extendedFields namespace that holds check-ins on non-Bookings events. */
    namespace: z.string().trim().regex(/^[A-Za-z0-9_@./-]{1,100}$/, 'letters, digits and _ @ . / - only').default('@rollcall/checkin'),
    /** Days of past attendance the pull brings for the history (0 = none). */
    historyDays
  })
  .strict()

export const PlandocketSettingsInput = z
  .object({
    baseUrl: baseUrl,
    apiKey: z.string().trim().min(1).max(4096).optional(),
    /** List events hidden in Plandocket (`is_visible` false) too. */
    showHidden: z.boolean().optional(),
    /** Requests this desk may send per hour (its share of the account's plan limit). */
    requestsPerHour: z.number().int().min(20).max(100_000).optional(),
    historyDays
  })
  .strict()

/** What every desk has, whichever provider it uses. Omitted keeps the stored value. */
const deskSettings = {
  /** Sessions that ended longer ago than this many days leave this desk's replica. */
  retentionDays: z.number().int().min(RETENTION_DAYS.min).max(RETENTION_DAYS.max).optional()
}

export const ProviderSettingsInput = z.discriminatedUnion('provider', [
  z.object({ provider: z.literal('local'), ...deskSettings }).strict(),
  z.object({ provider: z.literal('wix'), wix: WixSettingsInput, ...deskSettings }).strict(),
  z.object({ provider: z.literal('plandocket'), plandocket: PlandocketSettingsInput, ...deskSettings }).strict(),
  /** The hub this desk joined on the LAN: where and how it is reached lives in lan.json, not here. */
  z.object({ provider: z.literal('hub'), ...deskSettings }).strict()
])
export type ProviderSettingsInput = z.infer<typeof ProviderSettingsInput>

/** Settings as the renderer may see them: whether a key is stored, never the key. */
export const ProviderSettingsView = z.object({
  provider: ProviderName,
  deskName: z.string(),
  wix: z.object({ siteId: z.string(), baseUrl: z.string(), namespace: z.string(), apiKeySet: z.boolean(), historyDays: z.number().int() }),
  plandocket: z.object({ baseUrl: z.string(), apiKeySet: z.boolean(), showHidden: z.boolean(), requestsPerHour: z.number().int(), historyDays: z.number().int() }),
  retentionDays: z.number().int(),
  /** How secrets are protected on this machine: os = the OS keychain; otherwise a warning is shown. */
  secretStorage: z.enum(['os', 'basic_text', 'unavailable'])
})
export type ProviderSettingsView = z.infer<typeof ProviderSettingsView>

/** What "Test connection" found, as a code the window words. */
const remote = remoteService
/** Which set-up field the desk should check: Wix's base URL or Plandocket's tenant address. */
const addressField = z.enum(['base_url', 'tenant_address'])
export const ConnectionReason = z.discriminatedUnion('reason', [
  reason('connected', { service: remote, where: z.string() }),
  reason('local_needs_no_connection', {}),
  reason('api_key_needed', { provider: remote }),
  reason('tenant_address_needed', {}),
  reason('connection_incomplete', {}),
  /** 401/403: for Wix the key or the site id; for Plandocket a 403 means a missing scope. */
  reason('key_refused', { service: remote, status: int.nullable() }),
  reason('key_lacks_scope', { service: remote }),
  /** The key is accepted but some APIs refuse it (403): each missing permission, and what still works. */
  reason('key_lacks_permissions', { service: remote, where: z.string(), missing: z.array(MissingPermission).min(1) }),
  /** `cause` says what failed. */
  reason('unreachable', {
    service: remote,
    baseUrl: z.string(),
    field: addressField,
    cause: z.enum(['no_connection', 'timeout', 'cut_off']),
    seconds: z.number().nullable()
  }),
  reason('too_many_requests', { service: remote }),
  reason('service_problem', { service: remote, status: int.nullable() }),
  reason('not_the_service', { service: remote, field: addressField }),
  reason('nothing_there', { service: remote, baseUrl: z.string(), field: addressField }),
  /** The booking system's own words, shown as they are. */
  reason('service_refused', { service: remote, text: z.string() }),
  reason('unexpected', { text: z.string() })
])
export type ConnectionReason = z.infer<typeof ConnectionReason>
export const ConnectionReport = z.object({ ok: z.boolean() }).and(ConnectionReason)
export type ConnectionReport = z.infer<typeof ConnectionReport>

export const settingsCalls = {
  'settings.get': { admin: 'open_setup', input: empty, output: ProviderSettingsView },
  'settings.save': { admin: 'change_setup', input: ProviderSettingsInput, output: ProviderSettingsView },
  'settings.testConnection': { admin: 'test_connection', input: ProviderSettingsInput, output: ConnectionReport }
} as const
