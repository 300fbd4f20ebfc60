/**
 * This desk's place among the desks on the LAN (alone, hub or member), as main last said it. Set-up
 * and the sync indicator read it; it is asked again while someone looks (set-up open) and after
 * every change this window makes.
 */
import type { LanMember, LanStatus } from '../../../shared/contract'
import { api } from '../lib/api'

class LanState {
  status = $state<LanStatus | null>(null)
  members = $state<LanMember[]>([])

  async refresh(): Promise<void> {
    try {
      const status = await api['lan.status']({})
      this.status = status
      this.members = status.role === 'hub' ? (await api['lan.members']({})).members : []
    } catch {
      // The indicator keeps the last answer; set-up says why when an action fails.
    }
  }

  set(status: LanStatus): void {
    this.status = status
  }
}

export const lan = new LanState()
