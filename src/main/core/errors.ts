import type { CallError, DeskReason } from '../../shared/contract'
import { english } from '../log/english'

/**
 * An error a service throws on purpose: a call's error code and why, as a stable code with typed
 * params (`detail`) that the window words in the desk's language. The Error's `message` is that
 * code in English, from the log's one wording, for the log and developers.
 */
export class DeskError extends Error {
  constructor(
    readonly code: 'not_found' | 'refused' | 'invalid_input',
    readonly detail: DeskReason,
    readonly issues?: CallError['issues']
  ) {
    super(english(detail))
    this.name = 'DeskError'
  }

  /** `DeskError` with its reason: `DeskError.because('refused', { reason: 'pin_wrong', params: { attemptsLeft: 2 } })`. */
  static because(code: DeskError['code'], detail: DeskReason, issues?: CallError['issues']): DeskError {
    return new DeskError(code, detail, issues)
  }
}
