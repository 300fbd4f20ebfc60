/** Sync with the booking system: status, problems set aside, the desk's decisions. */
import { z } from 'zod'
import { ProviderName, empty, isoInstant } from './common'
import { SyncReason } from './reasons'

export const SyncStatus = z.object({
  provider: ProviderName,
  /** local: nothing to sync to; the rest say what the engine is doing now. */
  state: z.enum(['local', 'idle', 'syncing', 'offline', 'retrying', 'sign_in_needed', 'permission_needed']),
  /** null until the service has answered (or failed to) since the last change of settings. */
  online: z.boolean().nullable(),
  /** Marks made at this desk not yet accepted by the booking system. */
  pending: z.number().int(),
  /** Marks set aside (rejected or in conflict) that need the desk's decision. */
  problems: z.number().int(),
  lastSuccessAt: isoInstant.nullable(),
  lastAttemptAt: isoInstant.nullable(),
  /** Why sending (`send`), signing in (`sign_in`) or downloading (`download`) last failed, as codes. */
  errors: z.array(z.object({ stage: z.enum(['send', 'sign_in', 'download']) }).and(SyncReason)),
  /** The booking system's clock minus ours, from its Date header. */
  clockOffsetMs: z.number().nullable(),
  /** A download under way. */
  /** A download under way: what (the day's sessions, or a roster) and how far. */
  pull: z.object({ stage: z.enum(['sessions', 'roster']), done: z.number().int(), total: z.number().int().nullable() }).nullable(),
  /** Requests sent in the last hour against the desk's budget (providers that limit requests). */
  requests: z.object({ used: z.number().int(), budget: z.number().int(), serviceRemaining: z.number().int().nullable() }).nullable().default(null)
})
export type SyncStatus = z.infer<typeof SyncStatus>

export const SyncProblem = z
  .object({
    opId: z.string(),
    kind: z.string(),
    state: z.enum(['rejected', 'conflict']),
    /** What the desk wanted ("check in 2", "mark as no-show"): attendees for check_in. Why it was set aside: `reason` and `params`. */
    intent: z.object({ kind: z.enum(['check_in', 'check_out', 'no_show', 'clear', 'walk_in', 'confirm']), attendees: z.number().int() }),
    personName: z.string().nullable(),
    sessionTitle: z.string().nullable(),
    createdAt: isoInstant,
    attempts: z.number().int()
  })
  .and(SyncReason)
export type SyncProblem = z.infer<typeof SyncProblem>

export const syncCalls = {
  'sync.status': { input: empty, output: SyncStatus },
  'sync.now': { input: empty, output: SyncStatus },
  'sync.problems': { input: empty, output: z.object({ problems: z.array(SyncProblem) }) },
  'sync.resolve': {
    admin: 'resolve_sync',
    input: z
      .object({
        opId: z.string().min(1).max(100),
        /** retry: send again as it is; mine: overrule the other desk; discard: drop this desk's change. */
        choice: z.enum(['retry', 'mine', 'discard'])
      })
      .strict(),
    output: SyncStatus
  }
} as const
