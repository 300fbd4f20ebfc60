/**
 * The shape of the dictionaries' reason tables: one wording per code of a reason union (contract
 * reasons.ts, settings.ts), keyed by the code, taking that code's params. Adding a code to the
 * contract without a wording in en and de does not compile. The English table also words the log
 * (src/main/log/english.ts), so English is written once.
 */
import type { ImportProblem } from '../../../../shared/contract'

/**
 * What a wording needs from whoever shows it: the window gives times in the desk's zone and lists
 * in its language; the log gives UTC times.
 */
export interface Say {
  time(iso: string): string
  list(items: string[]): string
}

export type Words<U extends { reason: string; params: object }> = {
  [R in U['reason']]: (params: Extract<U, { reason: R }>['params'], say: Say) => string
}

/**
 * One reason in words from its table (the table is exhaustive; the cast only joins code and
 * params). A code no table knows (data from a newer desk) is shown as the code itself.
 */
export function word<U extends { reason: string; params: object }>(table: Words<U>, r: U, say: Say): string {
  const wording = table[r.reason as U['reason']] as ((params: object, say: Say) => string) | undefined
  return wording ? wording(r.params, say) : r.reason
}

/** An import line's problems, joined: "name is missing; email … is not an email address". */
export const importProblems = (table: Words<ImportProblem>, problems: ImportProblem[], say: Say): string =>
  problems.map((p) => word(table, p, say)).join('; ')
