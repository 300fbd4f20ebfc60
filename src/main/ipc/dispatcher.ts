/**
 * Routes a named call to its handler after validating the payload against the shared contract.
 * Both carriers (Electron IPC and the web transport) go through here, so a payload is checked the
 * same way whichever way it arrives, and a handler never sees unvalidated input.
 */
import { z } from 'zod'
import { contract, FieldProblem, type CallName, type CallError, type Envelope, type ParsedInput, type CallOutput } from '../../shared/contract'
import { DeskError } from '../core/errors'

export { DeskError }

export type Handlers = { [K in CallName]: (input: ParsedInput<K>) => CallOutput<K> | Promise<CallOutput<K>> }
/** The handlers of one domain (core/sessions.handlers.ts, sync/handlers.ts, …). */
export type HandlersFor<K extends CallName> = Pick<Handlers, K>


function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(contract, name)
}

/** The value at an issue's path, to tell a missing field from a wrong one. */
function valueAt(payload: unknown, path: PropertyKey[]): unknown {
  let value = payload
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined
  return value
}

/** A zod issue as a code the window words (zod's English stays in `message`, for developers). */
function problemOf(issue: z.core.$ZodIssue, payload: unknown): { problem: FieldProblem; limit: number | null } {
  const none = { limit: null }
  switch (issue.code) {
    case 'invalid_type':
      return { problem: valueAt(payload, issue.path) === undefined ? 'required' : 'invalid', ...none }
    case 'too_small':
      if (issue.origin === 'string') return { problem: Number(issue.minimum) <= 1 ? 'required' : 'too_short', ...none }
      return { problem: issue.origin === 'number' ? 'out_of_range' : 'invalid', ...none }
    case 'too_big':
      if (issue.origin === 'string') return { problem: 'too_long', limit: Number(issue.maximum) }
      return { problem: issue.origin === 'number' ? 'out_of_range' : 'invalid', ...none }
    case 'invalid_format':
      return { problem: issue.format === 'email' ? 'not_email' : issue.format === 'url' ? 'not_url' : 'invalid', ...none }
    case 'custom': {
      const tagged = (issue.params as { problem?: unknown } | undefined)?.problem
      return { problem: FieldProblem.safeParse(tagged).data ?? 'invalid', ...none }
    }
    default:
      return { problem: 'invalid', ...none }
  }
}

function describeIssues(error: z.ZodError, payload: unknown): CallError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), ...problemOf(i, payload), message: i.message }))
  const first = issues[0]
  const message = first ? (first.path ? `${first.path}: ${first.message}` : first.message) : 'invalid input'
  return { code: 'invalid_input', message, issues }
}

export type Dispatch = (name: string, payload: unknown) => Promise<Envelope<unknown>>

export function createDispatcher(handlers: Handlers, log: (msg: string, err: unknown) => void = console.error): Dispatch {
  return async (name, payload) => {
    if (!isCallName(name)) return { ok: false, error: { code: 'unknown_call', message: `no such call: ${name}` } }
    const parsed = contract[name].input.safeParse(payload)
    if (!parsed.success) return { ok: false, error: describeIssues(parsed.error, payload) }
    try {
      const handler = handlers[name] as (input: unknown) => unknown
      return { ok: true, value: await handler(parsed.data) }
    } catch (err) {
      if (err instanceof DeskError) {
        return { ok: false, error: { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}), ...err.detail } }
      }
      log(`call ${name} failed`, err)
      return { ok: false, error: { code: 'internal', message: 'internal error; see the log' } }
    }
  }
}
