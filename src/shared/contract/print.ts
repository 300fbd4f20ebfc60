/** Printing: badges at check-in, attendance sheets, and paper marks back in. */
import { z } from 'zod'
import { BADGE_FIELDS, BADGE_LAYOUT_NAMES, PRINT_LANGUAGES } from '../print'
import { empty, id, isoInstant } from './common'
import { DeskReason } from './reasons'
import { RosterRow } from './roster'

export const BadgeLayoutName = z.enum(BADGE_LAYOUT_NAMES)
export const BadgeField = z.enum(BADGE_FIELDS)
export const BadgeSettings = z.object({ printOnCheckIn: z.boolean(), layout: BadgeLayoutName, field: BadgeField })
export type BadgeSettings = z.infer<typeof BadgeSettings>
const printLanguage = z.enum(PRINT_LANGUAGES).default('en')
/** How the printed document reaches paper: `printer` (Electron printed it) or `window` (open `document` and print it). */
const delivery = { document: z.string(), delivered: z.enum(['printer', 'window']) }
export const BadgePrintRecord = z.object({ at: isoInstant, deskName: z.string(), layout: BadgeLayoutName })
export type BadgePrintRecord = z.infer<typeof BadgePrintRecord>
export const BadgeOutcome = z.discriminatedUnion('outcome', [
  /** Printed before: the desk asks before a second badge. */
  z.object({ outcome: z.literal('ask'), name: z.string(), previous: BadgePrintRecord }),
  z.object({ outcome: z.literal('printed'), name: z.string(), printId: id, layout: BadgeLayoutName, widthMm: z.number(), heightMm: z.number(), ...delivery })
])
export type BadgeOutcome = z.infer<typeof BadgeOutcome>
export const PrinterSettings = z.object({
  /** silent: straight to `deviceName` (Electron); dialog: the system's print dialog each time. */
  mode: z.enum(['dialog', 'silent']),
  deviceName: z.string().trim().max(200).nullable()
})
export type PrinterSettings = z.infer<typeof PrinterSettings>
export const PaperOutcome = z.object({
  /** marked: a new mark from paper; the rest changed nothing. */
  outcome: z.enum(['marked', 'already', 'typo', 'not_a_code', 'unknown', 'wrong_session', 'refused']),
  /** For `refused`: why (the same refusal the check-in call would have answered). */
  refusal: DeskReason.nullable(),
  /** The code as read (upper case, with its dash). */
  code: z.string(),
  name: z.string().nullable(),
  /** The mark's time: the new one, or when the person had already arrived. */
  markedAt: isoInstant.nullable(),
  otherSession: z.object({ title: z.string(), startsAt: isoInstant, timeZone: z.string() }).nullable(),
  row: RosterRow.nullable()
})
export type PaperOutcome = z.infer<typeof PaperOutcome>
export const SheetRecord = z.object({ sheetId: id, printedAt: isoInstant, rows: z.number().int() })
export type SheetRecord = z.infer<typeof SheetRecord>
const PrinterView = PrinterSettings.extend({ printers: z.array(z.string()), silentAvailable: z.boolean() })

export const printCalls = {
  'print.badgeSettings': { input: z.object({ sessionId: id }).strict(), output: BadgeSettings },
  'print.saveBadgeSettings': { admin: 'change_setup', input: BadgeSettings.extend({ sessionId: id }).strict(), output: BadgeSettings },
  /**
   * A badge for one person; `again` after the desk was asked about an earlier one. A kiosk prints
   * each person's first badge; a second one is the staff's decision (the PIN only then).
   */
  'print.badge': {
    admin: 'reprint_badge',
    adminWhen: (input: { again: boolean }) => input.again,
    input: z.object({ sessionId: id, participationId: id, again: z.boolean().default(false), language: printLanguage }).strict(),
    output: BadgeOutcome
  },
  'print.sheet': { admin: 'print_sheet', input: z.object({ sessionId: id, language: printLanguage }).strict(), output: SheetRecord.extend(delivery) },
  'print.lastSheet': { input: z.object({ sessionId: id }).strict(), output: z.object({ sheet: SheetRecord.nullable() }) },
  /** One row code from a paper sheet; `writtenAt` null: the time the sheet was printed. */
  'print.paperMark': {
    admin: 'enter_paper_marks',
    input: z.object({ sessionId: id, code: z.string().trim().min(1, 'type a code').max(40), writtenAt: isoInstant.nullable().default(null) }).strict(),
    output: PaperOutcome
  },
  'print.printer': { input: empty, output: PrinterView },
  'print.savePrinter': { admin: 'change_setup', input: PrinterSettings.strict(), output: PrinterView }
} as const
