/**
 * Discovery: what the hub announces (and only while it listens), what a member makes of what it
 * finds. The real multicast round trip runs only with ROLLCALL_MDNS_TEST=1: CI networks often drop
 * multicast, and typing the address is the primary path anyway.
 */
import { Service } from 'bonjour-service'
import { describe, expect, it } from 'vitest'
import { advertRecord, createBonjourDiscovery, hubFromService, type Discovery, type FoundHub, type HubAdvert } from '../../src/main/lan'
import { startedHub } from './lan-fixtures'

/** Discovery in memory: what is announced right now. */
function fakeDiscovery() {
  const live: HubAdvert[] = []
  const discovery: Discovery = {
    advertise(advert) {
      live.push(advert)
      return async () => {
        live.splice(live.indexOf(advert), 1)
      }
    },
    browse: () => () => {},
    destroy: async () => {}
  }
  return { discovery, live }
}

describe('LAN discovery', () => {
  it('announces _rollcall._tcp with the port, the protocol version and the hub id, and nothing secret', () => {
    const record = advertRecord({ name: 'Entrance A', port: 47123, hubId: 'c0ffee' })
    expect(record).toEqual({ name: 'Entrance A', type: 'rollcall', protocol: 'tcp', port: 47123, txt: { v: '1', id: 'c0ffee' } })
    // As DNS records (bonjour-service's own encoding, no socket opened).
    const records = new Service(record, () => {}, () => {}).records()
    expect(records.find((r) => r.type === 'PTR')).toMatchObject({ name: '_rollcall._tcp.local', data: 'Entrance A._rollcall._tcp.local' })
    expect(records.find((r) => r.type === 'SRV')?.data).toMatchObject({ port: 47123 })
    const txt = Buffer.concat(records.find((r) => r.type === 'TXT')?.data as Buffer[]).toString('utf8')
    expect(txt).toContain('v=1')
    expect(txt).toContain('id=c0ffee')
  })

  it('keeps a long desk name within the 63 bytes DNS allows, without cutting a character in half', () => {
    const name = advertRecord({ name: 'Empfang Süd – Halle ÄÖÜ, Eingang für Gäste mit Voranmeldung und Begleitung', port: 1, hubId: 'x' }).name
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63)
    expect(name).not.toContain('\uFFFD')
    expect(Buffer.from(name).toString('utf8')).toBe(name)
  })

  it('the hub announces itself only while sharing is on, and carries no fingerprint or code', async () => {
    const { discovery, live } = fakeDiscovery()
    const setup = await startedHub({ discovery })
    expect(live).toEqual([{ name: 'Entrance A', port: setup.port, hubId: setup.identity.hubId }])
    const open = setup.hub.openPairing()
    expect(JSON.stringify(live)).not.toContain(open.code)
    expect(JSON.stringify(live)).not.toContain(setup.identity.fingerprint)
    await setup.hub.stop()
    expect(live).toEqual([])
    await setup.hub.start({ host: '127.0.0.1', port: 0 })
    expect(live).toHaveLength(1)
  })

  it('a found service becomes a hub (IPv4 addresses first); other services and versions are left out', () => {
    expect(hubFromService({ name: 'Entrance A', port: 47123, addresses: ['fe80::1', '192.168.1.20'], txt: { v: '1', id: 'c0ffee' } })).toEqual({
      name: 'Entrance A',
      hubId: 'c0ffee',
      port: 47123,
      addresses: ['192.168.1.20', 'fe80::1']
    })
    expect(hubFromService({ name: 'Next', port: 1, addresses: [], txt: { v: '2', id: 'c0ffee' } })).toBeNull()
    expect(hubFromService({ name: 'Printer', port: 631, addresses: [], txt: {} })).toBeNull()
  })

  it.runIf(process.env.ROLLCALL_MDNS_TEST === '1')('finds a hub announced on this machine over real multicast', async () => {
    const hub = createBonjourDiscovery()
    const member = createBonjourDiscovery()
    const withdraw = hub.advertise({ name: 'Entrance A', port: 45678, hubId: 'hub-mdns-test' })
    try {
      const found = await new Promise<FoundHub[]>((resolve, reject) => {
        const stop = member.browse((hubs) => {
          if (hubs.some((h) => h.hubId === 'hub-mdns-test')) {
            stop()
            resolve(hubs)
          }
        })
        setTimeout(() => reject(new Error('no hub found in 5 s')), 5000)
      })
      expect(found.find((h) => h.hubId === 'hub-mdns-test')).toMatchObject({ name: 'Entrance A', port: 45678 })
    } finally {
      await withdraw()
      await hub.destroy()
      await member.destroy()
    }
  })
})
