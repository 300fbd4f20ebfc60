import { spawn } from 'node:child_process'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { DATABASE_FILE } from '../../src/main/core'
import { tempDir } from './helpers'

const roster = ['Name,Session,Start', ...Array.from({ length: 300 }, (_, i) => `Person ${i},Crash class,2026-07-06 09:00`)].join('\n')

/** Runs the child desk until it has acknowledged `wanted` check-ins, then SIGKILLs it. */
function runAndKill(dataDir: string, wanted: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'durability-child.ts'), dataDir, roster], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const acked: number[] = []
    let buffer = ''
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      let nl: number
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        if (line.startsWith('ACK ')) {
          acked.push(Number(line.slice(4)))
          if (acked.length === wanted) child.kill('SIGKILL')
        }
      }
    })
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked)
      else reject(new Error(`child ended with ${code}/${signal} before the kill: ${stderr}`))
    })
  })
}

describe('durability', () => {
  it('keeps every acknowledged check-in and its outbox row after the process is SIGKILLed', async () => {
    const dataDir = tempDir()
    const acked = await runAndKill(dataDir, 25)
    expect(acked.length).toBeGreaterThanOrEqual(25)

    const db = new Database(join(dataDir, DATABASE_FILE))
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      const attended = new Set(db.prepare(`SELECT participation_id FROM attendance WHERE status = 'ATTENDED'`).pluck().all() as number[])
      const queued = new Set(
        db.prepare(`SELECT participation_id FROM outbox WHERE kind = 'attendance.set'`).pluck().all() as number[]
      )
      for (const id of acked) {
        expect(attended.has(id), `check-in of participation ${id} was acknowledged but lost`).toBe(true)
        expect(queued.has(id), `outbox row of participation ${id} was acknowledged but lost`).toBe(true)
      }
      // Nothing exists half: every attendance mark has its outbox operation and audit entry.
      const orphans = db
        .prepare(
          `SELECT count(*) FROM attendance a WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.participation_id = a.participation_id)
             OR NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.participation_id = a.participation_id AND l.action = 'check_in')`
        )
        .pluck()
        .get()
      expect(orphans).toBe(0)
    } finally {
      db.close()
    }
  })
})
