/**
 * The contract's `lan.*` calls over the desk's LAN part (`LanDesk`, desk.ts): the window shares this
 * desk, shows the pairing code and its QR code, lists and revokes members, finds and joins a hub,
 * leaves it. Main speaks in codes: a LanRefusal becomes the `lan_refused` reason with its code, so
 * the window words it in the desk's language. Times become ISO instants; the QR code is computed
 * here (the `qrcode` package the badges use) and sent as path data, so the window bundles no QR
 * library and draws it as plain SVG.
 */
import QRCode from 'qrcode'
import { LAN_REFUSAL_CODES, type CallName, type LanJoinInput, type LanMember, type LanPairing, type LanStatus } from '../../shared/contract'
import { DeskError } from '../core/errors'
import type { HandlersFor } from '../ipc/dispatcher'
import type { LanDesk, LanMemberRow, LanStatus as LanDeskStatus } from './desk'
import { LanRefusal, grouped, normalizeTyped, parsePairingUrl } from './protocol'

/** Main's refusal codes are the contract's (lan/protocol.ts derives them), plus the window's own. */
type ContractRefusal = (typeof LAN_REFUSAL_CODES)[number]

export type LanCall = Extract<CallName, `lan.${string}`>

const iso = (ms: number): string => new Date(ms).toISOString()
const isoOrNull = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : iso(ms))

/** The hub key in groups of four, however main's status shows it. */
const keyForDisplay = (key: string): string => grouped(normalizeTyped(key))

export function statusView(s: LanDeskStatus): LanStatus {
  return {
    role: s.role,
    hub: s.hub ? { sharing: s.hub.sharing, hubName: s.hub.hubName, addresses: [...s.hub.addresses], port: s.hub.port ?? null, hubKey: s.hub.hubKey ? keyForDisplay(s.hub.hubKey) : null } : null,
    member: s.member
      ? { hubName: s.member.hubName, address: s.member.address, connected: s.member.connected, lastContactAt: isoOrNull(s.member.lastContactAt), waiting: s.member.waiting }
      : null
  }
}

/** The QR code's dark modules as one path of horizontal runs, with a quiet zone of 4 (the standard's). */
export function qrPath(text: string): { size: number; path: string } {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const n = qr.modules.size
  const data = qr.modules.data
  const quiet = 4
  let path = ''
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; ) {
      if (!data[y * n + x]) {
        x++
        continue
      }
      let run = 1
      while (x + run < n && data[y * n + x + run]) run++
      path += `M${x + quiet} ${y + quiet}h${run}v1h-${run}z`
      x += run
    }
  }
  return { size: n + 2 * quiet, path }
}

/** A LanRefusal as the desk's refusal; anything else goes on (the dispatcher logs it as internal). */
function asDeskError(err: unknown): unknown {
  if (!(err instanceof LanRefusal)) return err
  const known = (LAN_REFUSAL_CODES as readonly string[]).includes(err.code)
  return DeskError.because('refused', {
    reason: 'lan_refused',
    params: {
      refusal: known ? (err.code as ContractRefusal) : 'lan_internal',
      retryAfterSeconds: err.retryAfterMs !== undefined ? Math.max(1, Math.ceil(err.retryAfterMs / 1000)) : null
    }
  })
}

async function refusing<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    throw asDeskError(err)
  }
}

const refused = (refusal: ContractRefusal): DeskError => DeskError.because('refused', { reason: 'lan_refused', params: { refusal, retryAfterSeconds: null } })

/**
 * What the member's desk sends to join: a scanned pairing link as it is (main parses and pins it),
 * or the typed parts with the code and hub key as the alphabet's letters (O→0, I/L→1, dashes gone).
 */
export function joinTarget(input: LanJoinInput): { url: string } | { host: string; port: number; code: string; hubKey: string } {
  if ('url' in input) {
    if (!parsePairingUrl(input.url)) throw refused('lan_bad_pairing_link')
    return { url: input.url.trim() }
  }
  const hubKey = normalizeTyped(input.hubKey)
  const code = normalizeTyped(input.code)
  if (!/^[0-9A-Z]{16}$/.test(hubKey)) {
    throw DeskError.because('invalid_input', { reason: 'lan_refused', params: { refusal: 'lan_bad_pairing_link', retryAfterSeconds: null } }, [
      { path: 'hubKey', problem: 'invalid', limit: null, message: 'the hub key is 16 letters and digits' }
    ])
  }
  return { host: input.host.trim().replace(/^\[(.*)\]$/, '$1'), port: input.port, code, hubKey }
}

export function memberView(m: LanMemberRow): LanMember {
  return { deskId: m.deskId, deskName: m.deskName, pairedAt: iso(m.pairedAt), lastSeenAt: isoOrNull(m.lastSeenAt), waiting: m.waiting, revoked: m.revoked }
}

/** `lan` is asked at each call: openDesk makes the LAN desk after the handlers (it switches the engine they use). */
export function lanHandlers(lan: () => LanDesk): HandlersFor<LanCall> {
  const members = (): { members: LanMember[] } => ({ members: lan().members().map(memberView) })
  return {
    'lan.status': () => statusView(lan().status()),
    'lan.share': ({ on }) => refusing(async () => statusView(on ? await lan().startSharing() : await lan().stopSharing())),
    'lan.openPairing': () =>
      refusing((): LanPairing => {
        const p = lan().openPairing()
        return { code: grouped(normalizeTyped(p.code)), expiresAt: iso(p.expiresAt), url: p.url, hubKey: keyForDisplay(p.hubKey), addresses: [...p.addresses], port: p.port, qr: qrPath(p.url) }
      }),
    'lan.members': () => refusing(members),
    'lan.revoke': ({ deskId }) =>
      refusing(() => {
        lan().revoke(deskId)
        return members()
      }),
    'lan.discover': ({ seconds }) =>
      refusing(async () => ({
        hubs: (await lan().discover(seconds * 1000)).map((h) => ({ name: h.name, host: h.host, port: h.port, hubKey: h.hubKey ? keyForDisplay(h.hubKey) : null }))
      })),
    'lan.join': (input) => refusing(async () => statusView(await lan().join(joinTarget(input)))),
    'lan.leave': () => refusing(async () => statusView(await lan().leave()))
  }
}
