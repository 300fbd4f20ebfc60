/** Roster import from CSV (local-only sessions). */
import { z } from 'zod'
import { LIMITS } from './constants'
import { id, isoInstant, timeZone } from './common'
import { ImportProblem } from './reasons'

/** Which CSV column (by header text) feeds which roster field; null = not imported. */
export const ImportMapping = z.object({
  name: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  partySize: z.string().nullable(),
  externalId: z.string().nullable(),
  status: z.string().nullable(),
  sessionTitle: z.string().nullable(),
  sessionStart: z.string().nullable(),
  sessionEnd: z.string().nullable(),
  sessionTimeZone: z.string().nullable(),
  sessionCapacity: z.string().nullable()
})
export type ImportMapping = z.infer<typeof ImportMapping>
export const IMPORT_FIELDS = ImportMapping.keyof().options

export const ImportRequest = z.object({
  csv: z.string().max(LIMITS.csvChars, `the file is larger than ${LIMITS.csvChars / 1024 / 1024} MB`),
  /** Omit to let Rollcall guess from the header row. */
  mapping: ImportMapping.optional(),
  /** Import every row into this session instead of sessions named by columns. */
  targetSessionId: id.optional(),
  /** Zone of session times in the file that carry no offset (the desk's zone by default). */
  timeZone
})
export type ImportRequest = z.infer<typeof ImportRequest>

export const ImportRowError = z.object({
  /** 1-based line number in the file where the record starts. */
  line: z.number().int(),
  problems: z.array(ImportProblem)
})
export type ImportRowError = z.infer<typeof ImportRowError>

export const ImportPreviewRow = z.object({
  line: z.number().int(),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  partySize: z.number().int(),
  session: z.string()
})

export const ImportPreview = z.object({
  headers: z.array(z.string()),
  mapping: ImportMapping,
  totalRows: z.number().int(),
  validRows: z.number().int(),
  sample: z.array(ImportPreviewRow),
  sessions: z.array(z.object({ title: z.string(), startsAt: isoInstant, rows: z.number().int(), exists: z.boolean() })),
  errors: z.array(ImportRowError),
  /** Errors beyond the ones listed. */
  moreErrors: z.number().int()
})
export type ImportPreview = z.infer<typeof ImportPreview>

export const ImportResult = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  sessionsCreated: z.number().int(),
  sessionIds: z.array(id)
})
export type ImportResult = z.infer<typeof ImportResult>

export const importCalls = {
  'import.preview': { admin: 'import_roster', input: ImportRequest.strict(), output: ImportPreview },
  'import.commit': {
    admin: 'import_roster',
    input: ImportRequest.extend({
      /** Without it an import with any bad row changes nothing. */
      skipInvalidRows: z.boolean().default(false)
    }).strict(),
    output: ImportResult
  }
} as const
