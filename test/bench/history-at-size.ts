/**
 * `node --import tsx test/bench/history-at-size.ts [N]`: a person's attendance history on a replica
 * of N participations (default 1,000,000), filled by SQL in bulk (not the pull path: only the size
 * matters here). Prints the per-person cost of a screenful of rows and of one person's details.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDesk } from '../../src/main/core'

const N = Number(process.argv[2] ?? 1_000_000)
const dir = mkdtempSync(join(tmpdir(), 'rollcall-history-size-'))
const desk = openDesk({ dataDir: dir, env: {}, syncTimerMs: 0, reconcileMs: 0 })
try {
  const sqlite = desk.db.$client
  const t0 = performance.now()
  // 500 weekly sessions of 100 series; N bookings by 50,000 people (emails), each in 20 sessions.
  sqlite.exec(`
    WITH RECURSIVE g(value) AS (SELECT 0 UNION ALL SELECT value + 1 FROM g WHERE value < 499)
    INSERT INTO sessions (provider, provider_id, title, starts_at, ends_at, time_zone, created_at, updated_at)
    SELECT 'local', 's' || value, 'Class ' || (value % 100), ${Date.now()} - (value / 100 + 1) * 604800000 + (value % 100) * 3600000,
           ${Date.now()} - (value / 100 + 1) * 604800000 + (value % 100) * 3600000 + 3600000, 'Europe/Berlin', 0, 0
    FROM g;
  `)
  const people = 50_000
  sqlite.transaction(() => {
    const add = sqlite.prepare(
      `WITH RECURSIVE g(value) AS (SELECT ? UNION ALL SELECT value + 1 FROM g WHERE value < ?)
       INSERT INTO participations (provider, provider_id, session_id, name, sort_name, email, created_at, updated_at)
       SELECT 'local', 'p' || value, 1 + ((value / ${people}) * 7 + value) % 500, 'Person ' || (value % ${people}), 'person ' || (value % ${people}), 'p' || (value % ${people}) || '@example.com', 0, 0
       FROM g`
    )
    for (let at = 0; at < N; at += 100_000) add.run(at, Math.min(N, at + 100_000) - 1)
    sqlite.exec(`INSERT INTO attendance (participation_id, session_id, status, attendees, method, updated_at)
                 SELECT id, session_id, CASE WHEN id % 5 = 0 THEN 'NOT_ATTENDED' ELSE 'ATTENDED' END, CASE WHEN id % 5 = 0 THEN 0 ELSE 1 END, 'manual', 0
                 FROM participations WHERE id % 3 <> 0`)
  })()
  const filled = performance.now() - t0
  const total = sqlite.prepare('SELECT count(*) FROM participations').pluck().get() as number
  const sessionId = 1
  const ids = sqlite.prepare('SELECT id FROM participations WHERE session_id = ? LIMIT 200').pluck().all(sessionId) as number[]
  const times: number[] = []
  const details: number[] = []
  for (let r = 0; r < 20; r++) {
    let t = performance.now()
    desk.handlers['history.people']({ sessionId, participationIds: ids })
    times.push((performance.now() - t) / ids.length)
    t = performance.now()
    desk.handlers['history.person']({ sessionId, participationId: ids[r]! })
    details.push(performance.now() - t)
  }
  const sorted = (a: number[]) => [...a].sort((x, y) => x - y)
  const p = (a: number[], q: number) => sorted(a)[Math.min(a.length - 1, Math.floor(q * a.length))]!.toFixed(2)
  const sample = desk.handlers['history.person']({ sessionId, participationId: ids[0]! }) as { overall: { visits: number; noShows: number } }
  console.log(
    JSON.stringify({ participations: total, filledSeconds: +(filled / 1000).toFixed(1), perPersonMs: { p50: p(times, 0.5), p95: p(times, 0.95) }, detailsMs: { p50: p(details, 0.5), p95: p(details, 0.95) }, sample: sample.overall })
  )
} finally {
  desk.close()
  rmSync(dir, { recursive: true, force: true })
}
