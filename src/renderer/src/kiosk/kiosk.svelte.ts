/**
 * Kiosk mode as this screen sees it. Main keeps the state (it survives reloads and restarts),
 * checks the PIN, counts wrong ones and locks PIN entry; its refusals are shown as they are.
 *
 * In a browser the screen also goes full screen; leaving full screen (Esc) does not leave kiosk
 * mode: a blocking prompt asks for the PIN or offers to go back to full screen. In Electron main
 * makes the window an OS kiosk (no way out but the PIN), so the page does not use full screen.
 */
import type { KioskStatus } from '../../../shared/contract'
import { api } from '../lib/api'

/** What the admin PIN is asked for in kiosk mode. */
export type PinPurpose = 'exit' | 'setup'

/** The Electron window (the preload's bridge): main handles full screen there. */
export const inElectron = typeof window !== 'undefined' && 'rollcall' in window

class Kiosk {
  status = $state<KioskStatus | null>(null)
  /** Whether the page is full screen (browser only). */
  fullscreen = $state(typeof document !== 'undefined' && !!document.fullscreenElement)
  /** Entering kiosk mode, before full screen took effect (not "left full screen"). */
  entering = $state(false)

  get enabled(): boolean {
    return this.status?.enabled ?? false
  }

  get selfService(): boolean {
    return this.status?.selfService ?? false
  }

  /** Kiosk mode in a browser that left full screen: the screen is locked until PIN or full screen. */
  get locked(): boolean {
    return this.enabled && !inElectron && !this.fullscreen && !this.entering
  }

  // Calls answer in any order (the status read when the dialog opened can land after "Enter kiosk
  // mode" did): only the answer to the latest call asked is kept, never an older one over it.
  #asked = 0
  #kept = 0
  async #ask(call: () => Promise<KioskStatus>): Promise<void> {
    const mine = ++this.#asked
    const status = await call()
    if (mine < this.#kept) return
    this.#kept = mine
    this.status = status
  }

  async load(): Promise<void> {
    await this.#ask(() => api['kiosk.status']({}))
  }

  async setPin(currentPin: string | null, newPin: string): Promise<void> {
    await this.#ask(() => api['kiosk.setPin']({ currentPin, newPin }))
  }

  /** Enter kiosk mode (throws main's refusal, e.g. no PIN set), then go full screen. */
  async enter(selfService: boolean): Promise<void> {
    this.entering = true
    try {
      await this.#ask(() => api['kiosk.enter']({ selfService }))
      await this.goFullscreen()
    } finally {
      this.entering = false
    }
  }

  async exit(pin: string): Promise<void> {
    await this.#ask(() => api['kiosk.exit']({ pin }))
    if (!inElectron && document.fullscreenElement) await document.exitFullscreen().catch(() => {})
  }

  /** The PIN for set-up in kiosk mode (main then allows admin calls for a few minutes). */
  async verify(pin: string): Promise<void> {
    await this.#ask(() => api['kiosk.verifyPin']({ pin }))
  }

  async goFullscreen(): Promise<void> {
    if (inElectron || document.fullscreenElement) return
    try {
      await document.documentElement.requestFullscreen({ navigationUI: 'hide' })
    } catch {
      // Refused (no user gesture, e.g. after a reload): the lock prompt offers the button.
    }
  }

  /** Follow the page's full-screen state; returns the function that stops. */
  watch(): () => void {
    const update = (): void => {
      this.fullscreen = !!document.fullscreenElement
    }
    update()
    document.addEventListener('fullscreenchange', update)
    return () => document.removeEventListener('fullscreenchange', update)
  }
}

export const kiosk = new Kiosk()
