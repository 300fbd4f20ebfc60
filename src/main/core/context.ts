/**
 * What every core service shares: the database, who this desk is, and the clock (injectable, so
 * tests can say exactly when a mark happened).
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { eq } from 'drizzle-orm'
import type { Db } from '../db'
import { schema } from '../db'

export interface CoreContext {
  db: Db
  deskId: string
  deskName: string
  now: () => number
  newId: () => string
}

function readOrCreate(db: Db, key: string, create: () => string): string {
  const row = db.select().from(schema.deskMeta).where(eq(schema.deskMeta.key, key)).get()
  if (row) return row.value
  const value = create()
  db.insert(schema.deskMeta).values({ key, value }).onConflictDoNothing().run()
  return value
}

export function createContext(db: Db, options: { now?: () => number; deskName?: string } = {}): CoreContext {
  const deskId = readOrCreate(db, 'desk_id', () => randomUUID())
  const deskName = options.deskName ?? readOrCreate(db, 'desk_name', () => hostname() || 'Front desk')
  return { db, deskId, deskName, now: options.now ?? Date.now, newId: randomUUID }
}
