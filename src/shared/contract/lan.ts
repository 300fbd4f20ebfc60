/**
 * Several desks on one local network (issue 18): this desk shares itself as the hub, or joins a
 * hub as a member. Main's LAN desk (src/main/lan) does the work; these are the window's calls.
 * Changing who this desk shares with or joins is a set-up change (admin PIN in kiosk mode);
 * looking is not.
 */
import { z } from 'zod'
import { empty, int, isoInstant } from './common'

/** Where a desk can be reached: an IPv4/IPv6 address or a host name. */
const host = z.string().trim().min(1).max(253)
const port = z.number().int().min(1).max(65535)

export const LanStatus = z.object({
  /** alone: neither sharing nor joined; hub: shares its roster (sharing on or paused); member: joined a hub. */
  role: z.enum(['alone', 'hub', 'member']),
  hub: z
    .object({
      /** The listener is on (members can reach this desk). */
      sharing: z.boolean(),
      hubName: z.string(),
      addresses: z.array(z.string()),
      port: port.nullable(),
      /** 16 characters in groups of four: a member typing instead of scanning pins the hub's certificate with it (null before sharing first started). */
      hubKey: z.string().nullable()
    })
    .nullable(),
  member: z
    .object({
      hubName: z.string(),
      address: z.string(),
      /** The live link to the hub is up. */
      connected: z.boolean(),
      lastContactAt: isoInstant.nullable(),
      /** Marks made here the hub has not taken yet. */
      waiting: int
    })
    .nullable()
})
export type LanStatus = z.infer<typeof LanStatus>

export const LanPairing = z.object({
  /** The one-time code as a person reads it ("ABCD-EFGH"). */
  code: z.string(),
  expiresAt: isoInstant,
  /** What the QR code carries (rollcall-pair://…): address, port, code and the certificate's fingerprint. */
  url: z.string(),
  hubKey: z.string(),
  addresses: z.array(z.string()),
  port,
  /** The QR code's modules as one SVG path of horizontal runs in a `size`×`size` box (quiet zone included). */
  qr: z.object({ size: int, path: z.string() })
})
export type LanPairing = z.infer<typeof LanPairing>

export const LanMember = z.object({
  deskId: z.string(),
  deskName: z.string(),
  pairedAt: isoInstant,
  lastSeenAt: isoInstant.nullable(),
  /** Marks the hub knows the member still has to send (its last report). */
  waiting: int,
  revoked: z.boolean()
})
export type LanMember = z.infer<typeof LanMember>

export const FoundHub = z.object({ name: z.string(), host: z.string(), port, hubKey: z.string().nullable() })
export type FoundHub = z.infer<typeof FoundHub>

/** Joining: the pairing link a scanner read from the hub's QR code, or what a person typed. */
export const LanJoinInput = z.union([
  z.object({ url: z.string().trim().min(1).max(1000) }).strict(),
  z
    .object({
      host,
      port,
      /** The pairing code as typed: case, spaces and dashes do not matter. */
      code: z.string().trim().min(1).max(40),
      /** The hub key as typed (16 characters, dashes and spaces ignored). */
      hubKey: z.string().trim().min(1).max(40)
    })
    .strict()
])
export type LanJoinInput = z.infer<typeof LanJoinInput>

export const lanCalls = {
  'lan.status': { input: empty, output: LanStatus },
  /** Sharing on (this desk becomes the hub, its listener on) or off (listener off, members cut off until it is on again). */
  'lan.share': { admin: 'change_setup', input: z.object({ on: z.boolean() }).strict(), output: LanStatus },
  /** A new pairing code (the last one stops working); needs sharing on. */
  'lan.openPairing': { admin: 'change_setup', input: empty, output: LanPairing },
  'lan.members': { input: empty, output: z.object({ members: z.array(LanMember) }) },
  'lan.revoke': { admin: 'change_setup', input: z.object({ deskId: z.string().min(1).max(64) }).strict(), output: z.object({ members: z.array(LanMember) }) },
  /** Hubs announcing themselves on this network (none where the network blocks multicast). */
  'lan.discover': { input: z.object({ seconds: z.number().int().min(1).max(10).default(2) }).strict(), output: z.object({ hubs: z.array(FoundHub) }) },
  'lan.join': { admin: 'change_setup', input: LanJoinInput, output: LanStatus },
  /** Leave the hub: marks not sent yet stay in this desk's outbox (joining a hub again sends them). */
  'lan.leave': { admin: 'change_setup', input: empty, output: LanStatus }
} as const
