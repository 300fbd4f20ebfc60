/**
 * Front-desk operations beyond a single check-in: walk-ins, confirming a pending booking, closing a
 * session (the rest become no-shows), the audit trail and arrivals over time.
 */
import { describe, expect, it } from 'vitest'
import { createAttendanceService } from '../../src/main/core/attendance'
import { createAuditLog } from '../../src/main/core/audit'
import { createRosterService } from '../../src/main/core/roster'
import { createSessionService } from '../../src/main/core/sessions'
import { importStudio, testDesk } from './helpers'

function services(t: ReturnType<typeof testDesk>) {
  const sessions = createSessionService(t.desk.context)
  const roster = createRosterService(t.desk.context, sessions)
  return { sessions, roster, attendance: createAttendanceService(t.desk.context, sessions, roster), audit: createAuditLog(t.desk.context, sessions) }
}

describe('desk operations', () => {
  it('adds a walk-in offline, checked in with their party and marked as a walk-in', async () => {
    const t = testDesk({ now: () => Date.parse('2026-07-06T07:05:00Z') })
    const { yoga } = await importStudio(t)
    const { attendance } = services(t)
    const row = attendance.walkIn({ sessionId: yoga.id, name: 'Walk In Wanda', email: null, phone: '+49 151 0000', partySize: 2, checkIn: true })
    expect(row).toMatchObject({ name: 'Walk In Wanda', isWalkIn: true, partySize: 2, attendance: { status: 'ATTENDED', attendees: 2 } })
    expect(await t.call('roster.counts', { sessionId: yoga.id })).toMatchObject({ arrivedPeople: 2, expectedPeople: 8, participations: 4 })
    expect((await t.call('roster.page', { sessionId: yoga.id, search: 'wanda', offset: 0, limit: 5 })).rows).toHaveLength(1)
    const kinds = t.desk.db.$client.prepare('SELECT kind FROM outbox ORDER BY seq').pluck().all()
    expect(kinds).toEqual(['participation.create', 'attendance.set'])
  })

  it('confirms a pending booking on arrival', async () => {
    const t = testDesk()
    const { yoga } = await importStudio(t)
    const { attendance } = services(t)
    const zoe = (await t.call('roster.page', { sessionId: yoga.id, search: 'zoe', offset: 0, limit: 1 })).rows[0]!
    expect(zoe.status).toBe('PENDING_CONFIRMATION')
    expect(attendance.confirm({ sessionId: yoga.id, participationId: zoe.participationId }).status).toBe('CONFIRMED')
    expect((await t.call('roster.counts', { sessionId: yoga.id })).pendingConfirmations).toBe(0)
  })

  it('closes a session: everyone without a mark becomes a no-show; arrivals keep theirs', async () => {
    const t = testDesk()
    const { yoga } = await importStudio(t)
    const { attendance } = services(t)
    const anna = (await t.call('roster.page', { sessionId: yoga.id, search: 'anna', offset: 0, limit: 1 })).rows[0]!
    await t.call('attendance.checkIn', { sessionId: yoga.id, participationId: anna.participationId, attendees: 3 })
    expect(attendance.closeSession({ sessionId: yoga.id })).toEqual({ marked: 2 })
    expect(await t.call('roster.counts', { sessionId: yoga.id })).toMatchObject({ arrivedPeople: 3, noShows: 2, checkedIn: 1 })
    expect(attendance.closeSession({ sessionId: yoga.id })).toEqual({ marked: 0 })
  })

  it('keeps an audit trail of marks with desk, desk time and the sync state', async () => {
    let clock = Date.parse('2026-07-06T07:01:00Z')
    const t = testDesk({ now: () => clock })
    const { spin } = await importStudio(t)
    const { audit } = services(t)
    const liam = (await t.call('roster.page', { sessionId: spin.id, search: 'liam', offset: 0, limit: 1 })).rows[0]!
    await t.call('attendance.checkIn', { sessionId: spin.id, participationId: liam.participationId, attendees: 1 })
    clock += 30_000
    await t.call('attendance.undo', { sessionId: spin.id, participationId: liam.participationId })
    const entries = audit.list({ sessionId: spin.id, beforeId: null, limit: 10 })
    expect(entries.map((e) => [e.action, e.personName, e.at, e.deskId])).toEqual([
      ['undo', "O'Brien, Liam", '2026-07-06T07:01:30.000Z', t.desk.info.deskId],
      ['check_in', "O'Brien, Liam", '2026-07-06T07:01:00.000Z', t.desk.info.deskId]
    ])
    // A local-only desk has nothing to upload.
    expect(entries.every((e) => e.sync === null)).toBe(true)
    expect(audit.list({ sessionId: null, beforeId: entries[1]!.id, limit: 10 }).map((e) => e.action)).toEqual(['import'])
  })

  it('counts arrivals over time in slots of the session zone', async () => {
    let clock = Date.parse('2026-07-06T06:52:00Z')
    const t = testDesk({ now: () => clock })
    const { yoga } = await importStudio(t)
    const { audit } = services(t)
    const rows = (await t.call('roster.page', { sessionId: yoga.id, search: '', offset: 0, limit: 10 })).rows
    await t.call('attendance.checkIn', { sessionId: yoga.id, participationId: rows[0]!.participationId, attendees: 3 })
    clock += 4 * 60_000
    await t.call('attendance.checkIn', { sessionId: yoga.id, participationId: rows[1]!.participationId, attendees: 1 })
    clock += 10 * 60_000
    await t.call('attendance.checkIn', { sessionId: yoga.id, participationId: rows[2]!.participationId, attendees: 2, allowOverParty: true })
    expect(audit.arrivals(yoga.id, 5)).toEqual([
      { slotStart: '2026-07-06T08:50:00.000+02:00', people: 3 },
      { slotStart: '2026-07-06T08:55:00.000+02:00', people: 1 },
      { slotStart: '2026-07-06T09:05:00.000+02:00', people: 2 }
    ])
  })
})
