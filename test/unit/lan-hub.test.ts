/**
 * The hub's listener over real TLS sockets on 127.0.0.1, driven by the member's own client: pairing,
 * authenticated calls, and every refusal the issue names (nothing changed by a refused request).
 */
import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  CODE_TTL_MS,
  LOCKOUT_MS,
  LanRefusal,
  REPLAY_WINDOW_MS,
  SOURCE_MAX_WRONG,
  createLanClient,
  lanRoute,
  type LanRoute
} from '../../src/main/lan'
import { desk, rawRequest, startedHub } from './lan-fixtures'

async function refusedWith(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    if (err instanceof LanRefusal) return err.code
    throw err
  }
  return 'accepted'
}

function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'))
  })
}

async function paired(setup: Awaited<ReturnType<typeof startedHub>>, deskName = 'Desk 2', held?: string) {
  const { hub, port, identity, clock } = setup
  const { code } = hub.openPairing()
  const answer = await createLanClient({ host: '127.0.0.1', port, pin: { fingerprint: identity.fingerprint }, now: clock.now }).pair(
    code,
    desk(deskName),
    held ? { fingerprint: identity.fingerprint, credential: held } : undefined
  )
  const client = createLanClient({ host: '127.0.0.1', port, pin: { fingerprint: identity.fingerprint }, credential: answer.credential, now: clock.now })
  return { answer, client }
}

const signed = (credential: string, time: number, nonce = randomBytes(16).toString('base64url')) => ({
  Authorization: `Bearer ${credential}`,
  'x-rollcall-time': String(time),
  'x-rollcall-nonce': nonce
})

describe('LAN hub: pairing over the network', () => {
  it('pairs a desk once with the code; the code cannot be used again', async () => {
    const setup = await startedHub()
    const { hub, port, identity } = setup
    const open = hub.openPairing()
    expect(open.url).toContain(`rollcall-pair://127.0.0.1:${port}?`)
    expect(open.url).toContain(`fp=${identity.fingerprint}`)
    const pin = { fingerprint: identity.fingerprint }
    const answer = await createLanClient({ host: '127.0.0.1', port, pin }).pair(open.code, desk('Desk 2'))
    expect(answer).toMatchObject({ hubName: 'Entrance A', hubId: identity.hubId, fingerprint: identity.fingerprint })
    expect(answer.credential).toMatch(/^rcm1\./)
    expect(hub.members.list()).toEqual([expect.objectContaining({ id: answer.memberId, deskName: 'Desk 2', revokedAt: null })])
    // The hub keeps a hash, never the credential.
    expect(JSON.stringify(setup.store.read())).not.toContain(answer.credential.split('.')[2])

    expect(await refusedWith(createLanClient({ host: '127.0.0.1', port, pin }).pair(open.code, desk('Desk 3')))).toBe('lan_pairing_closed')
    expect(hub.members.list()).toHaveLength(1)
  })

  it('refuses an expired code', async () => {
    const setup = await startedHub()
    const { code } = setup.hub.openPairing()
    setup.clock.advance(CODE_TTL_MS + 1)
    expect(await refusedWith(createLanClient({ host: '127.0.0.1', port: setup.port, pin: { fingerprint: setup.identity.fingerprint } }).pair(code, desk('Desk 2')))).toBe('lan_code_expired')
    expect(setup.hub.members.list()).toEqual([])
  })

  it('refuses a wrong code, then refuses even the right one for a while, then accepts it', async () => {
    const setup = await startedHub()
    const { code } = setup.hub.openPairing()
    const client = createLanClient({ host: '127.0.0.1', port: setup.port, pin: { fingerprint: setup.identity.fingerprint } })
    const wrongCode = (code[0] === 'A' ? 'B' : 'A') + code.slice(1)
    for (let i = 0; i < SOURCE_MAX_WRONG; i++) expect(await refusedWith(client.pair(wrongCode, desk('Guesser')))).toBe('lan_wrong_code')
    const locked = await client.pair(code, desk('Desk 2')).catch((err: LanRefusal) => err)
    expect(locked).toBeInstanceOf(LanRefusal)
    expect((locked as LanRefusal).code).toBe('lan_rate_limited')
    expect((locked as LanRefusal).retryAfterMs).toBe(LOCKOUT_MS)
    expect(setup.hub.members.list()).toEqual([])
    setup.clock.advance(LOCKOUT_MS)
    expect((await client.pair(code, desk('Desk 2'))).hubName).toBe('Entrance A')
  })

  it('answers a bad pairing request with lan_invalid_request and an unknown route with lan_not_found', async () => {
    const { port, identity, hub } = await startedHub()
    hub.openPairing()
    const bad = await rawRequest(port, identity.certPem, 'POST', '/pair', {}, JSON.stringify({ code: 'X', deskName: '', protocol: 1 }))
    expect(bad).toMatchObject({ status: 400, json: { ok: false, error: { code: 'lan_invalid_request' } } })
    const notJson = await rawRequest(port, identity.certPem, 'POST', '/pair', {}, '{"code":')
    expect(notJson.code).toBe('lan_invalid_request')
    const extra = await rawRequest(port, identity.certPem, 'POST', '/pair', {}, JSON.stringify({ code: 'X', deskName: 'D', deskId: 'desk-d', protocol: 1, admin: true }))
    expect(extra.code).toBe('lan_invalid_request')
    const settings = await rawRequest(port, identity.certPem, 'GET', '/settings', {})
    expect(settings).toMatchObject({ status: 404, json: { ok: false, error: { code: 'lan_not_found' } } })
    const big = await rawRequest(port, identity.certPem, 'POST', '/pair', {}, JSON.stringify({ code: 'x'.repeat(70_000), deskName: 'D', protocol: 1 }))
    expect(big.code).toBe('lan_too_large')
  })
})

describe('LAN hub: members', () => {
  it('a paired member is known by its credential; last seen is kept', async () => {
    const setup = await startedHub()
    const { answer, client } = await paired(setup)
    setup.clock.advance(90_000)
    expect(await client.whoami()).toEqual({ memberId: answer.memberId, deskName: 'Desk 2', deskId: 'desk-desk-2', hubId: setup.identity.hubId, hubName: 'Entrance A', hubTime: setup.clock.now() })
    expect(setup.hub.members.list()[0]?.lastSeenAt).toBe(setup.clock.now())
    expect(setup.store.read().hub?.members[0]?.lastSeenAt).toBe(setup.clock.now())
  })

  it('a revoked member is refused with lan_revoked, others keep working', async () => {
    const setup = await startedHub()
    const two = await paired(setup, 'Desk 2')
    const three = await paired(setup, 'Desk 3')
    expect(setup.hub.revoke(two.answer.memberId)).toBe(true)
    expect(await refusedWith(two.client.whoami())).toBe('lan_revoked')
    expect((await three.client.whoami()).deskName).toBe('Desk 3')
    expect(setup.hub.members.list().map((m) => [m.deskName, m.revokedAt !== null])).toEqual([
      ['Desk 2', true],
      ['Desk 3', false]
    ])
  })

  it('a desk that pairs again with the credential it holds replaces its old pairing (the old credential is revoked)', async () => {
    const setup = await startedHub()
    const before = await paired(setup, 'Desk 2')
    const after = await paired(setup, 'Desk 2', before.answer.credential)
    expect(await refusedWith(before.client.whoami())).toBe('lan_revoked')
    expect((await after.client.whoami()).memberId).toBe(after.answer.memberId)
    expect(setup.hub.members.list().filter((m) => m.revokedAt === null).map((m) => m.id)).toEqual([after.answer.memberId])
  })

  it('a desk id the hub already has (its own, or an active member’s: a cloned laptop) is refused, the code stays usable', async () => {
    const setup = await startedHub({ deskId: 'desk-entrance' })
    const first = await paired(setup, 'Desk 2')
    const { code } = setup.hub.openPairing()
    const stranger = createLanClient({ host: '127.0.0.1', port: setup.port, pin: { fingerprint: setup.identity.fingerprint }, now: setup.clock.now })
    // Same id as Desk 2, no credential (or another desk's): not the same desk.
    expect(await refusedWith(stranger.pair(code, desk('Desk 2')))).toBe('lan_desk_in_use')
    expect(await refusedWith(stranger.pair(code, { deskName: 'Clone', deskId: 'desk-desk-2' }))).toBe('lan_desk_in_use')
    expect(await refusedWith(stranger.pair(code, { deskName: 'Entrance copy', deskId: 'desk-entrance' }))).toBe('lan_desk_in_use')
    // Nothing changed: Desk 2 still works, nobody else was added, and the code still pairs a desk with its own id.
    expect((await first.client.whoami()).deskName).toBe('Desk 2')
    expect(setup.hub.members.list()).toHaveLength(1)
    await stranger.pair(code, desk('Desk 3'))
    expect(setup.hub.members.list().map((m) => [m.deskName, m.revokedAt])).toEqual([
      ['Desk 2', null],
      ['Desk 3', null]
    ])
    // Once Desk 2 is revoked, its id is free for a desk the hub gives a new code.
    setup.hub.revoke(first.answer.memberId)
    const again = await paired(setup, 'Desk 2')
    expect((await again.client.whoami()).deskId).toBe('desk-desk-2')
  })

  it('a forged or unknown credential is refused with lan_unpaired', async () => {
    const setup = await startedHub()
    const { answer } = await paired(setup)
    const [, id] = answer.credential.split('.')
    const forgeries = [
      `rcm1.${id}.${randomBytes(32).toString('base64url')}`, // a real member id, a made-up secret
      `rcm1.${randomBytes(12).toString('hex')}.${answer.credential.split('.')[2]}`, // the real secret under another id
      'rcm1.garbage',
      ''
    ]
    for (const credential of forgeries) {
      const client = createLanClient({ host: '127.0.0.1', port: setup.port, pin: { fingerprint: setup.identity.fingerprint }, credential: credential || undefined, now: setup.clock.now })
      expect(await refusedWith(client.whoami())).toBe('lan_unpaired')
    }
    const none = await rawRequest(setup.port, setup.identity.certPem, 'GET', '/whoami', {})
    expect(none).toMatchObject({ status: 401, json: { ok: false, error: { code: 'lan_unpaired' } } })
    expect(setup.hub.members.list()[0]?.lastSeenAt).toBeNull()
  })

  it('a replayed request (same nonce) is refused with lan_replayed', async () => {
    const setup = await startedHub()
    const { answer } = await paired(setup)
    const headers = signed(answer.credential, setup.clock.now())
    const first = await rawRequest(setup.port, setup.identity.certPem, 'GET', '/whoami', headers)
    expect(first.status).toBe(200)
    const replay = await rawRequest(setup.port, setup.identity.certPem, 'GET', '/whoami', headers)
    expect(replay).toMatchObject({ status: 409, json: { ok: false, error: { code: 'lan_replayed' } } })
    // Still refused near the end of the window (the nonce is remembered as long as the time is accepted).
    setup.clock.advance(REPLAY_WINDOW_MS)
    expect((await rawRequest(setup.port, setup.identity.certPem, 'GET', '/whoami', headers)).code).toBe('lan_replayed')
  })

  it('a request without time or nonce is refused, a stale one too (with the hub time); the client corrects its clock', async () => {
    const setup = await startedHub()
    const { answer, client } = await paired(setup)
    const noNonce = await rawRequest(setup.port, setup.identity.certPem, 'GET', '/whoami', { Authorization: `Bearer ${answer.credential}`, 'x-rollcall-time': String(setup.clock.now()) })
    expect(noNonce.code).toBe('lan_invalid_request')
    const stale = await rawRequest(setup.port, setup.identity.certPem, 'GET', '/whoami', signed(answer.credential, setup.clock.now() - REPLAY_WINDOW_MS - 1))
    expect(stale).toMatchObject({ status: 401, json: { ok: false, error: { code: 'lan_stale_request', hubTime: setup.clock.now() } } })

    // The member's clock is 10 minutes behind the hub's: the first call learns the offset, the next ones need no retry.
    const behind = createLanClient({ host: '127.0.0.1', port: setup.port, pin: { fingerprint: setup.identity.fingerprint }, credential: answer.credential, now: () => setup.clock.now() - 600_000 })
    expect((await behind.whoami()).memberId).toBe(answer.memberId)
    expect(behind.clockOffset()).toBe(600_000)
    expect((await client.whoami()).memberId).toBe(answer.memberId)
  })
})

describe('LAN hub: the listener', () => {
  it('is off until start and really closed by stop (the port refuses connections), and starts again with the same certificate', async () => {
    const setup = await startedHub()
    const { hub, port } = setup
    const { client } = await paired(setup)
    expect(hub.listening()).toBe(true)
    await hub.stop()
    expect(hub.listening()).toBe(false)
    expect(await portRefuses(port)).toBe(true)
    expect(await refusedWith(client.whoami())).toBe('lan_unreachable')
    expect(() => hub.openPairing()).toThrow()

    const again = await hub.start({ host: '127.0.0.1', port })
    expect(again.port).toBe(port)
    expect(hub.identity()?.fingerprint).toBe(setup.identity.fingerprint)
    expect((await client.whoami()).deskName).toBe('Desk 2')
  })

  it('stop closes connections still open (a member in the middle of a call)', async () => {
    let release: () => void = () => {}
    const slow = lanRoute({ method: 'GET', path: '/slow', auth: 'member', input: z.object({}), handle: () => new Promise<{ done: true }>((resolve) => (release = () => resolve({ done: true }))) })
    const setup = await startedHub({ routes: [slow as LanRoute<never, unknown>] })
    const { client } = await paired(setup)
    const pending = client.call('GET', '/slow', undefined, z.object({ done: z.literal(true) })).catch((err: unknown) => err)
    await new Promise((r) => setTimeout(r, 100))
    await setup.hub.stop()
    release()
    expect(await portRefuses(setup.port)).toBe(true)
    expect(await pending).toBeInstanceOf(Error)
  })

  it('extra routes plug into the table: validated input, the member who asks, refusals as codes', async () => {
    const marks: { member: string; id: number }[] = []
    const upload = lanRoute({
      method: 'POST',
      path: '/marks',
      auth: 'member',
      input: z.object({ marks: z.array(z.object({ id: z.number().int().positive() })).max(100) }).strict(),
      handle: ({ member, input }) => {
        for (const m of input.marks) marks.push({ member: member!.deskName, id: m.id })
        return { accepted: input.marks.length }
      }
    })
    const setup = await startedHub({ routes: [upload as LanRoute<never, unknown>] })
    const { client } = await paired(setup)
    expect(await client.call('POST', '/marks', { marks: [{ id: 1 }, { id: 2 }] }, z.object({ accepted: z.number() }))).toEqual({ accepted: 2 })
    expect(await refusedWith(client.call('POST', '/marks', { marks: [{ id: -1 }] }, z.object({ accepted: z.number() })))).toBe('lan_invalid_request')
    expect(marks).toEqual([
      { member: 'Desk 2', id: 1 },
      { member: 'Desk 2', id: 2 }
    ])
    // Unauthenticated, the body is not even read.
    const anonymous = await rawRequest(setup.port, setup.identity.certPem, 'POST', '/marks', {}, JSON.stringify({ marks: [{ id: 3 }] }))
    expect(anonymous.code).toBe('lan_unpaired')
    expect(marks).toHaveLength(2)
  })
})
