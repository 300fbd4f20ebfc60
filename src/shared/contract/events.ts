/**
 * What main pushes to the window as it happens, over IPC (`webContents.send`) or the web desk's
 * server-sent events: the window subscribes instead of polling.
 */
import { z } from 'zod'
import { id } from './common'
import { RosterRow } from './roster'
import { SyncStatus } from './sync'

export const DeskEvent = z.discriminatedUnion('kind', [
  /** The sync status changed (also the first event of every subscription). */
  z.object({ kind: z.literal('sync'), status: SyncStatus }),
  /** These rows changed: a mark (from any window of this desk), or their change reached the service or was refused. */
  z.object({ kind: z.literal('rows'), rows: z.array(RosterRow) }),
  /** A download changed these sessions (their rosters, counts); null: the day's list may have changed too. */
  z.object({ kind: z.literal('sessions'), sessionIds: z.array(id).nullable() })
])
export type DeskEvent = z.infer<typeof DeskEvent>
