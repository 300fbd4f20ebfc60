/**
 * Main's answers in the desk's language. Main says why it refused or answered what it did as a
 * stable code (`reason`) with typed params and no words; the dictionaries' reason tables (one
 * wording per code, messages/en.ts and de.ts) word it. Text a booking system sent verbatim stays
 * as it is, inside the params.
 */
import type { CallError, ConnectionReason, DeskReason, ImportRowError, ScanReason, SyncProblem, SyncReason, SyncStatus } from '../../../shared/contract'
import { deskTimeZone, formatTime } from './dates'
import { i18n } from './i18n.svelte'
import { importProblems, word, type Say, type Words } from './messages/words'

/** "a, b and c" in the desk's language. */
function listFormat(items: string[]): string {
  try {
    return new Intl.ListFormat(i18n.lang, { style: 'long', type: 'conjunction' }).format(items)
  } catch {
    return items.join(', ')
  }
}

/** Times main sent (a lockout's end) as the desk reads them ("10:01" / "10:01 AM"), lists in its language. */
const say: Say = { time: (iso) => formatTime(iso, deskTimeZone()), list: listFormat }

/** What is wrong with one import line, its problems joined. */
export function describeImportRow(e: ImportRowError): string {
  return importProblems(i18n.t.reasons.importProblem, e.problems, say)
}

/** A refusal from main (a call's error, a refused scan, a scan's answer). */
export function describeReason(r: DeskReason | ScanReason): string {
  const t = i18n.t.reasons
  const table = { ...t.importProblem, ...t.desk, ...t.scan } as Words<DeskReason | ScanReason>
  return word(table, r, say)
}

/** Why sending, downloading or a mark failed, in words. */
export function describeSyncReason(r: SyncReason): string {
  return word(i18n.t.reasons.sync, r, say)
}

/** The sync status's last errors, one sentence each ("Download failed: No connection to Wix."); null when none. */
export function describeSyncErrors(s: SyncStatus): string | null {
  if (s.errors.length === 0) return null
  return s.errors
    .map((e) => {
      const words = describeSyncReason(e)
      return e.stage === 'download' ? i18n.t.sync.downloadFailed(words) : words
    })
    .join(' ')
}

/** What a set-aside mark wanted: "check in 2", "2 einchecken". */
export function describeIntent(p: SyncProblem): string {
  const words: (count: number) => string = i18n.t.sync.intent[p.intent.kind]
  return words(p.intent.attendees)
}

/** One field's problem in words ("required", "at most 100 characters"). */
export function describeIssue(issue: NonNullable<CallError['issues']>[number]): string {
  const words = i18n.t.reasons.field[issue.problem] as ((limit: number) => string) | undefined
  return words ? words(issue.limit ?? 0) : i18n.t.reasons.field.invalid()
}

/** What "Test connection" found, in words. */
export function describeConnection(r: ConnectionReason): string {
  return word(i18n.t.reasons.connection, r, say)
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * A desk as the screen names it: this desk by its own name (from settings), another desk by its
 * name when the booking system keeps one, else its id shortened and labelled ("Desk 3f9a…").
 */
export function deskLabel(deskId: string, thisDesk: { deskId: string; deskName: string } | null): string {
  if (thisDesk && deskId === thisDesk.deskId && thisDesk.deskName) return thisDesk.deskName
  if (UUID.test(deskId) || /^[0-9a-f-]{16,}$/i.test(deskId)) return i18n.t.common.otherDesk(deskId.slice(0, 4))
  return deskId
}
