/**
 * A provider is added by one folder plus one registry line: this test makes exactly those two
 * additions for a booking system kept in memory (test/unit/new-provider/) — its name joins the
 * contract's PROVIDERS list, its registration joins registrations.ts — and drives a real desk
 * (SQLite, the engine, the app's dispatcher and contract validation) with it. Nothing in the
 * engine, the replica or the core knows the name, so everything a service's name or rights decide
 * must come from what the provider declares: a name check anywhere would fail here.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ProviderError } from '../../src/main/providers/http'
import { testDesk, type TestDesk } from './helpers'
import { memory, MEMORY } from './new-provider/memory-provider'
import { drained, FAST_SYNC, pullDay, pullSession, rosterOf } from './sync-helpers'

// The two lines a developer adds: the name in the list…
vi.mock('../../src/shared/contract/constants', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/shared/contract/constants')>()
  const REMOTE_PROVIDERS = [...real.REMOTE_PROVIDERS, 'memory'] as const
  return { ...real, REMOTE_PROVIDERS, PROVIDERS: [real.LOCAL_PROVIDER, ...REMOTE_PROVIDERS] }
})
// …and its registration.
vi.mock('../../src/main/providers/registrations', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/main/providers/registrations')>()
  const { memoryRegistration } = await import('./new-provider/memory-provider')
  return { REGISTRATIONS: { ...real.REGISTRATIONS, memory: memoryRegistration } }
})

const ZONE = 'Europe/Berlin'
const DAY = '2026-07-06'

/** A desk whose stored settings chose the new provider (the set-up form is per provider, so it is stored directly). */
function memoryDesk(): TestDesk {
  const stored = new Map<string, unknown>([['provider', MEMORY]])
  return testDesk({ ...FAST_SYNC, settingsStore: { get: (key) => stored.get(key), set: (key, value) => void stored.set(key, value) } })
}

async function dayWithPeople(t: TestDesk) {
  const [session] = await pullDay(t, DAY, ZONE)
  await pullSession(t, session!.id)
  const rows = await rosterOf(t, session!.id)
  const row = (name: string) => rows.find((r) => r.name === name)!
  return { session: session!, ada: row('Ada'), ben: row('Ben'), cleo: row('Cleo') }
}

beforeEach(() => {
  memory.reset()
  memory.sessions.push({ key: 'm-1', title: 'Memory class', start: `${DAY}T09:00:00`, end: `${DAY}T10:00:00`, zone: ZONE, room: 'Blue' })
  for (const name of ['Ada', 'Ben', 'Cleo']) memory.people.push({ key: `p-${name}`, sessionKey: 'm-1', name })
})

describe('a provider added by its folder and one registry line', () => {
  it('pulls its sessions and rosters, sends check-ins, and takes its marks and deletions as the truth', async () => {
    const t = memoryDesk()
    const { session, ada, ben } = await dayWithPeople(t)
    expect(session).toMatchObject({ provider: 'memory', title: 'Memory class', walkInNeedsEmail: false })
    expect((await rosterOf(t, session.id)).map((r) => r.name)).toEqual(['Ada', 'Ben', 'Cleo'])

    await t.call('attendance.checkIn', { sessionId: session.id, participationId: ada.participationId, attendees: 1, allowOverParty: false, method: 'manual' })
    await drained(t)
    expect(memory.marks.get('p-Ada')).toEqual({ status: 'ATTENDED', attendees: 1 })
    expect((await rosterOf(t, session.id, 'Ada'))[0]).toMatchObject({ sync: 'sent', attendance: { status: 'ATTENDED' } })
    expect(await t.call('sync.status', {})).toMatchObject({ provider: 'memory', state: 'idle', online: true, pending: 0, problems: 0 })

    // Another station checks Ben in; Ada's check-in is deleted there.
    memory.marks.set('p-Ben', { status: 'ATTENDED', attendees: 1 })
    memory.marks.delete('p-Ada')
    await pullSession(t, session.id)
    const rows = await rosterOf(t, session.id)
    expect(rows.find((r) => r.participationId === ben.participationId)!.attendance.status).toBe('ATTENDED')
    expect(rows.find((r) => r.participationId === ada.participationId)!.attendance.status).toBe('NOT_SET')
  })

  it('a refusal is set aside on its row, and a refused right is named the way the provider declares (a scope)', async () => {
    const t = memoryDesk()
    const { session, ben, cleo } = await dayWithPeople(t)

    memory.next = () => ({ result: 'rejected', why: { reason: 'provider_said', params: { text: 'Ben is not allowed in today.' } } })
    await t.call('attendance.checkIn', { sessionId: session.id, participationId: ben.participationId, attendees: 1, allowOverParty: false, method: 'manual' })
    await drained(t)
    expect((await rosterOf(t, session.id, 'Ben'))[0]).toMatchObject({ sync: 'attention' })
    const { problems } = await t.call('sync.problems', {})
    expect(problems).toMatchObject([{ state: 'rejected', reason: 'provider_said', params: { text: 'Ben is not allowed in today.' } }])

    // 403 without the service naming the right: the desk says which kind it is from the traits.
    memory.next = () => new ProviderError('forbidden', 'no', 403)
    await t.call('attendance.checkIn', { sessionId: session.id, participationId: cleo.participationId, attendees: 1, allowOverParty: false, method: 'manual' })
    await t.desk.sync.idle()
    const status = await t.call('sync.status', {})
    expect(status).toMatchObject({ provider: 'memory', state: 'permission_needed', pending: 1 })
    expect(status.errors).toMatchObject([{ stage: 'send', reason: 'sync_forbidden', params: { service: 'memory', permission: { kind: 'scope' } } }])
    expect(memory.marks.has('p-Cleo')).toBe(false)
  })
})
