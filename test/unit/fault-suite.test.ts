/**
 * Faults in random mixes over long runs: every fault the fake Wix and the fake Plandocket can
 * inject (5xx before and after commit, 429 with and without Retry-After, slow answers past the
 * client timeout before and after commit, resets before and after commit, malformed and
 * wrongly-shaped JSON, three kinds of truncation, 401/403, 400/404/409/422 before and after commit),
 * plus outages, rate limits, edits made on the service by someone else and changing wire forms,
 * while a desk makes hundreds of marks.
 *
 * At the end the service is healed and the desk brought to rest: marks set aside are resolved by a
 * fixed rule (superseded → discard, latest → retry/mine: see sim/drive.ts). Then the service holds
 * exactly what the desk shows for every person, nothing is pending, nothing was created twice, and
 * a fresh pull changes nothing. Seeded (ROLLCALL_SIM_SEED replays a run); the seed is in every
 * failure message.
 */
import { DateTime } from 'luxon'
import { afterEach, describe, expect, it } from 'vitest'
import { startFakePlandocket, LIST_FORMS, type FakePlandocket } from '../fakes/plandocket'
import { startFakeWix, type Fault } from '../fakes/wix'
import { tempDir } from './helpers'
import { bringToRest, compareMarks, localMarks, randomMark, resolveByRule, type Target } from './sim/drive'
import { createRng, suiteSeed, type Rng } from './sim/random'
import { connectWix, DAY, NOT_SET, openSimDesk, pullEverything, sleep, wixMark, ZONE, seedWorld, type Mark, type SimDesk } from './sim/wix-world'

const SEED = suiteSeed(0xfa_0175)
const tag = (msg: string) => `[fault-suite seed=${SEED}] ${msg}`

const closers: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

/** The whole catalogue, weighted: transient faults often, refusals that set a mark aside now and then. */
function catalogue(rng: Rng): [string, Fault, number][] {
  const wixError = (code: string, message: string) => ({ message, details: { applicationError: { code, description: message, data: {} } } })
  return [
    ['500', { type: 'status', status: 500 }, 3],
    ['502 after commit', { type: 'status', status: 502, when: 'after' }, 3],
    ['503 with body', { type: 'status', status: 503, body: wixError('UNAVAILABLE', 'try later') }, 2],
    ['504', { type: 'status', status: 504 }, 1],
    ['429', { type: 'rateLimit' }, 2],
    ['429 Retry-After 0', { type: 'rateLimit', retryAfterSeconds: 0 }, 2],
    ['429 Retry-After 1', { type: 'rateLimit', retryAfterSeconds: 1 }, 1],
    ['slow before', { type: 'delay', ms: rng.int(50, 400) }, 3],
    ['slow after commit', { type: 'delay', ms: rng.int(50, 400), when: 'after' }, 3],
    ['reset', { type: 'reset' }, 2],
    ['reset after commit', { type: 'reset', when: 'after' }, 3],
    ['malformed', { type: 'malformed' }, 2],
    ['malformed before', { type: 'malformed', when: 'before' }, 1],
    ['empty 200', { type: 'malformed', body: '' }, 1],
    ['JSON null', { type: 'malformed', body: 'null' }, 1],
    ['wrong shapes', { type: 'malformed', body: '{"participation":42,"participations":"x","events":{},"results":7,"attendances":null,"attendance":[]}' }, 1],
    ['truncated', { type: 'truncated' }, 2],
    ['truncated mid-body', { type: 'truncated', mode: 'closeMidBody' }, 1],
    ['truncated short body', { type: 'truncated', mode: 'shortBody' }, 2],
    ['401', { type: 'status', status: 401, body: wixError('UNAUTHENTICATED', 'token expired') }, 1],
    ['403', { type: 'status', status: 403, body: '' }, 1],
    ['400', { type: 'status', status: 400, body: { message: 'bad', details: { validationError: { fieldViolations: [{ field: 'x', description: 'nope', violatedRule: 'FORMAT' }] } } } }, 1],
    ['404', { type: 'status', status: 404, body: wixError('NOT_FOUND', 'gone') }, 1],
    ['409', { type: 'status', status: 409, body: wixError('REVISION_MISMATCH', 'changed') }, 1],
    ['409 after commit', { type: 'status', status: 409, when: 'after' }, 1],
    ['422', { type: 'status', status: 422, body: '' }, 1]
  ]
}

/** Arms faults: first each one of the catalogue once (in a seeded order), then weighted at random. */
function faultArmer(rng: Rng, used: Map<string, number>) {
  const unused = catalogue(rng).map(([label]) => label)
  for (let i = unused.length - 1; i > 0; i--) {
    const j = rng.int(0, i)
    ;[unused[i], unused[j]] = [unused[j]!, unused[i]!]
  }
  const armOne = (faults: { next(n: number, fault: Fault): void }, label: string, count: number) => {
    const fault = catalogue(rng).find(([l]) => l === label)![1]
    faults.next(count, fault)
    used.set(label, (used.get(label) ?? 0) + 1)
  }
  return {
    /** During the run: one more fault, unless armed ones are still waiting to strike. */
    maybeArm(faults: { next(n: number, fault: Fault): void; pending(): number }) {
      if (faults.pending() > 1) return
      const label = unused.shift() ?? rng.weighted(catalogue(rng).map(([l, , weight]) => [l, weight] as const))
      armOne(faults, label, rng.int(1, 3))
    },
    /** After the run: every fault the run did not get to, one at a time, each made to strike. */
    async armTheRest(faults: { next(n: number, fault: Fault): void; pending(): number }, strike: () => Promise<void>) {
      for (let label = unused.shift(); label !== undefined; label = unused.shift()) {
        armOne(faults, label, 1)
        await strike()
      }
    }
  }
}

async function runMarks(d: SimDesk, targets: Target[], rng: Rng, steps: number, chaos: (step: number) => Promise<void> | void) {
  let acknowledged = 0
  const last = new Map<Target, Mark>(targets.map((t) => [t, NOT_SET]))
  for (let step = 0; step < steps; step++) {
    await chaos(step)
    const target = rng.pick(targets)
    const result = await randomMark(d, target, rng)
    if (result) {
      acknowledged++
      last.set(target, result.mark)
    }
    if (rng.chance(0.4)) await sleep(rng.int(0, 12))
    if (rng.chance(0.04)) void d.call('sync.now', {}) // what the desk's "Sync now" does: also lifts a sign-in hold
    if (rng.chance(0.04)) await resolveByRule(d)
    if (rng.chance(0.03)) void d.desk.sync.requestPull({ kind: 'session', sessionId: target.sessionId })
  }
  return { acknowledged, last }
}

/** Lets every armed fault strike (pulls make requests) before the service is healed. */
async function spendArmedFaults(d: SimDesk, faults: { pending(): number }, sessionId: number): Promise<void> {
  const deadline = Date.now() + 10_000
  while (faults.pending() > 0 && Date.now() < deadline) {
    void d.desk.sync.requestPull({ kind: 'session', sessionId })
    // "Sync now" lifts a sign-in hold and an offline verdict, which would keep pulls from running.
    await d.call('sync.now', {})
    await d.desk.sync.idle()
    await sleep(5)
  }
  if (faults.pending() > 0) throw new Error(tag(`${faults.pending()} armed fault(s) never struck`))
}

describe('fault suite', () => {
  it('Wix: hundreds of marks under random fault mixes drain to exactly the desk’s marks', async () => {
    const rng = createRng(SEED)
    const fake = await startFakeWix({ seed: SEED, timeZone: ZONE, pagingCount: rng.pick(['present', 'absent', 'alternate'] as const), lastPageCursors: rng.pick(['empty', 'prev'] as const), revisionConflictCode: rng.pick(['REVISION_MISMATCH', null]) })
    closers.push(() => fake.close())
    const { people } = seedWorld(fake, [
      { title: 'Spin', bookings: false, people: 16, hour: 9 },
      { title: 'Yoga', bookings: true, people: 16, hour: 11 }
    ])
    const d = openSimDesk(tempDir(), { providerTimeoutMs: 250, backoff: { baseMs: 5, capMs: 50, random: rng.fork().next } })
    closers.push(() => d.close())
    await connectWix(d, fake)
    const ids = await pullEverything(d)
    const targets: Target[] = people.map((p) => ({
      sessionId: ids.sessionIds.get(p.session.eventId)!,
      participationId: ids.participationIds.get(p.wixId)!,
      partySize: p.partySize,
      label: p.name
    }))
    const personOf = new Map(targets.map((t, i) => [t, people[i]!]))

    const used = new Map<string, number>()
    const arm = faultArmer(rng, used)
    let outageUntil = -1
    let limitedUntil = -1
    const { acknowledged, last } = await runMarks(d, targets, rng, 600, async (step) => {
      if (rng.chance(0.35)) arm.maybeArm(fake.faults)
      if (step === outageUntil) await fake.up()
      if (outageUntil < step && rng.chance(0.02)) {
        outageUntil = step + rng.int(3, 15)
        await fake.down()
        used.set('outage', (used.get('outage') ?? 0) + 1)
      }
      if (step === limitedUntil) fake.settings.rateLimitPerMinute = undefined
      if (limitedUntil < step && rng.chance(0.01)) {
        limitedUntil = step + rng.int(5, 20)
        fake.settings.rateLimitPerMinute = rng.int(5, 30)
        used.set('rate limit', (used.get('rate limit') ?? 0) + 1)
      }
      // Someone edits a participation on Wix: the desk's next write meets a newer revision.
      if (rng.chance(0.05)) {
        const p = rng.pick(people)
        fake.updateParticipation(p.wixId, { participant: { name: `${p.name}` } })
        used.set('edited on Wix', (used.get('edited on Wix') ?? 0) + 1)
      }
    })

    // Heal and bring to rest.
    await fake.up()
    fake.settings.rateLimitPerMinute = undefined
    await spendArmedFaults(d, fake.faults, targets[0]!.sessionId)
    await arm.armTheRest(fake.faults, () => spendArmedFaults(d, fake.faults, targets[0]!.sessionId))
    fake.faults.clear()
    fake.settings.rateLimitPerMinute = undefined
    await fake.up()
    const resolutions: Record<string, number> = {}
    await bringToRest(d, 30_000, tag('Wix drain'), resolutions)

    const desk = localMarks(d.desk.db.$client, targets)
    // The desk lost nothing it acknowledged…
    expect(compareMarks(targets, desk, (t) => last.get(t)!), tag('desk lost acknowledged marks')).toEqual([])
    // …and Wix holds exactly that.
    expect(compareMarks(targets, desk, (t) => wixMark(fake, personOf.get(t)!)), tag(`faults: ${JSON.stringify(Object.fromEntries(used))}`)).toEqual([])
    expect(fake.participations(), tag('a participation was created')).toHaveLength(people.length)
    expect(fake.violations(), tag('contract violations')).toEqual([])
    // A fresh pull agrees with the desk: nothing moves.
    await pullEverything(d)
    expect(compareMarks(targets, localMarks(d.desk.db.$client, targets), (t) => desk.get(t)!), tag('a pull changed marks')).toEqual([])
    // Every fault type was really injected.
    const injected = new Set(fake.requests().map((r) => r.fault).filter(Boolean))
    expect([...injected].sort(), tag('fault types injected')).toEqual(['delay', 'malformed', 'rateLimit', 'reset', 'status', 'truncated'])
    expect(acknowledged).toBeGreaterThan(450)
    console.log(tag(`Wix: ${acknowledged} marks, ${fake.requests().length} requests, faults ${JSON.stringify(Object.fromEntries(used))}, resolutions ${JSON.stringify(resolutions)}`))
  }, 80_000)

  it('Plandocket: hundreds of marks under random fault mixes and changing wire forms end with one open check-in per arrived person', async () => {
    const rng = createRng(SEED ^ 0x9e3779b9)
    const form = () => ({
      ...rng.pick(LIST_FORMS),
      singleEnvelope: rng.pick(['bare', 'data'] as const),
      timestamps: rng.pick(['iso', 'unix', 'mixed'] as const),
      participantShape: rng.pick(['full', 'participant_id', 'sample'] as const),
      createdStatus: rng.pick([200, 201] as const),
      repeatCheckIn: rng.pick(['create', 'reject'] as const)
    })
    const fake: FakePlandocket = await startFakePlandocket({ seed: SEED, ...form() })
    closers.push(() => fake.close())
    const EVENT = { event_key: 'summit-2026', title: 'Summit 2026', date_from: `${DAY}T07:00:00Z`, date_to: `${DAY}T16:00:00Z`, is_visible: true }
    fake.addEvent(EVENT)
    const seeded = fake.seedMany(30, EVENT.event_key, (i) => ({ contact: { first_name: 'Guest', last_name: String(i).padStart(2, '0') } }))
    const d = openSimDesk(tempDir(), { providerTimeoutMs: 250, backoff: { baseMs: 5, capMs: 50, random: rng.fork().next } })
    closers.push(() => d.close())
    // Hundreds of requests in seconds: a plan with room for them (the desk's own budget is tested elsewhere).
    await d.call('settings.save', { provider: 'plandocket', plandocket: { baseUrl: fake.baseUrl, apiKey: fake.apiKey, requestsPerHour: 100_000 } })
    const start = DateTime.fromISO(DAY, { zone: ZONE })
    await d.desk.sync.requestPull({ kind: 'day', from: start.toMillis(), to: start.plus({ days: 1 }).toMillis(), timeZone: ZONE })
    await d.desk.sync.idle()
    const sessionId = d.desk.db.$client.prepare("SELECT id FROM sessions WHERE provider = 'plandocket'").pluck().get() as number
    await d.desk.sync.requestPull({ kind: 'session', sessionId })
    await d.desk.sync.idle()
    const rows = d.desk.db.$client
      .prepare<[], { id: number; providerId: string; name: string }>("SELECT id, provider_id AS providerId, name FROM participations WHERE provider = 'plandocket' ORDER BY id")
      .all()
    expect(rows).toHaveLength(seeded.length)
    const targets: Target[] = rows.map((r) => ({ sessionId, participationId: r.id, partySize: 1, label: r.name }))
    const providerIdOf = new Map(targets.map((t, i) => [t, rows[i]!.providerId]))

    const used = new Map<string, number>()
    const arm = faultArmer(rng, used)
    let outageUntil = -1
    const { acknowledged, last } = await runMarks(d, targets, rng, 400, async (step) => {
      if (rng.chance(0.35)) arm.maybeArm(fake.faults)
      if (step === outageUntil) await fake.up()
      if (outageUntil < step && rng.chance(0.02)) {
        outageUntil = step + rng.int(3, 12)
        await fake.down()
        used.set('outage', (used.get('outage') ?? 0) + 1)
      }
      if (rng.chance(0.02)) {
        fake.configure(form())
        used.set('wire form changed', (used.get('wire form changed') ?? 0) + 1)
      }
      if (rng.chance(0.01)) {
        fake.configure({ rateLimitPerHour: fake.requests().length + rng.int(3, 15) })
        used.set('rate limit', (used.get('rate limit') ?? 0) + 1)
      } else if (rng.chance(0.1)) fake.configure({ rateLimitPerHour: undefined })
    })

    await fake.up()
    fake.configure({ rateLimitPerHour: undefined })
    await spendArmedFaults(d, fake.faults, sessionId)
    await arm.armTheRest(fake.faults, () => spendArmedFaults(d, fake.faults, sessionId))
    fake.faults.clear()
    const resolutions: Record<string, number> = {}
    await bringToRest(d, 30_000, tag('Plandocket drain'), resolutions)

    const desk = localMarks(d.desk.db.$client, targets)
    expect(compareMarks(targets, desk, (t) => last.get(t)!), tag('desk lost acknowledged marks')).toEqual([])
    // Plandocket knows only "checked in or not": exactly one open check-in per arrived person, none otherwise.
    const open = (t: Target) => fake.checkIns().filter((c) => c.is_checked_in && String(c.event_participant_id) === providerIdOf.get(t)).length
    const wrong = targets
      .map((t) => ({ t, want: desk.get(t)!.status === 'ATTENDED' ? 1 : 0, have: open(t) }))
      .filter((x) => x.want !== x.have)
      .map((x) => `${x.t.label}: desk ${desk.get(x.t)!.status}, ${x.have} open check-in(s) on Plandocket`)
    expect(wrong, tag(`faults: ${JSON.stringify(Object.fromEntries(used))}`)).toEqual([])
    expect(fake.participants(), tag('a participant was created')).toHaveLength(seeded.length)
    expect(fake.contacts(), tag('a contact was created')).toHaveLength(seeded.length)
    const injected = new Set(fake.requests().map((r) => r.fault).filter(Boolean))
    expect([...injected].sort(), tag('fault types injected')).toEqual(['delay', 'malformed', 'rateLimit', 'reset', 'status', 'truncated'])
    expect(acknowledged).toBeGreaterThan(300)
    console.log(tag(`Plandocket: ${acknowledged} marks, ${fake.requests().length} requests, faults ${JSON.stringify(Object.fromEntries(used))}, resolutions ${JSON.stringify(resolutions)}`))
  }, 80_000)
})

