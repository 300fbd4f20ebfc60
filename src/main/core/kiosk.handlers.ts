/** What main does for kiosk mode: its status, entering and leaving it, the admin PIN. */
import type { HandlersFor } from '../ipc/dispatcher'
import type { DeskParts } from './parts'

export function kioskHandlers({ kiosk }: DeskParts): HandlersFor<'kiosk.status' | 'kiosk.enter' | 'kiosk.exit' | 'kiosk.verifyPin' | 'kiosk.setPin'> {
  return {
    'kiosk.status': () => kiosk.status(),
    'kiosk.enter': ({ selfService }) => kiosk.enter(selfService),
    'kiosk.exit': ({ pin }) => kiosk.exit(pin),
    'kiosk.verifyPin': ({ pin }) => kiosk.verify(pin),
    'kiosk.setPin': ({ currentPin, newPin }) => kiosk.setPin(currentPin, newPin)
  }
}
