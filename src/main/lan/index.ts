/**
 * LAN sharing: several desks, one roster, no internet and no server to install (issue 18).
 * One desk is the hub; others pair with it and become members. This folder is the transport and
 * its security; what travels over it (sessions, rosters, marks, the live stream) plugs into the
 * hub's route table (hub.ts: `lanRoute`) and the member's `client.call`.
 *
 * Design, and why:
 * - HTTPS with node:https, no framework: a handful of routes, and every security step (pin,
 *   credential, replay, body cap) is a few visible lines, as in web/server.ts. TLS 1.3 only.
 * - The hub's certificate is self-signed, made once and kept (identity.ts). `selfsigned` makes it:
 *   Node's crypto can parse X.509 but not issue it; selfsigned is the package webpack-dev-server
 *   and many dev servers use, one async call, EC keys (P-256: made in milliseconds, unlike RSA).
 *   It brings @peculiar/x509 v1, whose own dependency installs the reflect polyfill it needs
 *   (v2 leaves that to the application: a global side effect we would have to own).
 * - Trust comes from the pairing code, never from the network: the QR code carries the full
 *   SHA-256 fingerprint; typed by hand, the 16-character hub key (80 bits of it) goes with the
 *   8-character code. The member compares the presented certificate with that before sending a
 *   byte (client.ts): no certificate warning, no trust on first use, a different certificate is
 *   lan_certificate_mismatch. A short code alone could only authenticate the hub through a PAKE
 *   (SPAKE2/CPace); there is no well-kept one for Node, and a hand-made one is worse than typing
 *   16 more characters once per desk.
 * - The pairing code (pairing.ts): 8 characters of Crockford base32 (no I/L/O/U; O and I/L typed
 *   are read as 0 and 1), single-use, 5 minutes, compared in constant time, wrong tries limited
 *   per address and for everyone together, with a lockout in which even the right code is refused.
 * - Member credentials (members.ts): 256 random bits per member; the hub stores only their
 *   SHA-256, so its data dir does not hold what a member needs. Revocable one by one. A member
 *   names its desk id when pairing: a desk that pairs again replaces its old credential.
 * - Requests carry `Authorization: Bearer`, a time and a nonce (replay.ts): a nonce seen again or a
 *   time off by more than 2 minutes is refused; a stale refusal carries the hub's clock and the
 *   client corrects its offset once (desk clocks drift apart without internet).
 * - No HMAC over the body: TLS with a pinned certificate already gives the body integrity and
 *   secrecy end to end, and an HMAC keyed with the member's secret would need the hub to keep that
 *   secret readable instead of a hash, so a copied hub data dir could impersonate every member.
 * - Payloads are zod schemas (protocol.ts), checked on both ends; refusals are codes (LAN_REFUSALS).
 * - Discovery (discovery.ts): DNS-SD through bonjour-service, behind an interface so tests and
 *   multicast-blocking networks do without it; it only saves typing the address and carries no
 *   trust. The hub announces itself only while it listens.
 * - Persistence (store.ts): `lan.json` in the data dir, written to a temp file and renamed; the
 *   hub's key and the member's credential go through the settings' SecretBox (safeStorage in
 *   Electron). The pairing code lives in memory only.
 * - Plain Node: no electron import (lint enforces it), so the web desk and tests run all of it.
 *
 * What travels (desk-routes.ts on the hub, providers/hub on the member, payloads in marks-protocol.ts):
 * - For a member the hub is a provider ('hub'), so its sessions, rosters and marks go through the
 *   same engine, replica and outbox as Wix's: no second kind of sync to keep correct. Which hub, and
 *   the credential, are read from lan.json at each request: re-pairing needs no restart and keeps
 *   the unsent marks.
 * - Sessions and people are named `<provider>:<provider id>` of the hub's rows (stable across the
 *   hub's downloads, unlike row ids). Roster and mark pages walk the hub's indexes with opaque
 *   cursors (name then id), so a 100,000-person roster is 200 range reads, not 200 sorts.
 * - Except a walk-in: `<provider>:walk-in:<uuid>` until Wix or Plandocket gives it its own id. The
 *   hub keeps the first key (sync/former-keys.ts, in desk_meta, written with the rename) and every
 *   route that looks a person up by key accepts it, so a member's mark made under it still lands;
 *   rosters, marks and the stream carry it as `formerKey`, and the member renames its row (same row:
 *   its marks and unsent operations stay) instead of adding the person a second time.
 * - The hub applies a member's mark through its own attendance service (core/attendance.ts
 *   `fromMember`): same transaction, audit entry and outbox as a mark made at its desk, with the
 *   member's desk id and scan time. The member's operation id becomes the hub's outbox operation
 *   id: a batch resent after a lost answer finds it and applies nothing twice, and the hub's
 *   engine forwards it under that id and the member's desk name.
 * - Conflicts as the booking systems have them: a mark made at another desk that the member had
 *   not seen, or that is newer than the member's, is answered with that mark (desk, time), and the
 *   member's engine sets its own aside as a conflict (sync_marked_at_desk) in its Sync panel;
 *   "mine" there resends it with force and the hub applies it.
 * - The member's desk id is the authenticated one, never one a payload names.
 */
export { createLanHub, lanAddresses, lanRoute, DEFAULT_MAX_BODY_BYTES, type LanHub, type LanHubOptions, type LanRoute, type LanRequest, type OpenPairing } from './hub'
export { createLanClient, joinHub, leaveHub, memberClient, pinnedConnect, type LanClient, type LanClientOptions, type Pin } from './client'
export { advertRecord, createBonjourDiscovery, hubFromService, SERVICE_TYPE, type Discovery, type FoundHub, type HubAdvert } from './discovery'
export { createCertificate, displayHubKey, fingerprintOf, hubKeyOf, loadOrCreateHubIdentity, type HubIdentity } from './identity'
export { createMemberRegistry, type MemberRegistry, type MemberView } from './members'
export { CODE_LENGTH, CODE_TTL_MS, GLOBAL_MAX_WRONG, LOCKOUT_MS, SOURCE_MAX_WRONG, createPairingDesk, type PairingCode, type PairingDesk, type PairingStatus } from './pairing'
export {
  CROCKFORD,
  LAN_PROTOCOL_VERSION,
  LAN_REFUSALS,
  LanRefusal,
  LanRefusalCode,
  NONCE_HEADER,
  TIME_HEADER,
  grouped,
  normalizeTyped,
  pairingUrl,
  parsePairingUrl,
  type PairingTarget
} from './protocol'
export { REPLAY_WINDOW_MS, createReplayGuard } from './replay'
export { LAN_FILE, createLanStore, type LanStore } from './store'
export { createLanDesk, lanPort, type FoundHubView, type LanDesk, type LanDeskOptions, type LanHubStatus, type LanJoinTarget, type LanMemberRow, type LanMemberStatus, type LanPairingView, type LanStatus } from './desk'
