/**
 * Routes a named call to its handler after validating the payload against the shared contract.
 * Both carriers (Electron IPC and the web transport) go through here, so a payload is checked the
 * same way whichever way it arrives, and a handler never sees unvalidated input.
 */
import { z } from 'zod'
import { contract, type CallName, type CallError, type Envelope, type ParsedInput, type CallOutput } from '../../shared/contract'
import { DeskError } from '../core/errors'

export { DeskError }

export type Handlers = { [K in CallName]: (input: ParsedInput<K>) => CallOutput<K> | Promise<CallOutput<K>> }
/** The handlers of one domain (core/sessions.handlers.ts, sync/handlers.ts, …). */
export type HandlersFor<K extends CallName> = Pick<Handlers, K>


function isCallName(name: string): name is CallName {
  return Object.prototype.hasOwnProperty.call(contract, name)
}

function describeIssues(error: z.ZodError): CallError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
  const first = issues[0]
  const message = first ? (first.path ? `${first.path}: ${first.message}` : first.message) : 'invalid input'
  return { code: 'invalid_input', message, issues }
}

export type Dispatch = (name: string, payload: unknown) => Promise<Envelope<unknown>>

export function createDispatcher(handlers: Handlers, log: (msg: string, err: unknown) => void = console.error): Dispatch {
  return async (name, payload) => {
    if (!isCallName(name)) return { ok: false, error: { code: 'unknown_call', message: `no such call: ${name}` } }
    const parsed = contract[name].input.safeParse(payload)
    if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) }
    try {
      const handler = handlers[name] as (input: unknown) => unknown
      return { ok: true, value: await handler(parsed.data) }
    } catch (err) {
      if (err instanceof DeskError) {
        return { ok: false, error: { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}), ...(err.detail ?? {}) } }
      }
      log(`call ${name} failed`, err)
      return { ok: false, error: { code: 'internal', message: 'Rollcall hit an internal error; nothing was changed. Details are in the log.' } }
    }
  }
}
