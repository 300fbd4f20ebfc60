/**
 * Badge layouts and fields, shared by main (which lays badges out) and the window (which offers
 * them). A module without zod, like export-columns.ts, so the window can import the lists itself.
 */

/** Label and sheet formats of common badge printers: page size in millimetres, badges per page. */
export const BADGE_LAYOUTS = {
  /** Brother QL 62 mm continuous tape, cut at 29 mm (DK-22205 / DK-11209 size). */
  label_62x29: { widthMm: 62, heightMm: 29, across: 1, down: 1 },
  /** Brother QL 62 mm continuous tape, cut at 100 mm (DK-11202 size). */
  label_62x100: { widthMm: 62, heightMm: 100, across: 1, down: 1 },
  /** 4 × 2 in direct-thermal label (Zebra, DYMO 4XL). */
  thermal_4x2: { widthMm: 101.6, heightMm: 50.8, across: 1, down: 1 },
  /** 4 × 6 in direct-thermal label (shipping-label size, common for conference badges). */
  thermal_4x6: { widthMm: 101.6, heightMm: 152.4, across: 1, down: 1 },
  /** A4 sheet of 8 badges (2 × 4, 105 × 74 mm, e.g. Avery L4785-style name-badge sheets). */
  a4_8: { widthMm: 210, heightMm: 297, across: 2, down: 4 }
} as const

export type BadgeLayout = keyof typeof BADGE_LAYOUTS
export const BADGE_LAYOUT_NAMES = ['label_62x29', 'label_62x100', 'thermal_4x2', 'thermal_4x6', 'a4_8'] as const satisfies readonly BadgeLayout[]

/** The one field a badge shows under the name. */
export const BADGE_FIELDS = ['company', 'party_size', 'session', 'none'] as const
export type BadgeField = (typeof BADGE_FIELDS)[number]

/** Size of one badge of a layout (the page for a label; one cell of a sheet). */
export function badgeSize(layout: BadgeLayout): { widthMm: number; heightMm: number } {
  const l = BADGE_LAYOUTS[layout]
  return { widthMm: l.widthMm / l.across, heightMm: l.heightMm / l.down }
}

export const PRINT_LANGUAGES = ['en', 'de'] as const
export type PrintLanguage = (typeof PRINT_LANGUAGES)[number]

/** The words on printed paper (badges, attendance sheets), in the window's language. */
export const PRINT_WORDS: Record<
  PrintLanguage,
  { partyOf: (n: number) => string; sheet: string; howTo: string; printedAt: string; name: string; party: string; arrived: string; code: string; rows: (n: number) => string }
> = {
  en: {
    partyOf: (n) => (n === 1 ? '1 person' : `${n} people`),
    sheet: 'Attendance sheet',
    howTo:
      'How to use this sheet: tick the box and write the time when a person arrives. Afterwards, in Rollcall choose “Enter marks from a sheet” and type or scan each ticked row’s code. Ticked rows with a time were already checked in when the sheet was printed.',
    printedAt: 'Printed',
    name: 'Name',
    party: 'Party',
    arrived: 'Arrived',
    code: 'Code',
    rows: (n) => (n === 1 ? '1 person' : `${n} people`)
  },
  de: {
    partyOf: (n) => (n === 1 ? '1 Person' : `${n} Personen`),
    sheet: 'Anwesenheitsliste',
    howTo:
      'So wird diese Liste benutzt: Kästchen ankreuzen und die Uhrzeit notieren, wenn jemand ankommt. Danach in Rollcall „Markierungen von einer Liste eintragen“ wählen und den Code jeder angekreuzten Zeile eintippen oder scannen. Angekreuzte Zeilen mit Uhrzeit waren beim Drucken schon eingecheckt.',
    printedAt: 'Gedruckt',
    name: 'Name',
    party: 'Gruppe',
    arrived: 'Angekommen',
    code: 'Code',
    rows: (n) => (n === 1 ? '1 Person' : `${n} Personen`)
  }
}
