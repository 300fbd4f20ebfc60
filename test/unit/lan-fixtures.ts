/** Shared pieces of the LAN tests: data dirs, a secret box, a clock that only moves when told. */
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { SecretBox } from '../../src/main/settings'
import { createLanHub, createLanStore, type LanHub, type LanHubOptions, type LanStore } from '../../src/main/lan'

const dirs: string[] = []
const hubs: LanHub[] = []
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.stop()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-lan-'))
  dirs.push(dir)
  return dir
}

/** Reversible, and visibly not the plain text: enough to see that secrets never reach the file as they are. */
export function testSecretBox(): SecretBox & { broken: boolean } {
  return {
    kind: 'os',
    broken: false,
    encrypt: (plain) => `test:${Buffer.from(plain, 'utf8').reverse().toString('base64')}`,
    decrypt(cipher) {
      if (this.broken || !cipher.startsWith('test:')) throw new Error('cannot decrypt here')
      return Buffer.from(cipher.slice(5), 'base64').reverse().toString('utf8')
    }
  }
}

/** A member desk as it introduces itself: its name and its replica's desk id. */
export const desk = (deskName: string) => ({ deskName, deskId: `desk-${deskName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}` })

export function testClock(start = Date.now()) {
  let t = start
  return { now: () => t, advance: (ms: number) => (t += ms), set: (at: number) => (t = at) }
}

export function testStore(dataDir = tempDir(), secrets: SecretBox = testSecretBox()): LanStore {
  return createLanStore(dataDir, secrets)
}

/** A hub listening on 127.0.0.1 at a free port, stopped after the test. */
export async function startedHub(options: Partial<LanHubOptions> = {}) {
  const clock = testClock()
  const store = options.store ?? testStore()
  const hub = createLanHub({ store, hubName: 'Entrance A', now: clock.now, log: () => {}, ...options })
  hubs.push(hub)
  const address = await hub.start({ host: '127.0.0.1', port: 0 })
  return { hub, store, clock, ...address, identity: hub.identity()! }
}

/**
 * A request exactly as given (headers included), over TLS trusting only the hub's certificate:
 * how a replay or a forged request is made.
 */
export function rawRequest(port: number, certPem: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; json: unknown; code: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) }, ca: certPem, checkServerIdentity: () => undefined, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const json = text ? (JSON.parse(text) as { error?: { code?: string } }) : null
          resolve({ status: res.statusCode ?? 0, json, code: json?.error?.code })
        })
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}
