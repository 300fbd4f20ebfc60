/**
 * A desk process for the crash test: imports a roster, then checks people in one by one, printing
 * "ACK <participationId>" only after each check-in call has returned (what the desk would show as
 * done). The parent kills it with SIGKILL at an arbitrary moment.
 */
import { createDispatcher } from '../../src/main/ipc/dispatcher'
import { openDesk } from '../../src/main/core'

const [dataDir, csv] = process.argv.slice(2) as [string, string]
const desk = openDesk({ dataDir })
const dispatch = createDispatcher(desk.handlers)
const must = async (name: string, input: unknown) => {
  const answer = await dispatch(name, input)
  if (!answer.ok) throw new Error(answer.error.message)
  return answer.value as never
}

const { sessionIds } = await must('import.commit', { csv, timeZone: 'UTC' }) as { sessionIds: number[] }
const sessionId = sessionIds[0]!
const { rows } = await must('roster.page', { sessionId, search: '', offset: 0, limit: 500 }) as { rows: { participationId: number }[] }
process.stdout.write(`READY ${sessionId}\n`)
for (const row of rows) {
  await must('attendance.checkIn', { sessionId, participationId: row.participationId, attendees: 1 })
  process.stdout.write(`ACK ${row.participationId}\n`)
}
process.stdout.write('DONE\n')
setInterval(() => {}, 1000)
