/**
 * The one typed contract between the renderer and main.
 *
 * Every call the renderer can make is listed here with the schema of its input and output. The
 * preload exposes exactly these calls, main registers exactly these handlers, and the web transport
 * serves exactly these routes; a test checks all three stay in step. Inputs are validated in main at
 * the boundary with these schemas (zod: a well-kept library whose schemas double as TS types, so the
 * contract cannot drift from the code that uses it).
 *
 * One file per domain (sessions, roster, attendance, import, export, stats, kiosk, sync, settings,
 * history, print, lan);
 * `constants.ts` holds the zod-free values the window imports too. This module joins them.
 */
import { z } from 'zod'
import { CALL_NAMES, type AdminActionCode } from './constants'
import { DeskReason } from './reasons'
import type { DeskEvent } from './events'
import { sessionCalls } from './sessions'
import { rosterCalls } from './roster'
import { attendanceCalls } from './attendance'
import { importCalls } from './import'
import { exportCalls } from './export'
import { statsCalls } from './stats'
import { kioskCalls } from './kiosk'
import { syncCalls } from './sync'
import { settingsCalls } from './settings'
import { historyCalls } from './history'
import { printCalls } from './print'
import { lanCalls } from './lan'

export * from './constants'
export * from './common'
export * from './reasons'
export * from './sessions'
export * from './roster'
export * from './attendance'
export * from './import'
export * from './export'
export * from './stats'
export * from './kiosk'
export * from './sync'
export * from './settings'
export * from './events'
export * from './history'
export * from './print'
export * from './lan'

/**
 * The calls. Keys are the channel names (IPC channel `rollcall:<key>`, HTTP route
 * `/api/<key>`). Inputs are strict objects: an unknown key is an error, not silently dropped.
 * A call with `admin` needs the admin PIN in kiosk mode; the dispatcher checks it before the
 * handler runs.
 */
export const contract = {
  ...sessionCalls,
  ...rosterCalls,
  ...attendanceCalls,
  ...importCalls,
  ...exportCalls,
  ...statsCalls,
  ...kioskCalls,
  ...syncCalls,
  ...settingsCalls,
  ...historyCalls,
  ...printCalls,
  ...lanCalls
} as const

export type Contract = typeof contract
export type CallName = keyof Contract
export type CallSpec = {
  input: z.ZodType
  output: z.ZodType
  admin?: AdminActionCode
  /** The PIN only for some inputs of the call (the parsed input); absent: always. */
  adminWhen?: (input: never) => boolean
}
/** The call list in constants.ts and the calls here are the same set (the compiler checks both ways). */
type Listed = (typeof CALL_NAMES)[number]
const listedIsContract: [Exclude<Listed, CallName>, Exclude<CallName, Listed>] extends [never, never] ? true : false = true
void listedIsContract
export type CallInput<K extends CallName> = z.input<Contract[K]['input']>
export type ParsedInput<K extends CallName> = z.output<Contract[K]['input']>
export type CallOutput<K extends CallName> = z.output<Contract[K]['output']>
/** What is wrong with one field of invalid input, as a code the window words; `limit`: the maximum for too_long. */
export const FieldProblem = z.enum(['required', 'too_long', 'too_short', 'not_email', 'not_url', 'out_of_range', 'invalid'])
export type FieldProblem = z.infer<typeof FieldProblem>

/**
 * What every call answers on the wire, over IPC and HTTP alike. The window words an error from
 * `code`, `reason`/`params` and each issue's `problem` through its dictionaries; `message` (and an
 * issue's `message`) is English for the log and developer tools only, and never shown to a person.
 */
export type ErrorCode = 'invalid_input' | 'not_found' | 'refused' | 'unknown_call' | 'forbidden' | 'internal'
export const CallError = z
  .object({
    code: z.enum(['invalid_input', 'not_found', 'refused', 'unknown_call', 'forbidden', 'internal']),
    /** For developers and the log (English); the window never shows it. */
    message: z.string(),
    /** Field-level problems for invalid input: the field's path and what is wrong with it. */
    issues: z.array(z.object({ path: z.string(), problem: FieldProblem, limit: z.number().nullable(), message: z.string() })).optional()
  })
  /** A refusal on purpose says why as a code with typed params (absent for input errors and internals). */
  .and(z.union([DeskReason, z.object({ reason: z.undefined().optional(), params: z.undefined().optional() })]))
export type CallError = z.infer<typeof CallError>
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: CallError }

/** The API object the renderer talks to, whatever carries it (preload IPC or HTTP). */
export type RollcallApi = { [K in CallName]: (input: CallInput<K>) => Promise<CallOutput<K>> }

/** The shape the preload puts on `window.rollcall`: each call answers an envelope, never throws. */
export type RollcallBridge = { [K in CallName]: (input: CallInput<K>) => Promise<Envelope<CallOutput<K>>> }

/** The shape the preload puts on `window.rollcallEvents`: what main pushes, as a subscription. */
export type RollcallEvents = { subscribe(listener: (event: DeskEvent) => void): () => void }
