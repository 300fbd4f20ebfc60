/**
 * The desks a hub has paired. Each gets its own credential `rcm1.<member id>.<secret>` with 256
 * random bits of secret; the hub keeps only the secret's SHA-256 (a fast hash is enough for a
 * random 256-bit secret: there is nothing to guess, unlike a password), so a copy of the hub's
 * data dir does not let anyone act as a member. Revoking keeps the row (the desk is named in the
 * audit log and the export) and refuses its credential with lan_revoked.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { Credential, LanRefusal } from './protocol'
import type { LanStore, StoredMember } from './store'

/** Last seen is kept exactly in memory and written at most this often (not one disk write per request). */
export const LAST_SEEN_WRITE_MS = 60_000

export interface MemberView {
  id: string
  deskName: string
  /** The member desk's own id, as its marks carry it. */
  deskId: string
  pairedAt: number
  lastSeenAt: number | null
  revokedAt: number | null
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest()

export function createMemberRegistry(store: LanStore, now: () => number = Date.now) {
  const seen = new Map<string, number>()
  const view = (m: StoredMember): MemberView => ({
    id: m.id,
    deskName: m.deskName,
    deskId: m.deskId,
    pairedAt: m.pairedAt,
    lastSeenAt: Math.max(m.lastSeenAt ?? 0, seen.get(m.id) ?? 0) || null,
    revokedAt: m.revokedAt
  })
  const members = (): StoredMember[] => store.read().hub?.members ?? []
  /** True when `credential` is this member's own (checked like authenticate, in constant time). */
  const holds = (m: StoredMember, credential: string | undefined): boolean => {
    if (!credential || !Credential.safeParse(credential).success) return false
    const [, id, secret] = credential.split('.') as [string, string, string]
    return id === m.id && timingSafeEqual(sha256(secret), Buffer.from(m.secretHash, 'hex'))
  }

  return {
    /**
     * A new member; answers its credential, which exists nowhere else after this call. A desk that
     * pairs again (lost its credential, or the hub's certificate changed) replaces its old pairing:
     * the old credential is revoked in the same write.
     */
    add(deskName: string, deskId: string, claim: { hubDeskId?: string; credential?: string } = {}): { member: MemberView; credential: string } {
      // Desk ids name who made a mark: two desks with one id (a cloned laptop, the hub's own id)
      // would merge their marks. The same desk pairing again proves it with the credential it holds.
      if (deskId === claim.hubDeskId) throw new LanRefusal('lan_desk_in_use')
      const holder = members().find((m) => m.deskId === deskId && m.revokedAt === null)
      if (holder && !holds(holder, claim.credential)) throw new LanRefusal('lan_desk_in_use')
      const id = randomBytes(12).toString('hex')
      const secret = randomBytes(32).toString('base64url')
      const at = now()
      const member: StoredMember = { id, deskName, deskId, secretHash: sha256(secret).toString('hex'), pairedAt: at, lastSeenAt: null, revokedAt: null }
      store.update((file) => {
        if (!file.hub) throw new Error('the hub has no identity yet')
        for (const old of file.hub.members) if (old.deskId === deskId && old.revokedAt === null) old.revokedAt = at
        file.hub.members.push(member)
      })
      return { member: view(member), credential: `rcm1.${id}.${secret}` }
    },

    list(): MemberView[] {
      return members().map(view)
    },

    /** True when the member was active until now. Its requests are refused from the next one on. */
    revoke(id: string): boolean {
      let changed = false
      store.update((file) => {
        const m = file.hub?.members.find((x) => x.id === id)
        if (m && m.revokedAt === null) {
          m.revokedAt = now()
          changed = true
        }
      })
      return changed
    },

    /** The member a bearer credential belongs to; throws lan_unpaired / lan_revoked otherwise. */
    authenticate(credential: string | undefined): MemberView {
      if (!credential || !Credential.safeParse(credential).success) throw new LanRefusal('lan_unpaired')
      const [, id, secret] = credential.split('.') as [string, string, string]
      const m = members().find((x) => x.id === id)
      // A made-up id costs the same hash and compare as a real one.
      const expected = m ? Buffer.from(m.secretHash, 'hex') : sha256(`absent:${id}`)
      const match = timingSafeEqual(sha256(secret), expected)
      if (!m || !match) throw new LanRefusal('lan_unpaired')
      if (m.revokedAt !== null) throw new LanRefusal('lan_revoked')
      return view(m)
    },

    /** Notes that `id` was heard from; persisted now and then. */
    touch(id: string): void {
      const at = now()
      seen.set(id, at)
      const stored = members().find((x) => x.id === id)
      if (stored && at - (stored.lastSeenAt ?? 0) >= LAST_SEEN_WRITE_MS) {
        store.update((file) => {
          const m = file.hub?.members.find((x) => x.id === id)
          if (m) m.lastSeenAt = at
        })
      }
    }
  }
}

export type MemberRegistry = ReturnType<typeof createMemberRegistry>
