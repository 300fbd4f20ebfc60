/**
 * A seeded attendance history, made the way a desk makes it: a CSV of a weekly "Morning Yoga"
 * class (six past weeks and today) and an "Evening Spin" class, imported, then checked in and
 * marked as no-shows session by session through the desk's own calls. Used by the unit tests
 * (through the dispatcher) and the e2e test (through the web transport).
 *
 * Who is who today, in Morning Yoga:
 * - Ada Lovelace came every week (6 visits in the series, 8 with two Spin classes): "7th visit";
 * - Ben Okafor came three times, then missed the last three (marked no-show): "3 no-shows";
 * - Cleo Park booked for the first time: "first visit";
 * - another "Ada Lovelace" (another email) is a different person: also a first visit;
 * - Eve Stone booked with " EVE@Example.com " once and "eve@example.com" otherwise: one person;
 * - Finn (no email, no phone) has no way to be known: no history at all.
 */
import { DateTime } from 'luxon'

type Call = <T = unknown>(name: string, input: Record<string, unknown>) => Promise<T>

export const HISTORY_ZONE = 'Europe/Berlin'
const YOGA = 'Morning Yoga'
const SPIN = 'Evening Spin'

interface Booking {
  name: string
  email: string
  phone: string
  ref: string
}

/** The CSV and the marks to make, for a "today" (yyyy-MM-dd) in the desk's zone. */
export function historyPlan(today: string) {
  const day = (weeksAgo: number, daysAgo = 0) => DateTime.fromISO(today, { zone: HISTORY_ZONE }).minus({ weeks: weeksAgo, days: daysAgo }).toFormat('yyyy-MM-dd')
  const rows: string[] = ['Name,Email,Phone,Party size,Booking id,Status,Session,Start,End,Capacity']
  const add = (b: Booking, title: string, date: string, start: string, end: string) =>
    rows.push([b.name, b.email, b.phone, '1', `${b.ref}-${title === YOGA ? 'Y' : 'S'}-${date}`, 'confirmed', title, `${date} ${start}`, `${date} ${end}`, '20'].join(','))
  const ada = { name: 'Ada Lovelace', email: 'ada@example.com', phone: '', ref: 'ADA' }
  const ben = { name: 'Ben Okafor', email: 'ben@example.com', phone: '+49 170 555 0101', ref: 'BEN' }
  const cleo = { name: 'Cleo Park', email: 'cleo@example.com', phone: '', ref: 'CLEO' }
  const ada2 = { name: 'Ada Lovelace', email: 'a.lovelace@other.example', phone: '', ref: 'ADA2' }
  const eve = { name: 'Eve Stone', email: 'eve@example.com', phone: '', ref: 'EVE' }
  const eveShouting = { ...eve, email: ' EVE@Example.com ' }
  const finn = { name: 'Finn', email: '', phone: '', ref: 'FINN' }
  const marks: { title: string; date: string; name: string; email: string; mark: 'in' | 'no-show' }[] = []
  for (let w = 6; w >= 0; w--) {
    const date = day(w)
    for (const b of [ada, ben]) add(b, YOGA, date, '09:00', '10:00')
    if (w === 3) add(eveShouting, YOGA, date, '09:00', '10:00')
    if (w === 2 || w === 0) add(eve, YOGA, date, '09:00', '10:00')
    if (w === 0) for (const b of [cleo, ada2, finn]) add(b, YOGA, date, '09:00', '10:00')
    if (w > 0) {
      marks.push({ title: YOGA, date, name: ada.name, email: ada.email, mark: 'in' })
      marks.push({ title: YOGA, date, name: ben.name, email: ben.email, mark: w > 3 ? 'in' : 'no-show' })
      if (w === 3) marks.push({ title: YOGA, date, name: eve.name, email: eveShouting.email, mark: 'in' })
      if (w === 2) marks.push({ title: YOGA, date, name: eve.name, email: eve.email, mark: 'in' })
    }
  }
  for (const w of [1, 2]) {
    const date = day(w, 2)
    add(ada, SPIN, date, '18:30', '19:15')
    marks.push({ title: SPIN, date, name: ada.name, email: ada.email, mark: 'in' })
  }
  return { csv: rows.join('\n') + '\n', marks, today: day(0), yogaDates: [6, 5, 4, 3, 2, 1, 0].map((w) => day(w)) }
}

interface SessionLite {
  id: number
  title: string
}
interface RowLite {
  participationId: number
  name: string
  email: string | null
}

/** Imports the plan and makes its marks; answers today's Morning Yoga session id. */
export async function seedHistory(call: Call, today: string): Promise<{ yogaToday: number; plan: ReturnType<typeof historyPlan> }> {
  const plan = historyPlan(today)
  await call('import.commit', { csv: plan.csv, timeZone: HISTORY_ZONE })
  const sessionOf = async (title: string, date: string) => {
    const { sessions } = await call<{ sessions: SessionLite[] }>('sessions.forDay', { date, timeZone: HISTORY_ZONE })
    const s = sessions.find((x) => x.title === title)
    if (!s) throw new Error(`no ${title} on ${date}`)
    return s.id
  }
  for (const m of plan.marks) {
    const sessionId = await sessionOf(m.title, m.date)
    const { rows } = await call<{ rows: RowLite[] }>('roster.page', { sessionId, search: '', offset: 0, limit: 50 })
    const row = rows.find((r) => r.name === m.name && (r.email ?? '').trim().toLowerCase() === m.email.trim().toLowerCase())
    if (!row) throw new Error(`${m.name} is not on ${m.title} ${m.date}`)
    if (m.mark === 'in') await call('attendance.checkIn', { sessionId, participationId: row.participationId, attendees: 1 })
    else await call('attendance.noShow', { sessionId, participationId: row.participationId })
  }
  return { yogaToday: await sessionOf(YOGA, plan.today), plan }
}
