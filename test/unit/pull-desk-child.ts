/**
 * A desk pulling a big Wix roster for the mid-pull crash test (pull-crash.test.ts), checking a
 * walk-in in over and over while it pulls. Prints `ACK <attendees>` after each acknowledged
 * check-in; the parent SIGKILLs it mid-pull. Args: dataDir baseUrl siteId apiKey namespace day zone.
 */
import { DateTime } from 'luxon'
import { openDesk } from '../../src/main/core'

const [dataDir, baseUrl, siteId, apiKey, namespace, day, zone] = process.argv.slice(2) as [string, string, string, string, string, string, string]
const desk = openDesk({ dataDir, env: {}, syncTimerMs: 0, providerTimeoutMs: 60_000 })
const h = desk.handlers
await h['settings.save']({ provider: 'wix', wix: { siteId, apiKey, baseUrl, namespace } } as never)
await desk.sync.idle()
const start = DateTime.fromISO(`${day}T07:00:00`, { zone })
const local = await h['sessions.create']({ title: 'Walk-ins', startsAt: start.toUTC().toISO()!, endsAt: start.plus({ hours: 1 }).toUTC().toISO()!, timeZone: zone, capacity: null })
const walkIn = await h['attendance.walkIn']({ sessionId: local.id, name: 'Crash Walk-In', email: null, phone: null, partySize: 1000, checkIn: false })
process.stdout.write(`READY ${local.id} ${walkIn.participationId}\n`)
const from = DateTime.fromISO(day, { zone })
void desk.sync.requestPull({ kind: 'day', from: from.toMillis(), to: from.plus({ days: 1 }).toMillis(), timeZone: zone })
let attendees = 0
setInterval(() => {
  attendees = (attendees % 1000) + 1
  void Promise.resolve(h['attendance.checkIn']({ sessionId: local.id, participationId: walkIn.participationId, attendees, allowOverParty: false, method: 'manual' })).then(() =>
    process.stdout.write(`ACK ${attendees}\n`)
  )
}, 5)
