/** Kiosk mode and its admin PIN. */
import { z } from 'zod'
import { PIN_PATTERN } from './constants'
import { empty, isoInstant } from './common'

export const KioskStatus = z.object({
  enabled: z.boolean(),
  /** Attendees check themselves in: list hidden until 3 characters, contact details masked. */
  selfService: z.boolean(),
  pinSet: z.boolean(),
  /** After 5 wrong PINs the kiosk refuses every PIN until then. */
  lockedUntil: isoInstant.nullable(),
  attemptsLeft: z.number().int()
})
export type KioskStatus = z.infer<typeof KioskStatus>
const pin = z.string().regex(PIN_PATTERN, 'a PIN is 4 to 12 digits')

export const kioskCalls = {
  'kiosk.status': { input: empty, output: KioskStatus },
  'kiosk.enter': { input: z.object({ selfService: z.boolean() }).strict(), output: KioskStatus },
  'kiosk.exit': { input: z.object({ pin }).strict(), output: KioskStatus },
  /** Opening set-up while in kiosk mode: the PIN is checked (and counted) like leaving. */
  'kiosk.verifyPin': { input: z.object({ pin }).strict(), output: KioskStatus },
  'kiosk.setPin': { admin: 'change_pin', input: z.object({ currentPin: pin.nullable().default(null), newPin: pin }).strict(), output: KioskStatus }
} as const
