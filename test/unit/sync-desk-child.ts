/**
 * A syncing desk process for the crash tests: checks one person in and lets the sync engine send
 * it. The parent kills it while the request is on the wire (the provider committed it, the answer
 * is delayed). Args: dataDir sessionId participationId [attendees=2].
 */
import { openDesk } from '../../src/main/core'

const [dataDir, sessionId, participationId, attendees = '2'] = process.argv.slice(2) as [string, string, string, string?]
const desk = openDesk({ dataDir, syncTimerMs: 50, providerTimeoutMs: 120_000 })
desk.handlers['attendance.checkIn']({
  sessionId: Number(sessionId),
  participationId: Number(participationId),
  attendees: Number(attendees),
  allowOverParty: false,
  method: 'manual'
})
process.stdout.write('ACK\n')
setInterval(() => {}, 1000)
