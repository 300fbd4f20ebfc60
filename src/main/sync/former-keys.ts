/**
 * A walk-in's first key, kept after the booking system gives the person its own id (issue 18).
 *
 * A walk-in is stored as `walk-in:<uuid>` until Wix or Plandocket answers with its id, and the
 * desk then renames the row. On a LAN hub, members already hold the person by the first key (the
 * walk-in route answered with it, or they downloaded the roster before the hub's sync ran): their
 * next mark names it, and their next download must rename their row, not add a second one. So the
 * hub keeps, for every renamed walk-in, both directions:
 *   `former-key:<provider>:<old provider id>` → the participation's row id (a member's key still finds the person)
 *   `former-key-of:<row id>`                  → the old provider id (the roster and the stream tell members the rename)
 * in desk_meta, written in the transaction that renames the row. A walk-in is renamed once, so
 * there are two small rows per walk-in a booking system took: no table or migration of its own.
 * The first key is kept if a row were renamed again: it is the one members hold. A row removed by
 * retention leaves its entries behind, harmless: the lookup joins the row and finds nothing.
 */
import type Database from 'better-sqlite3'

export const FORMER_KEY = 'former-key:'
export const FORMER_KEY_OF = 'former-key-of:'

export function formerKeys(sqlite: Database.Database) {
  const remember = sqlite.prepare(`INSERT INTO desk_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`)
  const find = sqlite.prepare<[string], number>(
    `SELECT p.id FROM desk_meta m JOIN participations p ON p.id = CAST(m.value AS INTEGER) WHERE m.key = ?`
  ).pluck()
  const of = sqlite.prepare<[string], string>(`SELECT value FROM desk_meta WHERE key = ?`).pluck()
  return {
    /** Row `participationId`, known as `<provider>:<oldProviderId>`, has just been renamed. Call inside the renaming transaction. */
    remember(provider: string, oldProviderId: string, participationId: number): void {
      remember.run(`${FORMER_KEY}${provider}:${oldProviderId}`, String(participationId))
      remember.run(`${FORMER_KEY_OF}${participationId}`, oldProviderId)
    },
    /** The row a former `<provider>:<provider id>` names now, if it was renamed. */
    find: (provider: string, providerId: string): number | undefined => find.get(`${FORMER_KEY}${provider}:${providerId}`),
    /** The provider id the row had before it was renamed, if it was. */
    of: (participationId: number): string | undefined => of.get(`${FORMER_KEY_OF}${participationId}`)
  }
}
export type FormerKeys = ReturnType<typeof formerKeys>
