/**
 * The member's side: the hub's certificate pinned from the pairing code (QR fingerprint or typed hub
 * key), nothing sent to a desk presenting another certificate, the membership kept across restarts.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls'
import { afterEach, describe, expect, it } from 'vitest'
import {
  LAN_FILE,
  LanRefusal,
  createLanClient,
  createLanStore,
  displayHubKey,
  joinHub,
  leaveHub,
  loadOrCreateHubIdentity,
  memberClient,
  parsePairingUrl
} from '../../src/main/lan'
import { desk, startedHub, tempDir, testSecretBox, testStore } from './lan-fixtures'

async function refusedWith(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    if (err instanceof LanRefusal) return err.code
    throw err
  }
  return 'accepted'
}

const impostors: TlsServer[] = []
afterEach(async () => {
  for (const s of impostors.splice(0)) await new Promise((r) => s.close(r))
})

/** A TLS server with a certificate of its own that records every byte a client sends it. */
async function impostor() {
  const { certPem, keyPem } = await loadOrCreateHubIdentity(testStore())
  const received: Buffer[] = []
  const server = createTlsServer({ key: keyPem, cert: certPem }, (socket) => {
    socket.on('data', (d: Buffer) => received.push(d))
    socket.on('error', () => {})
  })
  impostors.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  return { port, received: () => Buffer.concat(received).toString('utf8') }
}

describe('LAN client: the pinned certificate', () => {
  it('refuses a desk with another certificate (lan_certificate_mismatch) before sending it the code or the credential', async () => {
    const real = await startedHub()
    const fake = await impostor()
    const { code } = real.hub.openPairing()
    const pin = { fingerprint: real.identity.fingerprint }
    expect(await refusedWith(createLanClient({ host: '127.0.0.1', port: fake.port, pin }).pair(code, desk('Desk 2')))).toBe('lan_certificate_mismatch')
    const member = await createLanClient({ host: '127.0.0.1', port: real.port, pin }).pair(code, desk('Desk 2'))
    const client = createLanClient({ host: '127.0.0.1', port: fake.port, pin, credential: member.credential })
    expect(await refusedWith(client.whoami())).toBe('lan_certificate_mismatch')
    await new Promise((r) => setTimeout(r, 50))
    expect(fake.received()).toBe('')
  })

  it('a hub that lost its certificate (new data dir) is refused by its members until they pair again', async () => {
    const first = await startedHub()
    const dataDir = tempDir()
    const memberStore = createLanStore(dataDir, testSecretBox())
    const { code } = first.hub.openPairing()
    await joinHub(memberStore, { host: '127.0.0.1', port: first.port, code, fingerprint: first.identity.fingerprint }, desk('Desk 2'))
    await first.hub.stop()
    const second = await startedHub()
    // The member's stored address now points at the new hub (same machine, same port in real life).
    memberStore.update((f) => {
      f.membership!.port = second.port
    })
    expect(await refusedWith(memberClient(memberStore)!.whoami())).toBe('lan_certificate_mismatch')
  })

  it('pairs with the typed hub key instead of the QR code and then pins the full fingerprint', async () => {
    const hub = await startedHub()
    const open = hub.hub.openPairing()
    expect(open.hubKey).toBe(hub.identity.hubKey)
    const typed = displayHubKey(open.hubKey).toLowerCase()
    const store = testStore()
    const client = await joinHub(store, { host: '127.0.0.1', port: hub.port, code: open.code, hubKey: typed.replace(/-/g, '').toUpperCase() }, desk('Desk 2'))
    expect(store.read().membership?.fingerprint).toBe(hub.identity.fingerprint)
    expect((await client.whoami()).deskName).toBe('Desk 2')

    const other = await startedHub()
    const { code } = other.hub.openPairing()
    const wrongKey = hub.identity.hubKey
    expect(await refusedWith(createLanClient({ host: '127.0.0.1', port: other.port, pin: { hubKey: wrongKey } }).pair(code, desk('Desk 3')))).toBe('lan_certificate_mismatch')
    expect(other.hub.members.list()).toEqual([])
  })

  it('says lan_unreachable when nothing listens, lan_unpaired without asking when it never paired', async () => {
    const hub = await startedHub()
    await hub.hub.stop()
    expect(await refusedWith(createLanClient({ host: '127.0.0.1', port: hub.port, pin: { fingerprint: hub.identity.fingerprint } }).whoami())).toBe('lan_unpaired')
    expect(await refusedWith(createLanClient({ host: '127.0.0.1', port: hub.port, pin: { fingerprint: hub.identity.fingerprint }, credential: 'rcm1.x.y' }).whoami())).toBe('lan_unreachable')
  })
})

describe('LAN client: membership', () => {
  it('joins from the QR payload, keeps the credential encrypted, and works again after a restart', async () => {
    const hub = await startedHub()
    const open = hub.hub.openPairing()
    const target = parsePairingUrl(open.url)!
    const dataDir = tempDir()
    const client = await joinHub(createLanStore(dataDir, testSecretBox()), target, desk('Desk 2'))
    const me = await client.whoami()

    const file = readFileSync(join(dataDir, LAN_FILE), 'utf8')
    const stored = JSON.parse(file).membership
    expect(stored).toMatchObject({ host: '127.0.0.1', port: hub.port, fingerprint: hub.identity.fingerprint, memberId: me.memberId, hubName: 'Entrance A' })
    expect(stored.credentialCipher).toMatch(/^test:/)
    expect(file).not.toContain('rcm1.')

    const restarted = memberClient(createLanStore(dataDir, testSecretBox()))
    expect((await restarted!.whoami()).memberId).toBe(me.memberId)
  })

  it('a credential this machine cannot decrypt, or leaving, means no membership', async () => {
    const hub = await startedHub()
    const dataDir = tempDir()
    await joinHub(createLanStore(dataDir, testSecretBox()), parsePairingUrl(hub.hub.openPairing().url)!, desk('Desk 2'))
    const elsewhere = Object.assign(testSecretBox(), { broken: true })
    expect(memberClient(createLanStore(dataDir, elsewhere))).toBeNull()
    const store = createLanStore(dataDir, testSecretBox())
    leaveHub(store)
    expect(memberClient(store)).toBeNull()
  })

  it('pairs with another hub when the first is gone for good', async () => {
    const first = await startedHub()
    const store = testStore()
    await joinHub(store, parsePairingUrl(first.hub.openPairing().url)!, desk('Desk 2'))
    await first.hub.stop()
    const second = await startedHub({ hubName: 'Entrance B' })
    const client = await joinHub(store, parsePairingUrl(second.hub.openPairing().url)!, desk('Desk 2'))
    expect((await client.whoami()).hubName).toBe('Entrance B')
    expect(store.read().membership?.fingerprint).toBe(second.identity.fingerprint)
  })

  it('a failed pairing leaves the stored membership as it was', async () => {
    const hub = await startedHub()
    const store = testStore()
    await joinHub(store, parsePairingUrl(hub.hub.openPairing().url)!, desk('Desk 2'))
    const before = store.read().membership
    hub.hub.openPairing()
    expect(await refusedWith(joinHub(store, { host: '127.0.0.1', port: hub.port, code: 'WRONGCDE', fingerprint: hub.identity.fingerprint }, desk('Desk 2')))).toBe('lan_wrong_code')
    expect(store.read().membership).toEqual(before)
  })
})
