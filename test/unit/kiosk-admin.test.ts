import { describe, expect, it } from 'vitest'
import { contract, type CallName, type CallSpec } from '../../src/shared/contract'
import { testDesk } from './helpers'

/** Inputs that pass validation for each admin call (the guard runs before the handler). */
const VALID: Partial<Record<CallName, unknown>> = {
  'attendance.noShow': { sessionId: 1, participationId: 1 },
  'sessions.close': { sessionId: 1 },
  'audit.list': {},
  'kiosk.setPin': { currentPin: '2468', newPin: '1357' },
  'import.preview': { csv: 'name\nAnna\n', timeZone: 'Europe/Berlin' },
  'import.commit': { csv: 'name\nAnna\n', timeZone: 'Europe/Berlin' },
  'export.roster': { sessionId: 1 },
  'sync.resolve': { opId: 'x', choice: 'retry' },
  'settings.get': {},
  'settings.save': { provider: 'local' },
  'settings.testConnection': { provider: 'local' },
  'history.noShowsCsv': { sessionId: 1, timeZone: 'Europe/Berlin' },
  'print.saveBadgeSettings': { sessionId: 1, printOnCheckIn: true, layout: 'label_62x29', field: 'none' },
  'print.badge': { sessionId: 1, participationId: 1, again: true },
  'print.sheet': { sessionId: 1 },
  'print.paperMark': { sessionId: 1, code: 'AB12-C' },
  'print.savePrinter': { mode: 'dialog', deviceName: null },
  'lan.share': { on: true },
  'lan.openPairing': {},
  'lan.revoke': { deskId: 'desk-2' },
  'lan.join': { host: '127.0.0.1', port: 4443, code: 'ABCD-EFGH', hubKey: 'ABCD-EFGH-JKMN-PQRS' },
  'lan.leave': {}
}

describe('calls that need the admin PIN in kiosk mode', () => {
  const declared = (Object.entries(contract) as [CallName, CallSpec][]).filter(([, spec]) => spec.admin)

  it('are declared on the call in the contract, and each is refused in kiosk mode without a fresh PIN', async () => {
    expect(declared.map(([name]) => name).sort()).toEqual(Object.keys(VALID).sort())
    const t = testDesk()
    await t.call('kiosk.setPin', { newPin: '2468' })
    await t.call('kiosk.enter', { selfService: false })
    for (const [name, spec] of declared) {
      const error = await t.fail(name, VALID[name])
      expect(error, name).toMatchObject({ code: 'refused', reason: 'admin_pin_needed', params: { action: spec.admin } })
    }
    // A check-in at the kiosk is not an admin action: it reaches its handler (and finds no session).
    expect(await t.fail('attendance.checkIn', { sessionId: 1, participationId: 1, attendees: 1 })).toMatchObject({ reason: 'session_not_found' })
    // A person's first badge is not either; only a second one is the staff's decision.
    expect(await t.fail('print.badge', { sessionId: 1, participationId: 1 })).toMatchObject({ reason: 'session_not_found' })
  })

  it('run once the PIN was given', async () => {
    const t = testDesk()
    await t.call('kiosk.setPin', { newPin: '2468' })
    await t.call('kiosk.enter', { selfService: false })
    await t.call('kiosk.verifyPin', { pin: '2468' })
    expect((await t.call('settings.get', {})).provider).toBe('local')
  })
})
