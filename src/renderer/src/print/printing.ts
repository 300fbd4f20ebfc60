/**
 * Printing from the window: a badge (asking first when one was printed before), an attendance
 * sheet, and the session's badge settings. Main records the print and either printed it already
 * (Electron: `delivered: 'printer'`) or answers a document for this window to print: the web desk
 * loads it in a hidden frame that opens the browser's print dialog by itself.
 */
import type { BadgeSettings, RosterRow } from '../../../shared/contract'
import { api, deskDocumentUrl } from '../lib/api'
import { confirmer } from '../ui/confirm.svelte'
import { deskTimeZone, formatTime } from '../lib/dates'
import { i18n } from '../lib/i18n.svelte'
import { notices } from '../ui/notices.svelte'

/** The frame the last document went to (one at a time: a new print replaces it). */
let frame: HTMLIFrameElement | null = null

/** Loads a document of the web desk in a hidden frame; the document prints itself when loaded. */
export function printInWindow(document: string): void {
  frame?.remove()
  frame = window.document.createElement('iframe')
  frame.title = i18n.t.print.frameTitle
  frame.className = 'print-frame'
  frame.setAttribute('aria-hidden', 'true')
  frame.tabIndex = -1
  frame.style.cssText = 'position:fixed;width:0;height:0;border:0;right:0;bottom:0;visibility:hidden'
  frame.src = deskDocumentUrl(document, true)
  window.document.body.append(frame)
}

/** The badge settings of the sessions opened so far, for "print at check-in" without a round trip. */
const settingsCache = new Map<number, BadgeSettings>()

export async function badgeSettings(sessionId: number): Promise<BadgeSettings> {
  const known = settingsCache.get(sessionId)
  if (known) return known
  const fresh = await api['print.badgeSettings']({ sessionId })
  settingsCache.set(sessionId, fresh)
  return fresh
}

export async function saveBadgeSettings(sessionId: number, settings: BadgeSettings): Promise<BadgeSettings> {
  const saved = await api['print.saveBadgeSettings']({ sessionId, ...settings })
  settingsCache.set(sessionId, saved)
  return saved
}

/**
 * Prints a person's badge. Never throws: a check-in is saved before this runs, and a missing or
 * failing printer is said in a notice, not as a failed check-in.
 */
export async function printBadge(sessionId: number, row: Pick<RosterRow, 'participationId' | 'name'>): Promise<void> {
  const t = i18n.t.print
  try {
    let outcome = await api['print.badge']({ sessionId, participationId: row.participationId, language: i18n.lang })
    if (outcome.outcome === 'ask') {
      const when = formatTime(outcome.previous.at, deskTimeZone())
      const again = await confirmer.ask(t.againTitle, t.againText(outcome.name, when, outcome.previous.deskName), t.againConfirm)
      if (!again) return
      outcome = await api['print.badge']({ sessionId, participationId: row.participationId, again: true, language: i18n.lang })
    }
    if (outcome.outcome !== 'printed') return
    if (outcome.delivered === 'window') {
      printInWindow(outcome.document)
      notices.say(t.badgeOpened(outcome.name))
    } else notices.say(t.badgeSent(outcome.name))
  } catch (err) {
    notices.fail(t.couldNotPrintBadge(row.name), err)
  }
}

/** After a check-in: a badge when the session prints them at check-in (never holds the check-in up). */
export function badgeAfterCheckIn(sessionId: number, row: RosterRow): void {
  void badgeSettings(sessionId)
    .then((s) => (s.printOnCheckIn ? printBadge(sessionId, row) : undefined))
    .catch((err: unknown) => notices.fail(i18n.t.print.couldNotPrintBadge(row.name), err))
}

export async function printSheet(sessionId: number): Promise<void> {
  const t = i18n.t.print
  try {
    const sheet = await api['print.sheet']({ sessionId, language: i18n.lang })
    if (sheet.delivered === 'window') {
      printInWindow(sheet.document)
      notices.say(t.sheetOpened(sheet.rows))
    } else notices.say(t.sheetSent(sheet.rows))
  } catch (err) {
    notices.fail(t.couldNotPrintSheet, err)
  }
}

/** A wall-clock time on a day in a zone ("2026-07-06", "09:42", "Europe/Berlin") as an instant. */
export function zonedInstant(date: string, time: string, timeZone: string): string {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number]
  const [h, mi] = time.split(':').map(Number) as [number, number]
  const wanted = Date.UTC(y, mo - 1, d, h, mi)
  const offsetAt = (ms: number): number => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(ms)
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value)
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute')) - Math.floor(ms / 60_000) * 60_000
  }
  // Twice: the offset at the first guess may differ from the one at the answer (a DST change).
  let at = wanted - offsetAt(wanted)
  at = wanted - offsetAt(at)
  return new Date(at).toISOString()
}
