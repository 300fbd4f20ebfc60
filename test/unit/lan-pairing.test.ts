/** The pairing code on its own: format, single use, expiry, the guessing limits; and the QR payload. */
import QRCode from 'qrcode'
import jsQR from 'jsqr'
import { describe, expect, it } from 'vitest'
import {
  CODE_LENGTH,
  CODE_TTL_MS,
  CROCKFORD,
  GLOBAL_MAX_WRONG,
  LOCKOUT_MS,
  LanRefusal,
  SOURCE_MAX_WRONG,
  createPairingDesk,
  normalizeTyped,
  pairingUrl,
  parsePairingUrl
} from '../../src/main/lan'
import { testClock } from './lan-fixtures'

const refusal = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    if (err instanceof LanRefusal) return err.code
    throw err
  }
  return 'accepted'
}

/** A code of the right shape that is not `code`. */
const other = (code: string) => (code[0] === 'A' ? 'B' : 'A') + code.slice(1)

describe('pairing code', () => {
  it('is 8 characters of the unambiguous alphabet, different each time', () => {
    const desk = createPairingDesk()
    const codes = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const { code } = desk.issue()
      expect(code).toHaveLength(CODE_LENGTH)
      for (const ch of code) expect(CROCKFORD).toContain(ch)
      expect(code).not.toMatch(/[ILOU]/)
      codes.add(code)
    }
    expect(codes.size).toBe(200)
  })

  it('is accepted as a person types it (case, dashes, spaces, O for 0, I or L for 1)', () => {
    expect(normalizeTyped(' 7k3m-9qxa ')).toBe('7K3M9QXA')
    expect(normalizeTyped('o1lI')).toBe('0111')
    const desk = createPairingDesk()
    const { code } = desk.issue()
    const typed = `${code.slice(0, 4).toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l')} - ${code.slice(4)}`
    expect(desk.redeem(typed, '10.0.0.2', () => 'paired')).toBe('paired')
  })

  it('works once: the same code again is refused', () => {
    const desk = createPairingDesk()
    const { code } = desk.issue()
    expect(desk.redeem(code, '10.0.0.2', () => 'first')).toBe('first')
    expect(refusal(() => desk.redeem(code, '10.0.0.3', () => 'second'))).toBe('lan_pairing_closed')
    expect(desk.status().code).toBeNull()
  })

  it('expires after five minutes', () => {
    const clock = testClock()
    const desk = createPairingDesk({ now: clock.now })
    const { code, expiresAt } = desk.issue()
    expect(expiresAt - clock.now()).toBe(CODE_TTL_MS)
    clock.advance(CODE_TTL_MS - 1)
    expect(desk.status().code?.code).toBe(code)
    clock.advance(1)
    expect(refusal(() => desk.redeem(code, '10.0.0.2', () => 'late'))).toBe('lan_code_expired')
    expect(desk.status().code).toBeNull()
  })

  it('a new code replaces the old one', () => {
    const desk = createPairingDesk()
    const first = desk.issue().code
    const second = desk.issue().code
    expect(refusal(() => desk.redeem(first, '10.0.0.2', () => 'old'))).toBe('lan_wrong_code')
    expect(desk.redeem(second, '10.0.0.2', () => 'new')).toBe('new')
  })

  it('locks an address out after too many wrong codes, even for the right one, then lets it try again', () => {
    const clock = testClock()
    const desk = createPairingDesk({ now: clock.now })
    const { code } = desk.issue()
    for (let i = 0; i < SOURCE_MAX_WRONG; i++) expect(refusal(() => desk.redeem(other(code), '10.0.0.66', () => 'x'))).toBe('lan_wrong_code')
    expect(refusal(() => desk.redeem(code, '10.0.0.66', () => 'x'))).toBe('lan_rate_limited')
    clock.advance(LOCKOUT_MS - 1)
    expect(refusal(() => desk.redeem(code, '10.0.0.66', () => 'x'))).toBe('lan_rate_limited')
    clock.advance(1)
    expect(desk.redeem(code, '10.0.0.66', () => 'in')).toBe('in')
  })

  it('the lockout of one address does not hold up another', () => {
    const desk = createPairingDesk()
    const { code } = desk.issue()
    for (let i = 0; i < SOURCE_MAX_WRONG; i++) refusal(() => desk.redeem(other(code), '10.0.0.66', () => 'x'))
    expect(desk.redeem(code, '10.0.0.7', () => 'in')).toBe('in')
  })

  it('locks pairing for everyone after too many wrong codes from many addresses', () => {
    const clock = testClock()
    const desk = createPairingDesk({ now: clock.now })
    const { code } = desk.issue()
    for (let i = 0; i < GLOBAL_MAX_WRONG; i++) expect(refusal(() => desk.redeem(other(code), `10.0.1.${i}`, () => 'x'))).toBe('lan_wrong_code')
    expect(desk.status().lockedUntil).toBe(clock.now() + LOCKOUT_MS)
    const locked = (() => {
      try {
        desk.redeem(code, '10.0.0.7', () => 'x')
      } catch (err) {
        return err as LanRefusal
      }
      return null
    })()
    expect(locked?.code).toBe('lan_rate_limited')
    expect(locked?.retryAfterMs).toBe(LOCKOUT_MS)
    clock.advance(LOCKOUT_MS)
    expect(desk.redeem(code, '10.0.0.7', () => 'in')).toBe('in')
  })

  it('someone guessing from many addresses cannot keep pairing shut: a new code at the hub lifts the lock for everyone', () => {
    const clock = testClock()
    const desk = createPairingDesk({ now: clock.now })
    const { code } = desk.issue()
    for (let i = 0; i < GLOBAL_MAX_WRONG; i++) refusal(() => desk.redeem(other(code), `10.0.1.${i}`, () => 'x'))
    expect(refusal(() => desk.redeem(code, '10.0.0.7', () => 'x'))).toBe('lan_rate_limited')
    // The guesser cannot see the new code; the desk at the hub reads it off the screen.
    const fresh = desk.issue()
    expect(desk.status().lockedUntil).toBeNull()
    expect(desk.redeem(fresh.code, '10.0.0.7', () => 'in')).toBe('in')
    // An address that guessed too often itself stays locked out.
    const guessed = desk.issue()
    for (let i = 0; i < SOURCE_MAX_WRONG; i++) expect(refusal(() => desk.redeem(other(guessed.code), '10.0.9.9', () => 'x'))).toBe('lan_wrong_code')
    const next = desk.issue()
    expect(refusal(() => desk.redeem(next.code, '10.0.9.9', () => 'x'))).toBe('lan_rate_limited')
  })

  it('a failing pairing does not spend the code', () => {
    const desk = createPairingDesk()
    const { code } = desk.issue()
    expect(() =>
      desk.redeem(code, '10.0.0.2', () => {
        throw new Error('disk full')
      })
    ).toThrow('disk full')
    expect(desk.redeem(code, '10.0.0.2', () => 'in')).toBe('in')
  })

  it('without an open code every attempt is refused', () => {
    const desk = createPairingDesk()
    expect(refusal(() => desk.redeem('AAAAAAAA', '10.0.0.2', () => 'x'))).toBe('lan_pairing_closed')
    const { code } = desk.issue()
    desk.close()
    expect(refusal(() => desk.redeem(code, '10.0.0.2', () => 'x'))).toBe('lan_pairing_closed')
  })
})

describe('pairing payload (QR)', () => {
  const fingerprint = 'ab'.repeat(32)

  it('carries address, port, code and fingerprint, and reads back', () => {
    const url = pairingUrl({ host: '192.168.1.20', port: 47123, code: '7k3m-9qxa', fingerprint })
    expect(url).toBe(`rollcall-pair://192.168.1.20:47123?v=1&code=7K3M9QXA&fp=${fingerprint}`)
    expect(parsePairingUrl(url)).toEqual({ host: '192.168.1.20', port: 47123, code: '7K3M9QXA', fingerprint })
    expect(parsePairingUrl(pairingUrl({ host: 'fe80::1', port: 5000, code: 'AAAA', fingerprint }))?.host).toBe('fe80::1')
  })

  it('anything else is not a pairing payload', () => {
    for (const text of ['https://example.com', 'rollcall-pair://h:1?v=1&code=A', `rollcall-pair://h:1?v=2&code=A&fp=${fingerprint}`, `rollcall-pair://h?v=1&code=A&fp=${fingerprint}`, 'not a url'])
      expect(parsePairingUrl(text)).toBeNull()
  })

  it('survives a QR code: what a camera reads is what the hub wrote', async () => {
    const url = pairingUrl({ host: '192.168.1.20', port: 47123, code: '7K3M9QXA', fingerprint })
    const qr = QRCode.create(url, { errorCorrectionLevel: 'M' })
    const scale = 4
    const side = (qr.modules.size + 8) * scale
    const pixels = new Uint8ClampedArray(side * side * 4).fill(255)
    for (let y = 0; y < qr.modules.size; y++)
      for (let x = 0; x < qr.modules.size; x++)
        if (qr.modules.data[y * qr.modules.size + x])
          for (let dy = 0; dy < scale; dy++)
            for (let dx = 0; dx < scale; dx++) {
              const i = (((y + 4) * scale + dy) * side + (x + 4) * scale + dx) * 4
              pixels[i] = pixels[i + 1] = pixels[i + 2] = 0
            }
    expect(jsQR(pixels, side, side)?.data).toBe(url)
  })
})
