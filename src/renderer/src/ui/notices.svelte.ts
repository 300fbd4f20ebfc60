/**
 * What the desk is told: one error banner (role="alert", stays until dismissed or the next success)
 * and one short status toast (announced politely), plus whether the desk service is reachable.
 */
import { describeError, onReachability } from '../lib/api'

export interface ToastAction {
  label: string
  run: () => void
}

export interface Toast {
  id: number
  message: string
  action?: ToastAction
}

const TOAST_MS = 8000

class Notices {
  error = $state<{ id: number; message: string } | null>(null)
  toast = $state<Toast | null>(null)
  reachable = $state(true)
  #seq = 0
  #timer: ReturnType<typeof setTimeout> | undefined

  /** Show a failure: `context` says what was being done ("Could not check in Anna Müller"). */
  fail(context: string, err: unknown): void {
    const detail = describeError(err)
    this.error = { id: ++this.#seq, message: context ? `${context}: ${detail}` : detail }
  }

  dismissError(): void {
    this.error = null
  }

  /** A short success message; it also clears an earlier error, which is no longer the news. */
  say(message: string, action?: ToastAction): void {
    this.error = null
    this.toast = { id: ++this.#seq, message, ...(action ? { action } : {}) }
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.toast = null
    }, TOAST_MS)
  }

  dismissToast(): void {
    clearTimeout(this.#timer)
    this.toast = null
  }
}

export const notices = new Notices()

onReachability((reachable) => {
  if (notices.reachable !== reachable) notices.reachable = reachable
})
