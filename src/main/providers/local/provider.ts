/**
 * The local-only provider: the desk itself is the system of record (rosters come from CSV files),
 * so there is nothing to download and every operation is complete once it is committed locally.
 * It sits behind the same interface as Wix and Plandocket; what differs it declares (its traits):
 * it needs no network, so settling its operations says nothing about any service being reachable.
 */
import type { Provider } from '../types'
import { localTraits } from './traits'

export function createLocalProvider(): Provider {
  return {
    name: 'local',
    needsNetwork: localTraits.needsNetwork,
    testConnection: async () => ({ ok: true, reason: 'local_needs_no_connection', params: {} }),
    async *pullSessions() {},
    async *pullRoster() {},
    async *pullAttendance() {},
    push: async () => ({ result: 'done' }),
    // Everything queued can be settled in one go.
    batchSize: () => 500,
    maxBatch: 500,
    pushBatch: async (ops) => ops.map(() => ({ result: 'done' as const }))
  }
}
