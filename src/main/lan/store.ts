/**
 * What LAN sharing keeps across restarts, in one small JSON file in the desk's data dir (`lan.json`):
 * the hub's certificate and key, the members it paired (hashes of their credentials, never the
 * credentials), and on a member the hub it joined with its credential. Written whole, to a
 * temporary file that is then renamed over the old one, so a crash leaves the old file or the new.
 *
 * Secrets (the hub's private key, a member's credential) go through the same `SecretBox` as the
 * provider API keys (settings/): safeStorage in Electron, a file only this OS user reads elsewhere.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import type { SecretBox } from '../settings'

export const LAN_FILE = 'lan.json'

const StoredMember = z.object({
  id: z.string(),
  deskName: z.string(),
  deskId: z.string(),
  /** SHA-256 of the credential's secret part, hex. */
  secretHash: z.string().regex(/^[0-9a-f]{64}$/),
  pairedAt: z.number().int(),
  lastSeenAt: z.number().int().nullable(),
  revokedAt: z.number().int().nullable()
})
export type StoredMember = z.infer<typeof StoredMember>

const StoredHub = z.object({
  hubId: z.string(),
  certPem: z.string(),
  keyCipher: z.string(),
  fingerprint: z.string(),
  createdAt: z.number().int(),
  members: z.array(StoredMember),
  /** Sharing was on when the desk last changed it: a restart turns it on again. */
  sharing: z.boolean().optional(),
  /** The port the hub last listened on: a restart takes it again, so members find the hub where they left it. */
  port: z.number().int().min(1).max(65535).optional()
})
export type StoredHub = z.infer<typeof StoredHub>

/** A member's side: the hub it joined. */
const StoredMembership = z.object({
  host: z.string(),
  port: z.number().int(),
  fingerprint: z.string(),
  hubId: z.string(),
  hubName: z.string(),
  memberId: z.string(),
  credentialCipher: z.string(),
  pairedAt: z.number().int()
})
export type StoredMembership = z.infer<typeof StoredMembership>

const LanFile = z.object({
  version: z.literal(1),
  hub: StoredHub.nullable(),
  membership: StoredMembership.nullable(),
  /** The hub this desk left: its credential is how it proves to that hub, should it come back, that it is the same desk. */
  former: StoredMembership.nullable().optional()
})
type LanFile = z.infer<typeof LanFile>

export interface LanStore {
  readonly secrets: SecretBox
  read(): LanFile
  /** Applies `change` to a copy of the file and writes it atomically; answers what was written. */
  update(change: (file: LanFile) => void): LanFile
}

const EMPTY: LanFile = { version: 1, hub: null, membership: null }

/**
 * The store at `<dataDir>/lan.json`. A file that is not ours (edited by hand, another version) is
 * kept aside as `lan.json.unreadable-<time>` and sharing starts over: members pair again, which is
 * safe, where guessing at a broken file is not.
 */
export function createLanStore(dataDir: string, secrets: SecretBox, now: () => number = Date.now): LanStore {
  const file = join(dataDir, LAN_FILE)
  let cache: LanFile | null = null

  function load(): LanFile {
    if (cache) return cache
    if (!existsSync(file)) return (cache = structuredClone(EMPTY))
    try {
      cache = LanFile.parse(JSON.parse(readFileSync(file, 'utf8')))
    } catch {
      renameSync(file, `${file}.unreadable-${now()}`)
      cache = structuredClone(EMPTY)
    }
    return cache
  }

  function write(next: LanFile): void {
    mkdirSync(dirname(file), { recursive: true })
    const tmp = `${file}.tmp-${process.pid}`
    const fd = openSync(tmp, 'w', 0o600)
    try {
      writeSync(fd, JSON.stringify(next, null, 1))
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, file)
  }

  return {
    secrets,
    read: () => structuredClone(load()),
    update(change) {
      const next = structuredClone(load())
      change(next)
      LanFile.parse(next)
      write(next)
      cache = next
      return structuredClone(next)
    }
  }
}

/** Decrypts, or null when this machine cannot (a data dir copied from another computer or account). */
export function openSecret(secrets: SecretBox, cipher: string): string | null {
  try {
    return secrets.decrypt(cipher)
  } catch {
    return null
  }
}
