/**
 * The loopback fake Wix in its own process (its own event loop and core, as a remote server
 * would be): `node --import tsx test/bench/fake-wix-child.ts <size> <day> <zone>`. Seeds one
 * conference event with <size> participations, prints one JSON line, serves until stdin closes.
 */
import { startFakeWix } from '../fakes/wix'
import { NAMESPACE, OTHER_APP_ID, participationSeed, person } from './data'

const [sizeArg, day, zone] = process.argv.slice(2)
const size = Number(sizeArg)

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
const seededMs = performance.now() - t0

process.stdout.write(`${JSON.stringify({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, siteId: fake.siteId, eventId: event.id, namespace: NAMESPACE, seededMs, rss: process.memoryUsage().rss })}\n`)

const stop = () => void fake.close().finally(() => process.exit(0))
process.stdin.on('end', stop)
process.stdin.on('close', stop)
process.stdin.resume()
process.on('SIGTERM', stop)
