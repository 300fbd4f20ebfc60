/**
 * The columns a roster export can carry (mirrored from the contract's EXPORT_COLUMNS: importing the
 * value would bundle zod, see api.ts; the compiler checks the two lists match), and the desk's last
 * choice, remembered in localStorage so the quick "Export roster CSV" uses it too.
 */
import type { ExportColumn } from '../../../shared/contract'

export const EXPORT_COLUMN_LIST = [
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
  'checkedInAt',
  'checkedInBy',
  'walkIn',
  'externalId'
] as const satisfies readonly ExportColumn[]
type Unlisted = Exclude<ExportColumn, (typeof EXPORT_COLUMN_LIST)[number]>
const everyColumnListed: [Unlisted] extends [never] ? true : Unlisted = true
void everyColumnListed

const STORAGE_KEY = 'rollcall.exportColumns'

function isColumn(value: unknown): value is ExportColumn {
  return typeof value === 'string' && (EXPORT_COLUMN_LIST as readonly string[]).includes(value)
}

/** The columns last chosen (in the contract's order), or all of them. */
export function chosenColumns(): ExportColumn[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null')
    if (Array.isArray(stored)) {
      const picked = new Set(stored.filter(isColumn))
      const columns = EXPORT_COLUMN_LIST.filter((c) => picked.has(c))
      if (columns.length > 0) return columns
    }
  } catch {
    // Nothing remembered (or storage disabled): every column.
  }
  return [...EXPORT_COLUMN_LIST]
}

export function rememberColumns(columns: readonly ExportColumn[]): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(columns))
  } catch {
    // Not remembered; this export still uses them.
  }
}
