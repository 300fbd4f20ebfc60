/**
 * Wix's two documented error bodies (applicationError / validationError), thrown by handlers and
 * turned into responses by the server.
 */
import type { FieldViolation, WixErrorBody } from './types'

export class WixHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: WixErrorBody | ''
  ) {
    super(body === '' ? `HTTP ${status}` : body.message)
  }
}

export function applicationError(status: number, code: string, message: string, data: Record<string, unknown> = {}) {
  return new WixHttpError(status, { message, details: { applicationError: { code, description: message, data } } })
}

export function validationError(fieldViolations: FieldViolation[]) {
  const message = fieldViolations.map((v) => `${v.field}: ${v.description}`).join('; ')
  return new WixHttpError(400, { message, details: { validationError: { fieldViolations } } })
}

export function violation(field: string, violatedRule: string, description: string, data?: Record<string, unknown>): FieldViolation {
  return data ? { field, description, violatedRule, data } : { field, description, violatedRule }
}

/** Throws one 400 carrying every violation found, the way Wix reports them together. */
export function assertValid(violations: FieldViolation[]): void {
  if (violations.length > 0) throw validationError(violations)
}

export const notFound = (code: string, what: string) => applicationError(404, code, `${what} not found`)
