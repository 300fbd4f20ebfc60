/**
 * A Wix desk process for the crash test: checks one person in and lets the sync engine send it.
 * The parent kills it while the PATCH is on the wire (Wix committed it, the answer is delayed).
 */
import { openDesk } from '../../src/main/core'

const [dataDir, sessionId, participationId] = process.argv.slice(2) as [string, string, string]
const desk = openDesk({ dataDir, syncTimerMs: 50, providerTimeoutMs: 120_000 })
desk.handlers['attendance.checkIn']({
  sessionId: Number(sessionId),
  participationId: Number(participationId),
  attendees: 2,
  allowOverParty: false,
  method: 'manual'
})
process.stdout.write('ACK\n')
setInterval(() => {}, 1000)
