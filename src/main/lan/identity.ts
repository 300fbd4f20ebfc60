/**
 * The hub's identity: a self-signed TLS certificate made once and kept, and its SHA-256
 * fingerprint, which members pin. No CA is involved: the pairing code carries the fingerprint, so a
 * member trusts exactly this certificate and nothing else (see client.ts).
 */
import { X509Certificate, randomUUID } from 'node:crypto'
import { generate } from 'selfsigned'
import { crockford, grouped } from './protocol'
import { openSecret, type LanStore } from './store'

/** Ten years: the fingerprint, not the dates, is what members check, and a venue should not see its hub expire. */
const VALIDITY_MS = 10 * 365 * 24 * 3600_000

export interface HubIdentity {
  hubId: string
  certPem: string
  keyPem: string
  /** SHA-256 of the certificate's DER, 64 lowercase hex digits. */
  fingerprint: string
  /** The first 80 bits of the fingerprint in Crockford base32 (16 characters): what a person types. */
  hubKey: string
  createdAt: number
}

export function fingerprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256.replace(/:/g, '').toLowerCase()
}

/** 80 bits: finding another certificate with the same first 80 bits is a second preimage, out of reach. */
export function hubKeyOf(fingerprint: string): string {
  return crockford(Buffer.from(fingerprint, 'hex'), 16)
}

/** The hub key as shown: four groups of four. */
export const displayHubKey = (hubKey: string): string => grouped(hubKey)

/**
 * A fresh certificate. ECDSA P-256: TLS 1.3's common curve, a key made in milliseconds (an RSA
 * key takes seconds on a desk laptop), and a short certificate. The subject carries no address:
 * a hub's address changes with DHCP, its fingerprint does not.
 */
export async function createCertificate(now: number): Promise<{ certPem: string; keyPem: string }> {
  const made = await generate([{ name: 'commonName', value: 'Rollcall hub' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 24 * 3600_000),
    notAfterDate: new Date(now + VALIDITY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true }
    ]
  })
  return { certPem: made.cert, keyPem: made.private }
}

/**
 * The hub's identity from the store, made (and stored) the first time. If the key cannot be
 * decrypted here (a data dir copied from another machine), a new certificate replaces it: members
 * then see lan_certificate_mismatch and pair again, never a silent change of trust.
 */
export async function loadOrCreateHubIdentity(store: LanStore, now: () => number = Date.now): Promise<HubIdentity> {
  const stored = store.read().hub
  if (stored) {
    const keyPem = openSecret(store.secrets, stored.keyCipher)
    if (keyPem && fingerprintOf(stored.certPem) === stored.fingerprint) {
      return { hubId: stored.hubId, certPem: stored.certPem, keyPem, fingerprint: stored.fingerprint, hubKey: hubKeyOf(stored.fingerprint), createdAt: stored.createdAt }
    }
  }
  const at = now()
  const { certPem, keyPem } = await createCertificate(at)
  const fingerprint = fingerprintOf(certPem)
  const hubId = stored?.hubId ?? randomUUID()
  const keyCipher = store.secrets.encrypt(keyPem)
  store.update((file) => {
    file.hub = { hubId, certPem, keyCipher, fingerprint, createdAt: at, members: file.hub?.members ?? [] }
  })
  return { hubId, certPem, keyPem, fingerprint, hubKey: hubKeyOf(fingerprint), createdAt: at }
}
