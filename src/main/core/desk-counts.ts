/**
 * Who checked the session's people in, desk by desk (issue 18: several desks share one roster):
 * today's arrivals of the session grouped by the desk that made each mark, named as the desk knows
 * it — itself, a member of this hub (its paired name), the hub this desk joined — else by id.
 * Marks that came from the booking system without a desk (another tool's station) are one group.
 * Reads the session's marks through attendance_session_status: a few thousand rows, no roster scan.
 */
import type { DeskCount } from '../../shared/contract'
import type { LanStore } from '../lan/store'
import type { CoreContext } from './context'
import { dayIn, spansDays } from './days'

interface SessionLike {
  id: number
  startsAt: number
  endsAt: number
  timeZone: string
}

export function createDeskCounts(ctx: CoreContext, lan: LanStore | undefined) {
  const byDesk = ctx.db.$client.prepare<{ sessionId: number; today: string | null }, { deskId: string | null; bookings: number; people: number }>(`
    SELECT a.desk_id AS deskId, count(*) AS bookings, sum(a.attendees) AS people
    FROM attendance a INDEXED BY attendance_session_status
    WHERE a.session_id = @sessionId AND a.status = 'ATTENDED' AND (@today IS NULL OR a.day = @today)
    GROUP BY a.desk_id`)

  // Every desk this one has heard of by name: the hub's live stream names the desks behind the
  // marks it sends (the hub itself included), and a hub keeps each member's paired name there too.
  const stations = ctx.db.$client.prepare<[], { key: string; value: string }>(`SELECT key, value FROM desk_meta WHERE key >= 'station:' AND key < 'station;'`)

  function names(): Map<string, string> {
    const known = new Map<string, string>()
    for (const s of stations.all()) known.set(s.key.slice('station:'.length), s.value)
    // This hub's members as they paired (the active pairing last, so its name wins).
    const members = [...(lan?.read().hub?.members ?? [])].sort((a, b) => Number(a.revokedAt === null) - Number(b.revokedAt === null))
    for (const m of members) known.set(m.deskId, m.deskName)
    known.set(ctx.deskId, ctx.deskName)
    return known
  }

  return {
    forSession(session: SessionLike): DeskCount[] {
      const today = spansDays(session) ? dayIn(ctx.now(), session.timeZone) : null
      const known = names()
      return byDesk
        .all({ sessionId: session.id, today })
        .map((r) => ({ deskId: r.deskId, deskName: r.deskId === null ? null : (known.get(r.deskId) ?? null), thisDesk: r.deskId === ctx.deskId, bookings: r.bookings, people: r.people }))
        .sort((a, b) => b.people - a.people || (a.deskName ?? a.deskId ?? '').localeCompare(b.deskName ?? b.deskId ?? ''))
    }
  }
}
