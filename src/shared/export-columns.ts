/**
 * The columns a roster export can carry, in this order unless the desk picks others. A module of
 * its own, without zod, so the window can import the list itself (contract.ts builds its schema
 * from it; importing the contract's values would bundle zod into the renderer, see api.ts).
 */
export const EXPORT_COLUMNS = [
  'session',
  'sessionStart',
  'timeZone',
  'name',
  'email',
  'phone',
  'partySize',
  'bookingStatus',
  'attendance',
  'attendees',
  'day',
  'checkedInAt',
  'checkedOutAt',
  'checkedInBy',
  'walkIn',
  'externalId',
  // Printing: marks entered from a paper sheet, and the badge print log.
  'fromPaper',
  'badgePrinted'
] as const

export type ExportColumnName = (typeof EXPORT_COLUMNS)[number]

/** The languages an export can be written in: the window's languages. */
export const EXPORT_LANGUAGES = ['en', 'de'] as const
export type ExportLanguage = (typeof EXPORT_LANGUAGES)[number]

/**
 * Each column's words, as the column picker shows them and as the exported file's header row
 * says them: one list, so what a person ticks is what the file says, in the window's language.
 * The window's dictionaries take their picker labels from here.
 */
export const EXPORT_COLUMN_LABELS: Record<ExportLanguage, Record<ExportColumnName, string>> = {
  en: {
    session: 'Session',
    sessionStart: 'Session start',
    timeZone: 'Time zone',
    name: 'Name',
    email: 'Email',
    phone: 'Phone',
    partySize: 'Party size',
    bookingStatus: 'Booking status',
    attendance: 'Attendance',
    attendees: 'Attendees',
    day: 'Day',
    checkedInAt: 'Checked in at',
    checkedOutAt: 'Checked out at',
    checkedInBy: 'Checked in by (desk)',
    walkIn: 'Walk-in',
    externalId: 'Booking reference',
    fromPaper: 'From paper',
    badgePrinted: 'Badge printed'
  },
  de: {
    session: 'Termin',
    sessionStart: 'Beginn des Termins',
    timeZone: 'Zeitzone',
    name: 'Name',
    email: 'E-Mail',
    phone: 'Telefon',
    partySize: 'Gruppengröße',
    bookingStatus: 'Buchungsstatus',
    attendance: 'Anwesenheit',
    attendees: 'Anwesende',
    day: 'Tag',
    checkedInAt: 'Eingecheckt um',
    checkedOutAt: 'Ausgecheckt um',
    checkedInBy: 'Eingecheckt von (Empfang)',
    walkIn: 'Spontangast',
    externalId: 'Buchungsnummer',
    fromPaper: 'Von Papierliste',
    badgePrinted: 'Namensschild gedruckt'
  }
}

/** The desk's own words in an export's cells (a mark, a walk-in), in the file's language. */
export const EXPORT_CELL_WORDS: Record<ExportLanguage, { checkedIn: string; noShow: string; yes: string }> = {
  en: { checkedIn: 'Checked in', noShow: 'No-show', yes: 'yes' },
  de: { checkedIn: 'Eingecheckt', noShow: 'Nicht erschienen', yes: 'ja' }
}
