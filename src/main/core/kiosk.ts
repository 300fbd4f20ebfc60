/**
 * Kiosk mode: the desk in a lobby, full screen, no menus; leaving it or opening set-up needs the
 * admin PIN. Five wrong PINs lock PIN entry for a minute (persisted, so a restart does not reset
 * it). In self-service mode the roster stays hidden until 3 characters are typed and contact details
 * are masked; main enforces both, so no window can show what it should not.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'
import type { AdminAction, KioskStatus } from '../../shared/contract'
import type { KeyValueStore } from '../settings'
import { DeskError } from './errors'

const MAX_ATTEMPTS = 5
const LOCK_MS = 60_000
/** After a correct PIN, set-up stays open this long without asking again. */
const ADMIN_WINDOW_MS = 5 * 60_000

interface KioskState {
  enabled: boolean
  selfService: boolean
  pin: { salt: string; hash: string } | null
  failures: number
  lockedUntil: number | null
}

const DEFAULT: KioskState = { enabled: false, selfService: false, pin: null, failures: 0, lockedUntil: null }

const hashPin = (pin: string, salt: string) => scryptSync(pin, salt, 32).toString('base64')

export function createKiosk(store: KeyValueStore, now: () => number, onChange: (status: KioskStatus) => void = () => {}) {
  let adminUntil = 0
  const read = (): KioskState => ({ ...DEFAULT, ...((store.get('kiosk') as Partial<KioskState> | undefined) ?? {}) })
  const write = (state: KioskState) => store.set('kiosk', state)

  function status(state = read()): KioskStatus {
    const locked = state.lockedUntil !== null && state.lockedUntil > now()
    return {
      enabled: state.enabled,
      selfService: state.enabled && state.selfService,
      pinSet: state.pin !== null,
      lockedUntil: locked ? new Date(state.lockedUntil!).toISOString() : null,
      attemptsLeft: locked ? 0 : MAX_ATTEMPTS - state.failures
    }
  }

  /** Checks a PIN, counting failures; throws a clear refusal when it is wrong or locked. */
  function check(pin: string): KioskState {
    const state = read()
    if (!state.pin) throw DeskError.because('refused', { reason: 'pin_not_set', params: {} })
    if (state.lockedUntil !== null && state.lockedUntil > now()) {
      const seconds = Math.ceil((state.lockedUntil - now()) / 1000)
      const until = new Date(state.lockedUntil).toISOString()
      throw DeskError.because('refused', { reason: 'pin_locked', params: { until, seconds } })
    }
    const ok = timingSafeEqual(Buffer.from(hashPin(pin, state.pin.salt)), Buffer.from(state.pin.hash))
    if (!ok) {
      const failures = state.failures + 1
      const locked = failures >= MAX_ATTEMPTS
      const lockedUntil = locked ? now() + LOCK_MS : null
      write({ ...state, failures: locked ? 0 : failures, lockedUntil })
      if (lockedUntil !== null) {
        const until = new Date(lockedUntil).toISOString()
        throw DeskError.because('refused', { reason: 'pin_wrong_locked', params: { until, seconds: LOCK_MS / 1000 } })
      }
      const attemptsLeft = MAX_ATTEMPTS - failures
      throw DeskError.because('refused', { reason: 'pin_wrong', params: { attemptsLeft } })
    }
    const cleared = { ...state, failures: 0, lockedUntil: null }
    write(cleared)
    return cleared
  }

  return {
    status: () => status(),
    enter(selfService: boolean): KioskStatus {
      const state = read()
      if (!state.pin) throw DeskError.because('refused', { reason: 'pin_set_first', params: {} })
      const next = { ...state, enabled: true, selfService }
      write(next)
      adminUntil = 0
      onChange(status(next))
      return status(next)
    },
    exit(pin: string): KioskStatus {
      const next = { ...check(pin), enabled: false, selfService: false }
      write(next)
      onChange(status(next))
      return status(next)
    },
    verify(pin: string): KioskStatus {
      const state = check(pin)
      adminUntil = now() + ADMIN_WINDOW_MS
      return status(state)
    },
    setPin(currentPin: string | null, newPin: string): KioskStatus {
      let state = read()
      if (state.pin) {
        if (currentPin === null) throw DeskError.because('refused', { reason: 'pin_current_needed', params: {} })
        state = check(currentPin)
      }
      const salt = randomBytes(16).toString('base64')
      const next = { ...state, pin: { salt, hash: hashPin(newPin, salt) } }
      write(next)
      return status(next)
    },
    /** Whether a kiosk screen is in self-service mode (contact details masked, search-first). */
    selfService: () => {
      const s = read()
      return s.enabled && s.selfService
    },
    /**
     * Admin actions (set-up, import, closing a session…) in kiosk mode need a fresh PIN. Called by
     * the dispatcher for every call whose contract entry names an `admin` action.
     */
    requireAdmin(action: AdminAction) {
      if (read().enabled && now() > adminUntil) {
        throw DeskError.because('refused', { reason: 'admin_pin_needed', params: { action } })
      }
    }
  }
}

export type Kiosk = ReturnType<typeof createKiosk>

/** A row as a self-service kiosk may show it: contact details masked. */
export function maskRow<T extends { email: string | null; phone: string | null }>(row: T): T {
  return { ...row, email: row.email && maskEmail(row.email), phone: row.phone && maskPhone(row.phone) }
}

/** "anna.mueller@example.com" → "a•••@e•••.com"; "+49 170 1234567" → "••• ••67". */
export function maskEmail(email: string): string {
  const [user = '', domain = ''] = email.split('@')
  const dot = domain.lastIndexOf('.')
  const host = dot > 0 ? domain.slice(0, dot) : domain
  const tld = dot > 0 ? domain.slice(dot) : ''
  return `${user.slice(0, 1)}•••@${host.slice(0, 1)}•••${tld}`
}

export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '')
  return `••• ••${digits.slice(-2)}`
}
