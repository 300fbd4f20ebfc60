/**
 * Watches `sync.status`: what the header says about syncing, and `dataVersion`, which goes up when
 * synced data changed the local replica (the screen then refetches what it shows).
 */
import type { SyncStatus } from '../../../shared/contract'
import { api, CallFailed } from './api'
import { formatTime } from './dates'

class SyncWatch {
  status = $state<SyncStatus | null>(null)
  /** False when this desk service has no sync calls (then polling stops). */
  available = $state(true)

  async poll(): Promise<void> {
    if (!this.available) return
    try {
      this.status = await api['sync.status']({})
    } catch (err) {
      // An unreachable service already shows in the status bar; an older one has no sync calls.
      if (err instanceof CallFailed && (err.code === 'unknown_call' || err.code === 'not_found')) this.available = false
    }
  }
}

export const sync = new SyncWatch()

/** One line for the header, and whether it needs the desk's attention. */
export function describeSync(s: SyncStatus | null, deskZone: string): { text: string; warn: boolean } | null {
  if (!s || s.state === 'local') return null
  const waiting = s.pending > 0 ? ` · ${s.pending} mark${s.pending === 1 ? '' : 's'} waiting` : ''
  const problems = s.problems > 0 ? ` · ${s.problems} sync problem${s.problems === 1 ? '' : 's'}` : ''
  switch (s.state) {
    case 'idle':
      return {
        text: `${s.lastSuccessAt ? `Synced ${formatTime(s.lastSuccessAt, deskZone)}` : 'Not synced yet'}${waiting}${problems}`,
        warn: s.problems > 0
      }
    case 'syncing': {
      const pull = s.pull ? ` ${s.pull.label} ${s.pull.done}${s.pull.total !== null ? `/${s.pull.total}` : ''}` : ''
      return { text: `Syncing…${pull}${problems}`, warn: s.problems > 0 }
    }
    case 'offline':
      return { text: `Offline${waiting}${problems}`, warn: true }
    case 'retrying':
      return { text: `Sync retrying${s.lastError ? `: ${s.lastError}` : ''}${waiting}${problems}`, warn: true }
    case 'sign_in_needed':
      return { text: `Sync needs sign-in${waiting}${problems}`, warn: true }
  }
}
