/**
 * A small append-only error log in the data dir (`rollcall.log`), rotated once at 5 MB so a desk
 * left running for months cannot fill the disk. Plain Node: used by the Electron main and the web
 * transport alike. Logging never throws.
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { inspect } from 'node:util'

export type Log = (msg: string, err?: unknown) => void

const MAX_BYTES = 5 * 1024 * 1024

export function logFilePath(dataDir: string): string {
  return join(dataDir, 'rollcall.log')
}

export function createFileLogger(dataDir: string, echo?: (line: string) => void): Log {
  const file = logFilePath(dataDir)
  return (msg, err) => {
    const detail = err === undefined ? '' : ' ' + (err instanceof Error ? (err.stack ?? err.message) : inspect(err))
    const line = `${new Date().toISOString()} ${msg}${detail}\n`
    echo?.(line)
    try {
      mkdirSync(dataDir, { recursive: true })
      try {
        if (statSync(file).size > MAX_BYTES) renameSync(file, file + '.1')
      } catch {
        // no log file yet
      }
      appendFileSync(file, line)
    } catch {
      // A log that cannot be written must not take the desk down with it.
    }
  }
}
