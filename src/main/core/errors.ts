import type { CallError } from '../../shared/contract'

/** An error a service throws on purpose: its message is shown to the desk as it is. */
export class DeskError extends Error {
  constructor(
    readonly code: 'not_found' | 'refused' | 'invalid_input',
    message: string,
    readonly issues?: CallError['issues']
  ) {
    super(message)
    this.name = 'DeskError'
  }
}
