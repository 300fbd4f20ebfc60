/** The hub's certificate: made once, kept across restarts, its key never on disk in the clear. */
import { X509Certificate, createHash, createPrivateKey, createPublicKey } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LAN_FILE, createLanStore, displayHubKey, hubKeyOf, loadOrCreateHubIdentity } from '../../src/main/lan'
import { tempDir, testSecretBox } from './lan-fixtures'

describe('hub identity', () => {
  it('is a self-signed P-256 certificate whose fingerprint is the SHA-256 of its DER', async () => {
    const store = createLanStore(tempDir(), testSecretBox())
    const id = await loadOrCreateHubIdentity(store)
    const cert = new X509Certificate(id.certPem)
    expect(cert.verify(cert.publicKey)).toBe(true)
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    expect(id.fingerprint).toBe(createHash('sha256').update(cert.raw).digest('hex'))
    // The key is the certificate's key.
    expect(createPublicKey(createPrivateKey(id.keyPem)).export({ format: 'jwk' })).toEqual(cert.publicKey.export({ format: 'jwk' }))
    expect(id.hubKey).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/)
    expect(id.hubKey).toBe(hubKeyOf(id.fingerprint))
    expect(displayHubKey(id.hubKey)).toMatch(/^(\w{4}-){3}\w{4}$/)
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 9 * 365 * 24 * 3600_000)
  })

  it('is made once and kept: a restarted desk presents the same certificate', async () => {
    const dir = tempDir()
    const first = await loadOrCreateHubIdentity(createLanStore(dir, testSecretBox()))
    const again = await loadOrCreateHubIdentity(createLanStore(dir, testSecretBox()))
    expect(again.fingerprint).toBe(first.fingerprint)
    expect(again.keyPem).toBe(first.keyPem)
    expect(again.hubId).toBe(first.hubId)
  })

  it('keeps the private key encrypted, in a file only this user reads, written by rename', async () => {
    const dir = tempDir()
    const id = await loadOrCreateHubIdentity(createLanStore(dir, testSecretBox()))
    const text = readFileSync(join(dir, LAN_FILE), 'utf8')
    expect(text).not.toContain('PRIVATE KEY')
    expect(text).not.toContain(id.keyPem.split('\n')[1])
    expect(JSON.parse(text).hub.keyCipher).toMatch(/^test:/)
    if (process.platform !== 'win32') expect(statSync(join(dir, LAN_FILE)).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([])
  })

  it('a key this machine cannot decrypt gives a new certificate (members then pair again), not a crash', async () => {
    const dir = tempDir()
    const first = await loadOrCreateHubIdentity(createLanStore(dir, testSecretBox()))
    const elsewhere = testSecretBox()
    elsewhere.broken = true
    const box = { ...elsewhere, encrypt: testSecretBox().encrypt }
    const next = await loadOrCreateHubIdentity(createLanStore(dir, box))
    expect(next.fingerprint).not.toBe(first.fingerprint)
    expect(next.hubId).toBe(first.hubId)
  })

  it('a damaged file is kept aside and sharing starts over', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, LAN_FILE), '{"version": 1, "hub": {"certPem": 42}')
    const id = await loadOrCreateHubIdentity(createLanStore(dir, testSecretBox()))
    expect(id.fingerprint).toMatch(/^[0-9a-f]{64}$/)
    expect(readdirSync(dir).some((f) => f.startsWith(`${LAN_FILE}.unreadable-`))).toBe(true)
    expect(existsSync(join(dir, LAN_FILE))).toBe(true)
  })
})
