/**
 * The one copy of the sync status on screen. Main pushes every change (lib/changes.ts); the
 * header's indicator, the thin download bar and the Sync panel all read this store. The problems
 * list is fetched only when the problem count changes or the panel asks for it.
 */
import type { LanStatus, ProviderName, SyncProblem, SyncStatus } from '../../../shared/contract'
import { api, CallFailed } from '../lib/api'
import { onDeskEvent } from '../lib/changes'
import { formatTime } from '../lib/dates'
import { i18n } from '../lib/i18n.svelte'

class SyncWatch {
  status = $state<SyncStatus | null>(null)
  /** False when this desk service has no sync calls (then the indicator is not shown). */
  available = $state(true)
  /** Marks set aside that need the desk's decision; null until first fetched. */
  problems = $state<SyncProblem[] | null>(null)
  /** Why the problems list could not be fetched (cleared by the next fetch that works). */
  problemsError = $state<unknown>(null)
  #problemsSeq = 0
  #started = false
  /** Counts pushed statuses: a call's answer older than the last push must not replace it. */
  #pushed = 0

  /** Follow main's pushed status (asked once at start, in case the first event is slow). */
  start(): void {
    if (this.#started) return
    this.#started = true
    onDeskEvent((event) => {
      if (event.kind === 'sync') {
        this.#pushed++
        this.set(event.status)
      }
    })
    api['sync.status']({}).then(
      (status) => {
        if (!this.status && this.#pushed === 0) this.set(status)
      },
      (err: unknown) => {
        // An unreachable service already shows in the status bar; an older one has no sync calls.
        if (err instanceof CallFailed && (err.code === 'unknown_call' || err.code === 'not_found')) this.available = false
      }
    )
  }

  /** Take a status main answered (a poll, "Sync now", a resolved problem). */
  set(next: SyncStatus): void {
    const before = this.status?.problems ?? 0
    this.status = next
    // The list follows the count: fetch it again when the count moved (or was never fetched).
    if (next.problems !== before || (this.problems === null && next.problems > 0)) void this.loadProblems()
  }

  async loadProblems(): Promise<void> {
    const mine = ++this.#problemsSeq
    try {
      const { problems } = await api['sync.problems']({})
      if (mine !== this.#problemsSeq) return
      this.problems = problems
      this.problemsError = null
    } catch (err) {
      if (mine === this.#problemsSeq) this.problemsError = err
    }
  }

  /** "Sync now": send what waits and fetch the day again. Throws what main refused. */
  async now(): Promise<void> {
    const pushed = this.#pushed
    const next = await api['sync.now']({})
    // The answer was read when the call ran; a status pushed since is newer (the sync may be over).
    if (pushed === this.#pushed) this.set(next)
  }

  /** The desk's decision on one problem. Throws what main refused. */
  async resolve(opId: string, choice: 'retry' | 'mine' | 'discard'): Promise<void> {
    const pushed = this.#pushed
    const next = await api['sync.resolve']({ opId, choice })
    // Drop it from the list at once; the refetch below confirms.
    if (this.problems) this.problems = this.problems.filter((p) => p.opId !== opId)
    if (pushed === this.#pushed) this.status = next
    void this.loadProblems()
  }
}

export const sync = new SyncWatch()

/** "Wix", "Plandocket", or "Local only" in the current language. */
export function providerLabel(provider: ProviderName): string {
  return i18n.t.sync.providers[provider]
}

export type SyncTone = 'neutral' | 'ok' | 'busy' | 'warn' | 'bad'

export interface SyncSummary {
  state: SyncStatus['state']
  /** What sync is doing, short: "Synced · 12:04", "Offline · 3 waiting". */
  text: string
  tone: SyncTone
  /** "2 need attention", or null. */
  attention: string | null
}

/**
 * The indicator's words with this desk's place on the LAN: a member names its hub, whether the
 * link is up and how many marks wait for it; a sharing hub says how many desks it shares with.
 */
export function summarizeWithLan(s: SyncStatus, deskZone: string, lan: LanStatus | null, members: number): SyncSummary {
  const t = i18n.t.sync
  const summary = summarize(s, deskZone)
  if (lan?.role === 'member' && lan.member) {
    const m = lan.member
    return {
      ...summary,
      state: m.connected ? summary.state : 'offline',
      text: t.hubLine(m.hubName, m.connected, m.waiting),
      tone: m.connected ? (summary.tone === 'neutral' ? 'ok' : summary.tone) : 'warn'
    }
  }
  if (lan?.role === 'hub' && lan.hub?.sharing) return { ...summary, text: `${summary.text} · ${t.hubSharing(members)}` }
  return summary
}

/** The indicator's words and colour for a status. */
export function summarize(s: SyncStatus, deskZone: string): SyncSummary {
  const t = i18n.t.sync
  const waiting = s.pending > 0 ? t.waiting(s.pending) : ''
  const attention = s.problems > 0 ? t.attention(s.problems) : null
  const base = { state: s.state, attention }
  switch (s.state) {
    case 'local':
      return { ...base, text: `${t.localOnly}${waiting}`, tone: 'neutral' }
    case 'idle':
      return {
        ...base,
        text: `${s.lastSuccessAt ? t.synced(formatTime(s.lastSuccessAt, deskZone)) : t.notSynced}${waiting}`,
        tone: s.lastSuccessAt ? 'ok' : 'neutral'
      }
    case 'syncing':
      return { ...base, text: `${t.syncing}${waiting}`, tone: 'busy' }
    case 'offline':
      return { ...base, text: `${t.offline}${waiting}`, tone: 'warn' }
    case 'retrying':
      return { ...base, text: `${t.retrying}${waiting}`, tone: 'warn' }
    case 'sign_in_needed':
      return { ...base, text: `${t.signIn}${waiting}`, tone: 'bad' }
    case 'permission_needed':
      return { ...base, text: `${t.permissionNeeded}${waiting}`, tone: 'bad' }
  }
}

/** "Downloading roster: 1,200 so far" / "… 1,200 of 3,000". */
export function describePull(pull: NonNullable<SyncStatus['pull']>): string {
  const t = i18n.t.sync
  const label = pull.stage === 'sessions' ? t.pullSessions : t.pullRoster
  return pull.total !== null ? t.pullOf(label, pull.done, pull.total) : t.pullSoFar(label, pull.done)
}

const CLOCK_WARN_MS = 2 * 60_000

/** "Wix's clock is 5 min ahead of this desk", when the gap is worth knowing about; else null. */
export function describeClockOffset(s: SyncStatus): string | null {
  const offset = s.clockOffsetMs
  if (offset === null || Math.abs(offset) <= CLOCK_WARN_MS || s.provider === 'local') return null
  const t = i18n.t.sync
  const minutes = Math.round(Math.abs(offset) / 60_000)
  const gap = minutes < 120 ? t.minutes(minutes) : t.hours(Math.round(minutes / 60))
  return t.clock(providerLabel(s.provider), gap, offset > 0)
}
