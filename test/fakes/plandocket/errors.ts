/**
 * Plandocket's documented error bodies: 422 `{"error":"Validation failed","errors":{field:[msg]}}`,
 * everything else `{"error":"<message>"}`. Thrown by handlers, turned into answers by the server.
 */

export type ErrorBody = { error: string; errors?: Record<string, string[]> }

export class PlandocketHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody
  ) {
    super(`${status} ${body.error}`)
  }
}

export const httpError = (status: number, error: string) => new PlandocketHttpError(status, { error })
export const notFound = () => httpError(404, 'Resource not found')
export const unauthenticated = () => httpError(401, 'Unauthenticated')
export const forbidden = () => httpError(403, 'Forbidden')

/** "event_key" → "event key", as Laravel words its messages. */
export const words = (field: string) => field.replace(/_/g, ' ')

/** Collects field errors and throws them together as one 422. */
export class Problems {
  readonly errors: Record<string, string[]> = {}

  add(field: string, message: string): void {
    ;(this.errors[field] ??= []).push(message)
  }
  required(field: string): void {
    this.add(field, `The ${words(field)} field is required.`)
  }
  invalid(field: string): void {
    this.add(field, `The selected ${words(field)} is invalid.`)
  }
  get any(): boolean {
    return Object.keys(this.errors).length > 0
  }
  throwIfAny(): void {
    if (this.any) throw validationFailed(this.errors)
  }
}

export const validationFailed = (errors: Record<string, string[]>) => new PlandocketHttpError(422, { error: 'Validation failed', errors })
