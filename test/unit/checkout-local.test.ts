/**
 * Check-out and re-entry where the booking system has no check-out (local-only here; Wix takes
 * the same path): kept on the desk — nothing queued for sending, an audit entry, the export's
 * "Checked out at" — and the scanner's "a scan of someone inside checks them out".
 */
import { describe, expect, it } from 'vitest'
import { testDesk, ZONE } from './helpers'

async function localDesk() {
  let now = Date.parse('2026-07-06T08:00:00Z')
  const t = testDesk({ now: () => now })
  const session = await t.call('sessions.create', { title: 'Day pass', startsAt: '2026-07-06T06:00:00Z', endsAt: '2026-07-06T18:00:00Z', timeZone: ZONE, capacity: null })
  const ada = await t.call('attendance.walkIn', { sessionId: session.id, name: 'Ada Test', checkIn: false })
  const outbox = () => t.desk.db.$client.prepare("SELECT kind FROM outbox WHERE kind = 'attendance.checkout'").pluck().all()
  return { t, session, ada, outbox, advance: (ms: number) => (now += ms) }
}

describe('check-out on the desk (local-only, Wix)', () => {
  it('checks out and back in with an audit trail and the export column, sending nothing new', async () => {
    const { t, session, ada, outbox, advance } = await localDesk()
    await t.call('attendance.checkIn', { sessionId: session.id, participationId: ada.participationId, attendees: 1 })
    advance(2 * 3_600_000)
    const out = await t.call('attendance.checkOut', { sessionId: session.id, participationId: ada.participationId })
    expect(out.attendance).toMatchObject({ status: 'ATTENDED', checkedOutAt: '2026-07-06T10:00:00.000Z' })
    expect(await t.call('roster.counts', { sessionId: session.id })).toMatchObject({ arrivedPeople: 1, insideNow: 0 })
    expect(outbox()).toEqual([])
    const file = await t.call('export.roster', { sessionId: session.id, columns: ['name', 'checkedInAt', 'checkedOutAt'] })
    expect(file.csv).toContain('Ada Test,2026-07-06 10:00,2026-07-06 12:00')

    // Undo puts them back inside; a check-in after a check-out is re-entry.
    await t.call('attendance.undo', { sessionId: session.id, participationId: ada.participationId })
    expect(await t.call('roster.counts', { sessionId: session.id })).toMatchObject({ insideNow: 1 })
    await t.call('attendance.checkOut', { sessionId: session.id, participationId: ada.participationId })
    advance(60_000)
    const back = await t.call('attendance.checkIn', { sessionId: session.id, participationId: ada.participationId, attendees: 1 })
    expect(back.attendance).toMatchObject({ checkedOutAt: null, markedAt: '2026-07-06T10:01:00.000Z' })
    const { entries } = await t.call('audit.list', { sessionId: session.id, beforeId: null, limit: 50 })
    expect(entries.map((e) => e.action).reverse()).toEqual(['session.create', 'walk_in', 'check_in', 'check_out', 'undo', 'check_out', 'reentry'])
    expect(outbox()).toEqual([])
  })

  it('a scan of someone inside says so, or checks them out when the desk is set so', async () => {
    const { t, session, ada } = await localDesk()
    const code = String(ada.participationId)
    expect(await t.call('attendance.scan', { sessionId: session.id, code })).toMatchObject({ outcome: 'checked_in' })
    expect(await t.call('attendance.scan', { sessionId: session.id, code })).toMatchObject({ outcome: 'already' })
    const out = await t.call('attendance.scan', { sessionId: session.id, code, inside: 'check_out' })
    expect(out).toMatchObject({ outcome: 'checked_out', reason: 'scan_checked_out', params: { name: 'Ada Test' } })
    expect(out.row?.attendance.checkedOutAt).not.toBeNull()
    // Scanned again on the way back in: re-entry.
    expect(await t.call('attendance.scan', { sessionId: session.id, code, inside: 'check_out' })).toMatchObject({ outcome: 'checked_in' })
    expect(await t.call('roster.counts', { sessionId: session.id })).toMatchObject({ insideNow: 1 })
  })
})
