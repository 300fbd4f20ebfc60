/**
 * What desks say to each other on the LAN: refusal codes, the request headers, the payloads (zod,
 * validated on both ends) and the pairing payload the hub shows as a QR code.
 */
import { z } from 'zod'
import { LAN_REFUSAL_CODES } from '../../shared/contract/constants'

/**
 * What the LAN refuses, as codes (the window words them). One list with the contract's
 * (shared/contract/constants.ts, LAN_REFUSAL_CODES, which says what each means); only
 * lan_bad_pairing_link is the window's own (a link or key it cannot read), never sent on the wire.
 */
export const LanRefusalCode = z.enum(LAN_REFUSAL_CODES).exclude(['lan_bad_pairing_link'])
export const LAN_REFUSALS = LanRefusalCode.options
export type LanRefusalCode = z.infer<typeof LanRefusalCode>

export const LanRefusalBody = z.object({
  code: LanRefusalCode,
  /** lan_rate_limited: when trying again can succeed. */
  retryAfterMs: z.number().int().nonnegative().optional(),
  /** lan_stale_request: the hub's clock, so the member can correct its own offset and retry. */
  hubTime: z.number().int().optional()
})
export type LanRefusalBody = z.infer<typeof LanRefusalBody>

/** A refusal as a thrown value: route handlers throw it, the client rejects with it. */
export class LanRefusal extends Error {
  readonly code: LanRefusalCode
  readonly retryAfterMs?: number
  readonly hubTime?: number
  constructor(code: LanRefusalCode, extra: { retryAfterMs?: number; hubTime?: number } = {}) {
    super(code)
    this.name = 'LanRefusal'
    this.code = code
    if (extra.retryAfterMs !== undefined) this.retryAfterMs = extra.retryAfterMs
    if (extra.hubTime !== undefined) this.hubTime = extra.hubTime
  }
  body(): LanRefusalBody {
    return { code: this.code, ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}), ...(this.hubTime !== undefined ? { hubTime: this.hubTime } : {}) }
  }
}

/** Every answer: the value, or a refusal code. */
export const lanAnswer = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value }), z.object({ ok: z.literal(false), error: LanRefusalBody })])

/** The headers an authenticated request carries besides `Authorization: Bearer <credential>`. */
export const TIME_HEADER = 'x-rollcall-time'
export const NONCE_HEADER = 'x-rollcall-nonce'
/** The protocol this code speaks; a hub refuses another with lan_invalid_request. */
export const LAN_PROTOCOL_VERSION = 1

export const RequestTime = z.coerce.number().int().positive()
/** 16–64 base64url characters (the client sends 22: 128 random bits). */
export const Nonce = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/)

// ---- Crockford base32: the alphabet for everything a human reads or types -------------------
/** Digits and capitals without I, L, O, U: nothing to confuse, nothing rude by accident. */
export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** What a person typed, as the alphabet's letters: case, spaces and dashes ignored; O→0, I/L→1. */
export function normalizeTyped(typed: string): string {
  return typed
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1')
}

export function crockford(bytes: Uint8Array, chars: number): string {
  let out = ''
  let buffer = 0
  let bits = 0
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte
    bits += 8
    while (bits >= 5 && out.length < chars) {
      out += CROCKFORD[(buffer >>> (bits - 5)) & 31]
      bits -= 5
    }
    buffer &= (1 << bits) - 1
    if (out.length >= chars) break
  }
  return out
}

/** "ABCDEFGH" → "ABCD-EFGH": groups of four, easier to read aloud and to type. */
export const grouped = (s: string): string => s.match(/.{1,4}/g)?.join('-') ?? s

// ---- Payloads ------------------------------------------------------------------------------
const deskName = z.string().trim().min(1).max(60)
/** The desk's own id (its replica's `desk_id`): marks carry it, and a desk pairing again replaces its old credential. */
export const DeskId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/)

export const PairRequest = z
  .object({
    code: z.string().max(40),
    deskName,
    deskId: DeskId,
    protocol: z.literal(LAN_PROTOCOL_VERSION),
    /** The credential this desk holds for this hub, if any: how the hub knows the same desk is pairing again. */
    credential: z.string().max(200).optional()
  })
  .strict()
export type PairRequest = z.infer<typeof PairRequest>

/** A member's secret: `rcm1.<member id>.<43 base64url chars>` (256 random bits). */
export const Credential = z.string().regex(/^rcm1\.[A-Za-z0-9]{16,40}\.[A-Za-z0-9_-]{43}$/)

export const PairAnswer = z
  .object({
    memberId: z.string(),
    credential: Credential,
    hubId: z.string(),
    hubName: z.string()
  })
  .strict()
export type PairAnswer = z.infer<typeof PairAnswer>

export const WhoamiAnswer = z
  .object({
    memberId: z.string(),
    deskName: z.string(),
    deskId: z.string(),
    hubId: z.string(),
    hubName: z.string(),
    hubTime: z.number().int()
  })
  .strict()
export type WhoamiAnswer = z.infer<typeof WhoamiAnswer>

// ---- The pairing payload (QR) ----------------------------------------------------------------
/** SHA-256 of the hub's certificate (DER), 64 lowercase hex digits. */
export const Fingerprint = z.string().regex(/^[0-9a-f]{64}$/)

/**
 * What a member needs to join: where the hub is, the one-time code, and which certificate to
 * trust. `fingerprint` is the full SHA-256 (QR); a person typing instead gives the hub key
 * (`hubKey`, 16 characters = 80 bits of it): either pins the certificate, see client.ts.
 */
export const PairingTarget = z.object({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  code: z.string().min(1).max(40),
  fingerprint: Fingerprint.optional(),
  hubKey: z.string().regex(/^[0-9A-Z]{16}$/).optional()
})
export type PairingTarget = z.infer<typeof PairingTarget>

export const PAIRING_SCHEME = 'rollcall-pair:'

/** `rollcall-pair://<host>:<port>?code=…&fp=…`: what the QR code carries (no secret lasts longer than the code). */
export function pairingUrl(target: { host: string; port: number; code: string; fingerprint: string }): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host
  const q = new URLSearchParams({ v: String(LAN_PROTOCOL_VERSION), code: normalizeTyped(target.code), fp: target.fingerprint })
  return `${PAIRING_SCHEME}//${host}:${target.port}?${q.toString()}`
}

/** The pairing URL a camera read, or null when it is not one this version understands. */
export function parsePairingUrl(text: string): PairingTarget | null {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return null
  }
  if (url.protocol !== PAIRING_SCHEME || url.searchParams.get('v') !== String(LAN_PROTOCOL_VERSION)) return null
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const parsed = PairingTarget.safeParse({
    host,
    port: Number(url.port),
    code: url.searchParams.get('code') ?? '',
    fingerprint: url.searchParams.get('fp') ?? undefined
  })
  return parsed.success && parsed.data.fingerprint ? parsed.data : null
}
