/**
 * The window's LAN calls (`lan.*`, src/main/lan/handlers.ts) through the dispatcher the app uses,
 * on real desks sharing and joining over loopback TLS: what set-up shows (status, pairing code and
 * its QR code, members) and every refusal as a code the window words, with nothing changed.
 */
import QRCode from 'qrcode'
import { describe, expect, it } from 'vitest'
import { parsePairingUrl } from '../../src/main/lan'
import { joinTarget, qrPath } from '../../src/main/lan/handlers'
import { importStudio, testDesk } from './helpers'

const onLoopback = () => testDesk({ lanDiscovery: null, lanListen: { host: '127.0.0.1', port: 0 }, syncTimerMs: 0 })
type Desk = ReturnType<typeof onLoopback>

async function sharing(): Promise<Desk> {
  const hub = onLoopback()
  await hub.call('lan.share', { on: true })
  return hub
}

const refusal = (error: { reason?: string; params?: unknown }) =>
  ({ reason: error.reason, ...(error.params as object) }) as { reason?: string; refusal?: string; retryAfterSeconds?: number | null; action?: string }

describe('sharing this desk', () => {
  it('is off until turned on; on, set-up shows the address, port and hub key; off again closes the listener', async () => {
    const hub = onLoopback()
    expect(await hub.call('lan.status', {})).toEqual({ role: 'alone', hub: null, member: null })
    // No code while sharing is off.
    const closed = await hub.fail('lan.openPairing', {})
    expect(closed.code).toBe('refused')
    expect(refusal(closed)).toMatchObject({ reason: 'lan_refused', refusal: 'lan_not_sharing' })

    const on = await hub.call('lan.share', { on: true })
    expect(on.role).toBe('hub')
    expect(on.hub).toMatchObject({ sharing: true, addresses: ['127.0.0.1'] })
    expect(on.hub!.port).toBeGreaterThan(0)
    expect(on.hub!.hubKey).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/)

    const pairing = await hub.call('lan.openPairing', {})
    const off = await hub.call('lan.share', { on: false })
    // Sharing off: the desk stands alone again (its members are kept for when it shares again).
    expect(off).toEqual({ role: 'alone', hub: null, member: null })
    // A desk that tries the code now finds nothing listening.
    const member = onLoopback()
    const error = await member.fail('lan.join', { url: pairing.url })
    expect(refusal(error)).toMatchObject({ reason: 'lan_refused', refusal: 'lan_unreachable' })
    expect((await member.call('lan.status', {})).role).toBe('alone')
  })

  it('shows a pairing code to read aloud and a QR code that carries the address, port, code and certificate fingerprint', async () => {
    const hub = await sharing()
    const status = await hub.call('lan.status', {})
    const before = Date.now()
    const pairing = await hub.call('lan.openPairing', {})
    expect(pairing.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/)
    expect(Date.parse(pairing.expiresAt) - before).toBeGreaterThan(4 * 60_000)
    expect(Date.parse(pairing.expiresAt) - before).toBeLessThanOrEqual(5 * 60_000 + 1000)
    expect(pairing).toMatchObject({ port: status.hub!.port, addresses: ['127.0.0.1'], hubKey: status.hub!.hubKey })
    const target = parsePairingUrl(pairing.url)!
    expect(target).toMatchObject({ host: '127.0.0.1', port: status.hub!.port, code: pairing.code.replace('-', '') })
    expect(target.fingerprint).toMatch(/^[0-9a-f]{64}$/)
    // The QR path draws exactly the code's dark modules, inside a quiet zone of 4.
    const modules = QRCode.create(pairing.url, { errorCorrectionLevel: 'M' }).modules
    expect(pairing.qr.size).toBe(modules.size + 8)
    const drawn = [...pairing.qr.path.matchAll(/M(\d+) (\d+)h(\d+)/g)].reduce((sum, m) => sum + Number(m[3]), 0)
    expect(drawn).toBe([...modules.data].filter(Boolean).length)
    // A new code replaces the last one: the first no longer pairs.
    await hub.call('lan.openPairing', {})
    const member = onLoopback()
    const error = await member.fail('lan.join', { url: pairing.url })
    expect(refusal(error).refusal).toMatch(/^lan_(wrong_code|pairing_closed)$/)
  })
})

describe('joining a hub from set-up', () => {
  it('joins with the typed address, code and hub key (any case, spaces, dashes); the hub lists the desk by name; leaving keeps nothing of the hub', async () => {
    const hub = await sharing()
    const pairing = await hub.call('lan.openPairing', {})
    const member = onLoopback()
    const joined = await member.call('lan.join', {
      host: '127.0.0.1',
      port: pairing.port,
      code: ` ${pairing.code.toLowerCase()} `,
      hubKey: pairing.hubKey.toLowerCase().replace(/-/g, ' ')
    })
    expect(joined.role).toBe('member')
    expect(joined.member).toMatchObject({ hubName: hub.desk.context.deskName, address: `127.0.0.1:${pairing.port}`, connected: true, waiting: 0 })
    expect((await member.call('settings.get', {})).provider).toBe('hub')

    const { members } = await hub.call('lan.members', {})
    expect(members).toEqual([expect.objectContaining({ deskId: member.desk.context.deskId, deskName: member.desk.context.deskName, revoked: false, waiting: 0 })])
    expect(Date.parse(members[0]!.pairedAt)).toBeLessThanOrEqual(Date.now())

    const left = await member.call('lan.leave', {})
    expect(left).toEqual({ role: 'alone', hub: null, member: null })
    expect((await member.call('settings.get', {})).provider).toBe('local')
  })

  it('joins with the link a scanner read from the QR code; a revoked desk shows as revoked and is refused', async () => {
    const hub = await sharing()
    const member = onLoopback()
    await member.call('lan.join', { url: (await hub.call('lan.openPairing', {})).url })
    const { members } = await hub.call('lan.revoke', { deskId: member.desk.context.deskId })
    expect(members[0]).toMatchObject({ deskName: member.desk.context.deskName, revoked: true })
    // Revoking what is not there says so.
    const unknown = await hub.fail('lan.revoke', { deskId: 'no-such-desk' })
    expect(refusal(unknown)).toMatchObject({ reason: 'lan_refused', refusal: 'lan_not_found' })
  })

  it('refuses a wrong code with a code the window words, then every code for a while (rate limit, with seconds to wait); nothing changes', async () => {
    const hub = await sharing()
    const pairing = await hub.call('lan.openPairing', {})
    const member = onLoopback()
    const wrong = { host: '127.0.0.1', port: pairing.port, code: pairing.code === 'AAAA-AAAA' ? 'BBBB-BBBB' : 'AAAA-AAAA', hubKey: pairing.hubKey }
    const first = await member.fail('lan.join', wrong)
    expect(first.code).toBe('refused')
    expect(refusal(first)).toEqual({ reason: 'lan_refused', refusal: 'lan_wrong_code', retryAfterSeconds: null })
    let last = first
    for (let i = 0; i < 12 && refusal(last).refusal !== 'lan_rate_limited'; i++) last = await member.fail('lan.join', wrong)
    expect(refusal(last)).toMatchObject({ reason: 'lan_refused', refusal: 'lan_rate_limited' })
    expect(refusal(last).retryAfterSeconds).toBeGreaterThan(0)
    // The right code is refused during the lockout too.
    const right = await member.fail('lan.join', { ...wrong, code: pairing.code })
    expect(refusal(right).refusal).toBe('lan_rate_limited')
    expect((await member.call('lan.status', {})).role).toBe('alone')
    expect((await hub.call('lan.members', {})).members).toEqual([])
  })

  it('refuses a hub key that names another certificate before sending the code', async () => {
    const hub = await sharing()
    const other = await sharing()
    const pairing = await hub.call('lan.openPairing', {})
    const otherKey = (await other.call('lan.status', {})).hub!.hubKey!
    const member = onLoopback()
    const error = await member.fail('lan.join', { host: '127.0.0.1', port: pairing.port, code: pairing.code, hubKey: otherKey })
    expect(refusal(error)).toMatchObject({ reason: 'lan_refused', refusal: 'lan_certificate_mismatch' })
    // The code was never sent: it still pairs.
    expect((await member.call('lan.join', { url: pairing.url })).role).toBe('member')
  })

  it('refuses what is no pairing link, and a hub key of the wrong length on its field', async () => {
    const member = onLoopback()
    const link = await member.fail('lan.join', { url: 'https://example.com/?code=ABCD' })
    expect(refusal(link)).toMatchObject({ reason: 'lan_refused', refusal: 'lan_bad_pairing_link' })
    const key = await member.fail('lan.join', { host: '127.0.0.1', port: 4443, code: 'ABCD-EFGH', hubKey: 'ABCD-EFGH' })
    expect(key.code).toBe('invalid_input')
    expect(key.issues?.map((i) => i.path)).toEqual(['hubKey'])
    const port = await member.fail('lan.join', { host: '127.0.0.1', port: 70000, code: 'ABCD-EFGH', hubKey: 'ABCD-EFGH-JKMN-PQRS' })
    expect(port.code).toBe('invalid_input')
    expect((await member.call('lan.status', {})).role).toBe('alone')
  })

  it('keeps a member from sharing itself and a sharing hub from joining another', async () => {
    const hub = await sharing()
    const member = onLoopback()
    await member.call('lan.join', { url: (await hub.call('lan.openPairing', {})).url })
    expect(refusal(await member.fail('lan.share', { on: true }))).toMatchObject({ refusal: 'lan_is_member' })
    const other = await sharing()
    expect(refusal(await hub.fail('lan.join', { url: (await other.call('lan.openPairing', {})).url }))).toMatchObject({ refusal: 'lan_is_hub' })
  })

  it('asks a kiosk for the admin PIN to share, show a code, revoke, join or leave; looking needs none', async () => {
    const desk = onLoopback()
    await desk.call('kiosk.setPin', { newPin: '2468' })
    await desk.call('kiosk.enter', { selfService: false })
    for (const [name, input] of [
      ['lan.share', { on: true }],
      ['lan.openPairing', {}],
      ['lan.revoke', { deskId: 'x' }],
      ['lan.join', { url: 'rollcall-pair://127.0.0.1:1?v=1&code=ABCDEFGH&fp=' + '0'.repeat(64) }],
      ['lan.leave', {}]
    ] as const) {
      expect(refusal(await desk.fail(name, input)), name).toMatchObject({ reason: 'admin_pin_needed', action: 'change_setup' })
    }
    expect((await desk.call('lan.status', {})).role).toBe('alone')
    expect(await desk.call('lan.members', {})).toEqual({ members: [] })
  })
})

describe('per-desk counts', () => {
  it('counts today’s arrivals by the desk that checked them in, named as the hub paired them; a desk it does not know by id', async () => {
    const hub = await sharing()
    const { yoga } = await importStudio(hub)
    const member = onLoopback()
    await member.call('lan.join', { url: (await hub.call('lan.openPairing', {})).url })
    const page = await hub.call('roster.page', { sessionId: yoga.id, offset: 0, limit: 50 })
    const person = (name: string) => page.rows.find((r) => r.name === name)!.participationId
    await hub.call('attendance.checkIn', { sessionId: yoga.id, participationId: person('Anna Müller'), attendees: 3 })
    const fromMember = (name: string, deskId: string, opId: string) =>
      hub.desk.attendance.fromMember({ opId, deskId, sessionId: yoga.id, participationId: person(name), status: 'ATTENDED', attendees: 1, markedAt: Date.now(), method: 'scan', previous: null, force: false })
    expect(fromMember('José Álvarez', member.desk.context.deskId, 'op-member-1').result).toBe('done')
    const others = page.rows.filter((r) => r.name !== 'Anna Müller' && r.name !== 'José Álvarez')
    expect(hub.desk.attendance.fromMember({ opId: 'op-unknown-1', deskId: 'desk-gone', sessionId: yoga.id, participationId: others[0]!.participationId, status: 'ATTENDED', attendees: 1, markedAt: Date.now(), method: 'manual', previous: null, force: false }).result).toBe('done')

    const { byDesk, counts } = await hub.call('stats.session', { sessionId: yoga.id })
    expect(byDesk).toEqual([
      { deskId: hub.desk.context.deskId, deskName: hub.desk.context.deskName, thisDesk: true, bookings: 1, people: 3 },
      ...[
        { deskId: 'desk-gone', deskName: null, thisDesk: false, bookings: 1, people: 1 },
        { deskId: member.desk.context.deskId, deskName: member.desk.context.deskName, thisDesk: false, bookings: 1, people: 1 }
      ].sort((a, b) => (a.deskName ?? a.deskId).localeCompare(b.deskName ?? b.deskId))
    ])
    // The desks add up to the session's arrivals.
    expect(byDesk.reduce((sum, d) => sum + d.people, 0)).toBe(counts.arrivedPeople)
    // Undone marks leave the count.
    await hub.call('attendance.undo', { sessionId: yoga.id, participationId: person('Anna Müller') })
    expect((await hub.call('stats.session', { sessionId: yoga.id })).byDesk.find((d) => d.thisDesk)).toBeUndefined()
  })
})

describe('the handlers’ own steps', () => {
  it('sends a typed code and hub key as the alphabet’s letters (O→0, I/L→1) and an IPv6 address without brackets', () => {
    expect(joinTarget({ host: '[fe80::1]', port: 4443, code: 'abcd-efgo', hubKey: 'abcd efgh jkmn pqil' })).toEqual({
      host: 'fe80::1',
      port: 4443,
      code: 'ABCDEFG0',
      hubKey: 'ABCDEFGHJKMNPQ11'
    })
  })

  it('draws a QR code as runs of dark modules', () => {
    const { size, path } = qrPath('rollcall-pair://10.0.0.2:4443?v=1&code=ABCDEFGH&fp=' + 'a'.repeat(64))
    expect(size).toBeGreaterThanOrEqual(29 + 8)
    expect(path).toMatch(/^(M\d+ \d+h\d+v1h-\d+z)+$/)
  })
})
