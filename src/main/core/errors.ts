import type { CallError, DeskReason } from '../../shared/contract'

/**
 * An error a service throws on purpose. `message` is English (logs, tests, and the fallback a
 * window shows); `detail` says the same as a stable code with typed params, which the window words
 * in the desk's language.
 */
export class DeskError extends Error {
  constructor(
    readonly code: 'not_found' | 'refused' | 'invalid_input',
    message: string,
    readonly issues?: CallError['issues'],
    readonly detail?: DeskReason
  ) {
    super(message)
    this.name = 'DeskError'
  }

  /** `DeskError` with its reason: `DeskError.because('refused', { reason: 'pin_wrong', params: … }, 'Wrong PIN…')`. */
  static because(code: DeskError['code'], detail: DeskReason, message: string, issues?: CallError['issues']): DeskError {
    return new DeskError(code, message, issues, detail)
  }
}
