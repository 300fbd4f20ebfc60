/**
 * Ids and cursors from one seeded stream, so a test with a seed sees the same ids on every run
 * (snapshots, golden files) while a test without one gets fresh ids like the real service.
 */
import { createHash, randomUUID } from 'node:crypto'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export class IdSource {
  private counter = 0
  private readonly seed: string

  constructor(seed?: string | number) {
    this.seed = seed === undefined ? randomUUID() : String(seed)
  }

  /** 32 fresh pseudo-random bytes. */
  private bytes(): Buffer {
    return createHash('sha256').update(`${this.seed}:${this.counter++}`).digest()
  }

  /** A version-4-shaped GUID, like participation and attendance ids. */
  guid(): string {
    const b = this.bytes()
    b[6] = (b[6]! & 0x0f) | 0x40
    b[8] = (b[8]! & 0x3f) | 0x80
    const hex = b.subarray(0, 16).toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }

  /**
   * Event ids are 36–250 chars and not always GUIDs (the sample's is 121 base62 chars): mix both so
   * a client that assumes GUIDs fails here rather than in production.
   */
  eventId(): string {
    const b = this.bytes()
    if (b[0]! % 4 === 0) return this.guid()
    const length = 36 + (b[1]! % 100)
    let id = ''
    while (id.length < length) {
      for (const byte of this.bytes()) id += BASE62[byte % 62]
    }
    return id.slice(0, length)
  }

  /** An opaque cursor token (base64url, no meaning a client could parse). */
  cursor(): string {
    return this.bytes().subarray(0, 24).toString('base64url')
  }
}
