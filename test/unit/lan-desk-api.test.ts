/**
 * LAN sharing as the window drives it (desk.lanDesk, issue 18): three desks on one machine, each
 * with its own data dir, on loopback. What a person at the desk does — share, show a code, join
 * with it (or type it wrong), revoke, leave, restart — and what each desk then says.
 */
import { describe, expect, it } from 'vitest'
import { LanRefusal, SOURCE_MAX_WRONG } from '../../src/main/lan'
import { importStudio, testDesk, waitFor } from './helpers'
import { OTHER_APP_ID } from '../fakes/wix'
import { connectionTo, fakeWix, FAST_SYNC, pullDay, pullSession, rosterOf } from './sync-helpers'

const LOOPBACK = { host: '127.0.0.1', port: 0 }
const desk = (deskName: string, dataDir?: string) => testDesk({ ...FAST_SYNC, lanDiscovery: null, lanListen: LOOPBACK, deskName, ...(dataDir ? { dataDir } : {}) })

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    if (err instanceof LanRefusal) return err.code
    throw err
  }
  throw new Error('expected a refusal')
}

async function sharingHub() {
  const hub = desk('Entrance')
  await importStudio(hub)
  const status = await hub.desk.lanDesk.startSharing()
  return { hub, status }
}

describe('sharing a desk', () => {
  it('is off until turned on, shows a code and a QR payload, and is really off again when turned off', async () => {
    const hub = desk('Entrance')
    expect(hub.desk.lanDesk.status()).toEqual({ role: 'alone', hub: null, member: null })
    expect(await refusal(Promise.resolve().then(() => hub.desk.lanDesk.openPairing()))).toBe('lan_not_sharing')

    // Asked twice at once (the desk resuming at open, a click): one listener, one certificate.
    const [on, twice] = await Promise.all([hub.desk.lanDesk.startSharing(), hub.desk.lanDesk.startSharing()])
    expect(twice).toEqual(on)
    expect(on).toMatchObject({ role: 'hub', hub: { sharing: true, hubName: 'Entrance', addresses: ['127.0.0.1'], port: expect.any(Number), hubKey: expect.stringMatching(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/) } })
    const pairing = hub.desk.lanDesk.openPairing()
    expect(pairing).toMatchObject({ code: expect.stringMatching(/^[0-9A-Z]{8}$/), addresses: ['127.0.0.1'], port: on.hub!.port, hubKey: on.hub!.hubKey })
    expect(pairing.url).toMatch(new RegExp(`^rollcall-pair://127\\.0\\.0\\.1:${on.hub!.port}\\?`))
    expect(pairing.expiresAt).toBeGreaterThan(Date.now())

    const member = desk('Desk 2')
    const off = await hub.desk.lanDesk.stopSharing()
    expect(off.hub?.sharing ?? false).toBe(false)
    // Nothing listens any more: joining with the code it showed finds nobody.
    expect(await refusal(member.desk.lanDesk.join({ url: pairing.url }))).toBe('lan_unreachable')
  })

  it('pairs a desk with the QR payload; the hub lists it by name; a revoked desk is cut off at once', async () => {
    const { hub } = await sharingHub()
    const member = desk('Desk 2')
    const joined = await member.desk.lanDesk.join({ url: hub.desk.lanDesk.openPairing().url })
    expect(joined).toMatchObject({ role: 'member', member: { hubName: 'Entrance', address: expect.stringMatching(/^127\.0\.0\.1:\d+$/), connected: true, waiting: 0 } })
    expect((await member.call('settings.get', {})).provider).toBe('hub')
    await waitFor(async () => hub.desk.lanDesk.members()[0]?.lastSeenAt !== null, 5_000, 'the hub to hear from Desk 2')
    expect(hub.desk.lanDesk.members()).toEqual([{ deskId: member.desk.context.deskId, deskName: 'Desk 2', pairedAt: expect.any(Number), lastSeenAt: expect.any(Number), waiting: 0, revoked: false }])

    // One desk cannot be both: a member does not share, a hub does not join.
    expect(await refusal(member.desk.lanDesk.startSharing())).toBe('lan_is_member')
    expect(await refusal(hub.desk.lanDesk.join({ url: hub.desk.lanDesk.openPairing().url }))).toBe('lan_is_hub')

    let told = 0
    member.desk.lanDesk.onChange(() => told++)
    hub.desk.lanDesk.revoke(member.desk.context.deskId)
    expect(hub.desk.lanDesk.members()[0]).toMatchObject({ revoked: true })
    await waitFor(async () => member.desk.lanDesk.status().member?.connected === false, 5_000, 'Desk 2 to be cut off')
    expect(told).toBeGreaterThan(0)
    expect(await refusal(Promise.resolve().then(() => hub.desk.lanDesk.revoke('no-such-desk')))).toBe('lan_not_found')
  })

  it('a desk with marks its booking system has not taken yet cannot join a hub until they are out: a member sends only to its hub', async () => {
    const { hub } = await sharingHub()
    const fake = await fakeWix()
    const event = fake.addEvent({ title: 'Spin', type: 'CLASS', appId: OTHER_APP_ID, start: '2026-07-06T09:00:00', end: '2026-07-06T10:00:00', timeZone: 'Europe/Berlin', totalCapacity: 20 })
    fake.addParticipation({ eventId: event.id, participant: { name: 'Wanda Walker' }, partySize: 1 })
    const own = desk('Desk 2')
    await own.call('settings.save', connectionTo(fake))
    const spin = (await pullDay(own)).find((s) => s.title === 'Spin')!
    await pullSession(own, spin.id)
    const [wanda] = await rosterOf(own, spin.id, 'Wanda')
    await fake.down()
    await own.call('attendance.checkIn', { sessionId: spin.id, participationId: wanda!.participationId, attendees: 1, allowOverParty: false, method: 'manual' })
    await waitFor(async () => (await own.call('sync.status', {})).pending > 0, 5_000, 'a mark waiting for Wix')

    expect(await refusal(own.desk.lanDesk.join({ url: hub.desk.lanDesk.openPairing().url }))).toBe('lan_unsent_elsewhere')
    expect(own.desk.lanDesk.status().role).toBe('alone')
    expect((await own.call('settings.get', {})).provider).toBe('wix')
    expect(hub.desk.lanDesk.members()).toEqual([])

    await fake.up()
    await own.call('sync.now', {})
    await waitFor(async () => (await own.call('sync.status', {})).pending === 0, 10_000, 'the marks to reach Wix')
    expect((await own.desk.lanDesk.join({ url: hub.desk.lanDesk.openPairing().url })).role).toBe('member')
    // Set-up cannot take a member off its hub behind the LAN's back (leaving is the way), nor make
    // a desk that joined no hub a member.
    const answer = await own.dispatch('settings.save', connectionTo(fake))
    expect(answer.ok ? null : answer.error).toMatchObject({ reason: 'lan_refused', params: { refusal: 'lan_is_member' } })
    expect((await own.call('settings.get', {})).provider).toBe('hub')
    await own.desk.lanDesk.leave()
    const alone = await own.dispatch('settings.save', { provider: 'hub' })
    expect(alone.ok ? null : alone.error).toMatchObject({ reason: 'lan_refused', params: { refusal: 'lan_unpaired' } })
    expect((await own.call('settings.get', {})).provider).toBe('local')
  })

  it('a wrong code is refused, then the address is locked out (the right code too); a typed hub key of another hub is a certificate mismatch', async () => {
    const { hub, status } = await sharingHub()
    const other = desk('Elsewhere')
    const otherKey = (await other.desk.lanDesk.startSharing()).hub!.hubKey!
    const member = desk('Desk 2')
    const right = hub.desk.lanDesk.openPairing()
    const typed = { host: '127.0.0.1', port: status.hub!.port!, hubKey: status.hub!.hubKey! }

    // The hub key of another desk: the certificate does not match, nothing is sent to the hub.
    expect(await refusal(member.desk.lanDesk.join({ ...typed, code: right.code, hubKey: otherKey }))).toBe('lan_certificate_mismatch')
    for (let i = 0; i < SOURCE_MAX_WRONG; i++) expect(await refusal(member.desk.lanDesk.join({ ...typed, code: 'WRONG-CODE' }))).toBe('lan_wrong_code')
    expect(await refusal(member.desk.lanDesk.join({ ...typed, code: right.code }))).toBe('lan_rate_limited')
    expect(member.desk.lanDesk.status().role).toBe('alone')
    expect(hub.desk.lanDesk.members()).toEqual([])
    expect(await refusal(member.desk.lanDesk.join({ url: 'https://example.com/not-a-pairing-code' }))).toBe('lan_invalid_request')
  })

  it('leaving keeps the unsent marks; pairing again sends them; a restart resumes sharing and the link', async () => {
    const { hub } = await sharingHub()
    const member = desk('Desk 2')
    await member.desk.lanDesk.join({ url: hub.desk.lanDesk.openPairing().url })
    expect(hub.desk.lanDesk.members().filter((m) => !m.revoked)).toHaveLength(1)

    const yoga = (await pullDay(member)).find((s) => s.title === 'Morning Yoga')!
    await pullSession(member, yoga.id)
    const [anna] = await rosterOf(member, yoga.id, 'Anna')

    // The hub goes away (its desk closes while sharing); Desk 2 checks Anna in, keeps the mark and leaves.
    const port = hub.desk.lanDesk.status().hub!.port
    hub.desk.close()
    await waitFor(async () => member.desk.lanDesk.status().member?.connected === false, 5_000, 'Desk 2 to see the hub gone')
    await member.call('attendance.checkIn', { sessionId: yoga.id, participationId: anna!.participationId, attendees: 1, allowOverParty: true, method: 'scan' })
    const left = await member.desk.lanDesk.leave()
    expect(left).toEqual({ role: 'alone', hub: null, member: null })
    expect((await member.call('sync.status', {})).pending).toBe(1)

    // A restarted hub shares again by itself, on the same port; the same desk pairs again (it
    // proves it is the same desk with the credential it kept) and its waiting mark goes there.
    const again = desk('Entrance', hub.dataDir)
    await waitFor(async () => again.desk.lanDesk.status().hub?.sharing === true, 5_000, 'sharing to resume')
    expect(again.desk.lanDesk.status().hub!.port).toBe(port)
    const rejoined = await member.desk.lanDesk.join({ url: again.desk.lanDesk.openPairing().url })
    expect(rejoined.role).toBe('member')
    // One row per desk: the pairing it left is not listed beside the new one (the window keys rows by desk).
    expect(again.desk.lanDesk.members().map((m) => [m.deskName, m.revoked])).toEqual([['Desk 2', false]])
    await waitFor(async () => (await member.call('sync.status', {})).pending === 0, 8_000, 'the waiting mark to reach the hub')
    const atHub = again.desk.db.$client.prepare(`SELECT a.desk_id FROM attendance a JOIN participations p ON p.id = a.participation_id WHERE p.name = 'Anna Müller'`).pluck().get()
    expect(atHub).toBe(member.desk.context.deskId)

    // A member restarted is linked again as soon as it opens.
    member.desk.close()
    const reopened = desk('Desk 2', member.dataDir)
    await waitFor(async () => reopened.desk.lanDesk.status().member?.connected === true, 5_000, 'the member link to resume')
  })
})
