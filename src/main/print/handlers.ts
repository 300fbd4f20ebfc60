/**
 * The contract's `print.*` calls. Kept beside the print service (not in core/index.ts) so the
 * carriers can wrap them: Electron prints the documents itself (electron.ts); the web desk answers
 * `delivered: 'window'` and the browser opens the document and prints it with its own dialog.
 * Which of them a kiosk asks the admin PIN for is declared in the contract (contract/print.ts).
 */
import type { CallName } from '../../shared/contract'
import type { Handlers } from '../ipc/dispatcher'
import type { PrintService } from './service'

export type PrintCall = Extract<CallName, `print.${string}`>
export type PrintHandlers = Pick<Handlers, PrintCall>

export function createPrintHandlers(print: PrintService, onMark: () => void): PrintHandlers {
  return {
    'print.badgeSettings': ({ sessionId }) => print.badgeSettings(sessionId),
    'print.saveBadgeSettings': (input) => print.saveBadgeSettings(input),
    'print.badge': (input) => print.badge(input),
    'print.sheet': (input) => {
      const sheet = print.sheet(input)
      return { ...sheet, document: `/print/sheet/${sheet.sheetId}?lang=${input.language}`, delivered: 'window' as const }
    },
    'print.lastSheet': ({ sessionId }) => ({ sheet: print.lastSheet(sessionId) }),
    'print.paperMark': (input) => {
      const outcome = print.paperMark(input)
      if (outcome.outcome === 'marked') onMark()
      return outcome
    },
    // The web desk has no printers of its own: the browser's dialog picks one each time.
    'print.printer': () => ({ ...print.printer(), printers: [], silentAvailable: false }),
    'print.savePrinter': (input) => ({ ...print.savePrinter(input), printers: [], silentAvailable: false })
  }
}
