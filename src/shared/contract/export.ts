/** Roster export to CSV. */
import { z } from 'zod'
import { EXPORT_COLUMNS, EXPORT_LANGUAGES } from '../export-columns'
import { id, isoDate, timeZone } from './common'

export const ExportFile = z.object({ fileName: z.string(), csv: z.string(), rows: z.number().int() })

export { EXPORT_COLUMNS }
export const ExportColumn = z.enum(EXPORT_COLUMNS)
export type ExportColumn = z.infer<typeof ExportColumn>
const exportColumns = z.array(ExportColumn).min(1, 'choose at least one column').max(EXPORT_COLUMNS.length).optional()
/** The window's language: the file's header row and the desk's words in it are written in it. */
export const ExportLanguage = z.enum(EXPORT_LANGUAGES)
const exportLanguage = ExportLanguage.default('en')
export type ExportFile = z.infer<typeof ExportFile>

export const exportCalls = {
  'export.roster': {
    admin: 'export_roster',
    input: z.union([
      z.object({ sessionId: id, columns: exportColumns, language: exportLanguage }).strict(),
      z.object({ date: isoDate, timeZone, columns: exportColumns, language: exportLanguage }).strict()
    ]),
    output: ExportFile
  }
} as const
