/**
 * The loopback fake Wix in its own process (its own event loop and core, as a remote server
 * would be): `node --import tsx test/bench/fake-wix-child.ts <size> <day> <zone> [delayMs]`. Seeds one
 * conference event with <size> participations, prints one JSON line, serves until stdin closes.
 */
import { startFakeWix } from '../fakes/wix'
import { NAMESPACE, OTHER_APP_ID, participationSeed, person } from './data'

const [sizeArg, day, zone, delayArg] = process.argv.slice(2)
const size = Number(sizeArg)
const delayMs = Number(delayArg ?? 0)

const t0 = performance.now()
const fake = await startFakeWix({ seed: 7, timeZone: zone })
const event = fake.addEvent({
  title: 'Nordic Developer Summit — Day 1',
  type: 'DEFAULT',
  appId: OTHER_APP_ID,
  start: `${day}T09:00:00`,
  end: `${day}T18:00:00`,
  timeZone: zone,
  totalCapacity: undefined
})
const markedAt = new Date().toISOString()
fake.seedMany(size, (i) => participationSeed(person(i), event.id, markedAt) as Parameters<typeof fake.addParticipation>[0])
// Attendance history: a Bookings class four times a day over the 60 days before `day`, 25
// bookings each (people of the conference), three in four marked as attended, the rest no-show.
const BOOKINGS_APP_ID = '13d21c63-b5ec-5912-8397-c3a5ddb27a97'
const HISTORY_DAYS = 60
const first = new Date(`${day}T00:00:00Z`)
let booking = 0
for (let d = 1; d <= HISTORY_DAYS; d++) {
  const date = new Date(first.getTime() - d * 86_400_000).toISOString().slice(0, 10)
  for (const hour of ['07', '12', '17', '19']) {
    const klass = fake.addEvent({ title: 'Bench Yoga', scheduleId: 'bench-yoga', scheduleName: 'Bench Yoga', type: 'CLASS', appId: BOOKINGS_APP_ID, start: `${date}T${hour}:00:00`, end: `${date}T${hour}:45:00`, timeZone: zone, totalCapacity: 30 })
    for (let k = 0; k < 25; k++) {
      const who = person((booking * 7) % size)
      const externalId = `${String(++booking).padStart(8, '0')}-bbbb-cccc-dddd-eeeeeeeeeeee`
      fake.addParticipation({ eventId: klass.id, appId: BOOKINGS_APP_ID, externalId, participant: { name: who.name, ...(who.email ? { email: who.email } : {}) }, partySize: 1 })
      fake.addAttendance({ bookingId: externalId, eventId: klass.id, status: k % 4 === 3 ? 'NOT_ATTENDED' : 'ATTENDED', numberOfAttendees: k % 4 === 3 ? 0 : 1 })
    }
  }
}
const seededMs = performance.now() - t0
// A real service's answer time: every query (a page of events, participations, attendance) waits.
if (delayMs > 0) fake.faults.always({ type: 'delay', ms: delayMs }, (r) => r.path.endsWith('/query'))

process.stdout.write(`${JSON.stringify({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, siteId: fake.siteId, eventId: event.id, namespace: NAMESPACE, historyDays: HISTORY_DAYS, historyBookings: booking, seededMs, rss: process.memoryUsage().rss })}\n`)

const stop = () => void fake.close().finally(() => process.exit(0))
process.stdin.on('end', stop)
process.stdin.on('close', stop)
process.stdin.resume()
process.on('SIGTERM', stop)
