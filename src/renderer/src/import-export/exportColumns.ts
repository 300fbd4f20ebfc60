/**
 * The desk's last choice of export columns, remembered in localStorage so the quick "Export
 * roster CSV" uses it too.
 */
import type { ExportColumn } from '../../../shared/contract'
import { EXPORT_COLUMNS } from '../../../shared/export-columns'

const STORAGE_KEY = 'rollcall.exportColumns'

function isColumn(value: unknown): value is ExportColumn {
  return typeof value === 'string' && (EXPORT_COLUMNS as readonly string[]).includes(value)
}

/** The columns last chosen (in the contract's order), or all of them. */
export function chosenColumns(): ExportColumn[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null')
    if (Array.isArray(stored)) {
      const picked = new Set(stored.filter(isColumn))
      const columns = EXPORT_COLUMNS.filter((c) => picked.has(c))
      if (columns.length > 0) return columns
    }
  } catch {
    // Nothing remembered (or storage disabled): every column.
  }
  return [...EXPORT_COLUMNS]
}

export function rememberColumns(columns: readonly ExportColumn[]): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(columns))
  } catch {
    // Not remembered; this export still uses them.
  }
}
