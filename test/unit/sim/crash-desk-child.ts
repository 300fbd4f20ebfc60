/**
 * A desk process for the crash suite: opens the desk in `dataDir` (already set up to sync with the
 * fake Wix), then loops over random check-ins, undos and no-shows on the desk's roster while the
 * sync engine runs, until the parent SIGKILLs it.
 *
 * stdout protocol, one line each, written synchronously (a pipe on Linux):
 *   READY <people>
 *   TRY <participationId> <checkIn|undo|noShow> <attendees>   before a call
 *   ACK <participationId> <status> <attendees>                after the call returned the row
 *   NACK <participationId> <code>                             the call was refused (nothing changed)
 * Args: dataDir seed
 */
import { openDesk } from '../../../src/main/core'
import { createDispatcher } from '../../../src/main/ipc/dispatcher'
import type { RosterRow } from '../../../src/shared/contract'
import { createRng } from './random'

const [dataDir, seedText] = process.argv.slice(2) as [string, string]
const rng = createRng(Number(seedText))
const desk = openDesk({
  dataDir,
  env: {},
  syncTimerMs: 20,
  backoff: { baseMs: 5, capMs: 50, random: rng.fork().next },
  providerTimeoutMs: 600,
  log: () => {}
})
const dispatch = createDispatcher(desk.handlers, () => {})
const out = (line: string) => process.stdout.write(`${line}\n`)
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

const people = desk.db.$client
  .prepare<[], { id: number; sessionId: number; partySize: number }>(
    `SELECT id, session_id AS sessionId, party_size AS partySize FROM participations WHERE session_id IS NOT NULL ORDER BY id`
  )
  .all()
out(`READY ${people.length}`)

for (let i = 0; i < 5_000; i++) {
  const p = rng.pick(people)
  const kind = rng.weighted([
    ['checkIn', 5],
    ['undo', 2],
    ['noShow', 2]
  ] as const)
  const attendees = kind === 'checkIn' ? rng.int(1, p.partySize) : 0
  const input = { sessionId: p.sessionId, participationId: p.id, ...(kind === 'checkIn' ? { attendees } : {}) }
  out(`TRY ${p.id} ${kind} ${attendees}`)
  const answer = await dispatch(`attendance.${kind}`, input)
  if (answer.ok) {
    const row = answer.value as RosterRow
    out(`ACK ${p.id} ${row.attendance.status} ${row.attendance.attendees}`)
  } else out(`NACK ${p.id} ${answer.error.code}`)
  // Now and then a roster read (which asks for a pull) or a pause that lets the sync engine work.
  if (rng.chance(0.05)) await dispatch('roster.page', { sessionId: p.sessionId, search: '', offset: 0, limit: 50 })
  if (rng.chance(0.6)) await sleep(rng.int(0, 6))
}
out('DONE')
setInterval(() => {}, 1_000)
