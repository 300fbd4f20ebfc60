/**
 * The one place main words a code, for its log lines, developers (a CallError's `message`, an
 * Error's message) and tests that want to read one. The words are the English dictionary's own
 * tables (the window's en.ts), so English is written once and a log line says what an English desk
 * reads; times are UTC. Nothing a desk person reads comes from here: the window words every code.
 */
import type { ConnectionReason, DeskReason, ImportProblem, ScanReason, SyncReason } from '../../shared/contract'
import { en } from '../../renderer/src/lib/messages/en'
import { word, type Say, type Words } from '../../renderer/src/lib/messages/words'

export type AnyReason = DeskReason | ScanReason | SyncReason | ConnectionReason | ImportProblem

const utc: Say = {
  time: (iso) => iso.replace(/\.\d{3}Z$/, 'Z'),
  list: (items) => new Intl.ListFormat('en', { style: 'long', type: 'conjunction' }).format(items)
}

/** Which table words which code. Some codes are in two tables (`api_key_needed`): `kind` picks one. */
const tables = {
  desk: { ...en.reasons.importProblem, ...en.reasons.desk, ...en.reasons.scan },
  sync: en.reasons.sync,
  connection: en.reasons.connection
}

/** A desk refusal, scan answer or import problem in English. */
export function english(r: DeskReason | ScanReason): string {
  return word(tables.desk as Words<DeskReason | ScanReason>, r, utc)
}

/** A sync failure in English. */
export function englishSync(r: SyncReason): string {
  return word(tables.sync as Words<SyncReason>, r, utc)
}

/** What "Test connection" found, in English. */
export function englishConnection(r: ConnectionReason): string {
  return word(tables.connection as Words<ConnectionReason>, r, utc)
}
