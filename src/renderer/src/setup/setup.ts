/**
 * The set-up form as plain data, and the settings call input built from it. The API key is write
 * only: main never sends it back, and an empty field means "keep the stored key".
 */
import type { CallError, CallInput, ProviderName, ProviderSettingsView } from '../../../shared/contract'
import { LOCAL_PROVIDER } from '../../../shared/contract/constants'
import { describeIssue } from '../lib/reasons'

export interface SetupForm {
  provider: ProviderName
  wixSiteId: string
  wixApiKey: string
  wixBaseUrl: string
  wixNamespace: string
  plandocketBaseUrl: string
  plandocketApiKey: string
  plandocketShowHidden: boolean
  /** Requests per hour this desk may send (text while typed). */
  plandocketRequests: string
  /** Days of past attendance to pull for the history (text while typed; 0 = none). */
  historyDays: string
  /** Days this desk keeps sessions that ended (text while typed). */
  retentionDays: string
}

/** The form's fields, keyed as main names them in `invalid_input` issues (`wix.siteId`). */
export type SetupField =
  | 'wix.siteId'
  | 'wix.apiKey'
  | 'wix.baseUrl'
  | 'wix.namespace'
  | 'plandocket.baseUrl'
  | 'plandocket.apiKey'
  | 'plandocket.requestsPerHour'
  | 'wix.historyDays'
  | 'plandocket.historyDays'
  | 'retentionDays'

export function formFrom(view: ProviderSettingsView): SetupForm {
  return {
    provider: view.provider,
    wixSiteId: view.wix.siteId,
    wixApiKey: '',
    wixBaseUrl: view.wix.baseUrl,
    wixNamespace: view.wix.namespace,
    plandocketBaseUrl: view.plandocket.baseUrl,
    plandocketApiKey: '',
    plandocketShowHidden: view.plandocket.showHidden,
    plandocketRequests: String(view.plandocket.requestsPerHour),
    historyDays: String(view.provider === 'plandocket' ? view.plandocket.historyDays : view.wix.historyDays),
    retentionDays: String(view.retentionDays)
  }
}

const filled = (s: string): string | undefined => (s.trim() === '' ? undefined : s.trim())
/** Empty keeps the stored value; text that is no number goes as NaN, which main refuses with its reason. */
const wholeDays = (s: string): number | undefined => (s.trim() === '' ? undefined : Number.isFinite(Number(s.trim())) ? Number(s.trim()) : NaN)
const days = (s: string): { historyDays?: number } => {
  const n = wholeDays(s)
  return n === undefined ? {} : { historyDays: n }
}

export function inputFrom(form: SetupForm): CallInput<'settings.save'> {
  const retention = wholeDays(form.retentionDays)
  return { ...providerInput(form), ...(retention === undefined ? {} : { retentionDays: retention }) }
}

function providerInput(form: SetupForm): CallInput<'settings.save'> {
  if (form.provider === 'wix') {
    const apiKey = filled(form.wixApiKey)
    const baseUrl = filled(form.wixBaseUrl)
    const namespace = filled(form.wixNamespace)
    return {
      provider: 'wix',
      wix: {
        siteId: form.wixSiteId.trim(),
        ...(apiKey ? { apiKey } : {}),
        ...(baseUrl ? { baseUrl } : {}),
        ...(namespace ? { namespace } : {}),
        ...days(form.historyDays)
      }
    }
  }
  if (form.provider === 'plandocket') {
    const apiKey = filled(form.plandocketApiKey)
    const requests = Number(form.plandocketRequests.trim())
    return {
      provider: 'plandocket',
      plandocket: {
        baseUrl: form.plandocketBaseUrl.trim(),
        ...(apiKey ? { apiKey } : {}),
        showHidden: form.plandocketShowHidden,
        // Main checks the range and says what is wrong; text that is no number goes as it is refused.
        requestsPerHour: form.plandocketRequests.trim() === '' ? undefined : Number.isFinite(requests) ? requests : NaN,
        ...days(form.historyDays)
      }
    }
  }
  // A member keeps its hub: joining and leaving are LAN steps, not a choice in this form.
  if (form.provider === 'hub') return { provider: 'hub' }
  return { provider: LOCAL_PROVIDER }
}

const FIELDS: readonly SetupField[] = [
  'wix.siteId',
  'wix.apiKey',
  'wix.baseUrl',
  'wix.namespace',
  'plandocket.baseUrl',
  'plandocket.apiKey',
  'plandocket.requestsPerHour',
  'wix.historyDays',
  'plandocket.historyDays',
  'retentionDays'
]

/** Main's field issues by form field; the ones that match no field are returned apart. */
export function fieldIssues(issues: NonNullable<CallError['issues']>): {
  byField: Partial<Record<SetupField, string>>
  other: string[]
} {
  const byField: Partial<Record<SetupField, string>> = {}
  const other: string[] = []
  for (const issue of issues) {
    const field = FIELDS.find((f) => issue.path === f || issue.path.startsWith(`${f}.`))
    if (field && !byField[field]) byField[field] = describeIssue(issue)
    else if (!field) other.push(issue.path ? `${issue.path}: ${describeIssue(issue)}` : describeIssue(issue))
  }
  return { byField, other }
}
