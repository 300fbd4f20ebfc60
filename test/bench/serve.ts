/**
 * The browser desk as a separate process (`node out/main/serve.js --port 0 --data-dir …`, as the
 * e2e fixture starts it): its address, calls over the web transport, and its memory from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const READY = /^Rollcall desk at (http:\/\/127\.0\.0\.1:(\d+)\/)\?token=([A-Za-z0-9_-]+)$/

export interface ServedDesk {
  child: ChildProcess
  deskUrl: string
  origin: string
  token: string
  startMs: number
  stderr: () => string
}

export async function startServedDesk(appRoot: string, dataDir: string): Promise<ServedDesk> {
  const serveJs = join(appRoot, 'out', 'main', 'serve.js')
  const t0 = performance.now()
  const child = spawn(process.execPath, [serveJs, '--port', '0', '--data-dir', dataDir], {
    cwd: appRoot,
    env: { ...process.env, ROLLCALL_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  return new Promise<ServedDesk>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('the desk did not print its address within 60 s')), 60_000)
    const fail = (err: Error) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`${err.message}\n--- desk stderr ---\n${stderr}`))
    }
    child.on('error', fail)
    child.on('exit', (code, signal) => fail(new Error(`the desk exited early (code ${code}, signal ${signal})`)))
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      stdout += c
      if (!stdout.includes('\n')) return
      const m = READY.exec((stdout.split('\n')[0] ?? '').trim())
      if (!m) return fail(new Error(`unexpected first line from the desk: ${JSON.stringify(stdout)}`))
      clearTimeout(timer)
      child.removeAllListeners('exit')
      resolve({ child, deskUrl: m[0].slice('Rollcall desk at '.length), origin: m[1]!, token: m[3]!, startMs: performance.now() - t0, stderr: () => stderr })
    })
  })
}

export function stopServedDesk(desk: ServedDesk): Promise<number | null> {
  const { child } = desk
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve(code)
    })
    child.kill('SIGTERM')
  })
}

/** One call over the web transport; resolves the value or throws with the desk's error. */
export async function call<T = unknown>(desk: ServedDesk, name: string, input: unknown): Promise<{ value: T; ms: number; bytes: number }> {
  const t = performance.now()
  const res = await fetch(`${desk.origin}api/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${desk.token}` },
    body: JSON.stringify(input)
  })
  const text = await res.text()
  const ms = performance.now() - t
  const body = JSON.parse(text) as { ok: boolean; value?: T; error?: unknown }
  if (!body.ok) throw new Error(`${name} failed: ${JSON.stringify(body.error)}`)
  return { value: body.value as T, ms, bytes: text.length }
}

/** Resident and peak resident memory of a process, in MB, from /proc/<pid>/status. */
export function processMemory(pid: number): { rssMb: number; peakMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 }
  } catch {
    return null
  }
}
