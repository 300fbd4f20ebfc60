/**
 * `test` with a `desk` fixture: a fresh browser desk per test — `node out/main/serve.js --port 0
 * --data-dir <new temp dir>` — whose printed line gives the address and token. The desk is stopped
 * (SIGTERM, so it closes its database) and its data dir removed after the test.
 *
 *   import { test, expect } from './fixtures'
 *   test('…', async ({ page, desk }) => { await page.goto(desk.deskUrl) })
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { test as base, expect, type Page } from '@playwright/test'

export const ROOT = resolve(import.meta.dirname, '..', '..')
export const SERVE_JS = join(ROOT, 'out', 'main', 'serve.js')
const READY = /^Rollcall desk at (http:\/\/127\.0\.0\.1:(\d+)\/)\?token=([A-Za-z0-9_-]+)$/

export interface DeskHandle {
  /** The address to open, token included: `http://127.0.0.1:N/?token=…` */
  deskUrl: string
  /** `http://127.0.0.1:N/` */
  origin: string
  token: string
  port: number
  dataDir: string
  /** What the desk wrote to stderr so far (for failing-test diagnostics). */
  stderr(): string
}

/** Starts a desk process on a free port and waits for its one stdout line. */
export async function startDesk(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; handle: DeskHandle }> {
  if (!existsSync(SERVE_JS)) throw new Error(`${SERVE_JS} is missing: run \`npm run build\` (npm test builds first)`)
  const child = spawn(process.execPath, [SERVE_JS, '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, ROLLCALL_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  const handle = await new Promise<DeskHandle>((resolveReady, reject) => {
    const timer = setTimeout(() => fail(new Error('the desk did not print its address within 30 s')), 30_000)
    const fail = (err: Error): void => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`${err.message}\n--- desk stderr ---\n${stderr}`))
    }
    child.on('error', fail)
    child.on('exit', (code, signal) => fail(new Error(`the desk exited early (code ${code}, signal ${signal})`)))
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      stdout += c
      const line = stdout.split('\n')[0] ?? ''
      if (!stdout.includes('\n')) return
      const m = READY.exec(line.trim())
      if (!m) return fail(new Error(`unexpected first line from the desk: ${JSON.stringify(line)}`))
      clearTimeout(timer)
      child.removeAllListeners('exit')
      resolveReady({ deskUrl: m[0].slice('Rollcall desk at '.length), origin: m[1]!, port: Number(m[2]), token: m[3]!, dataDir, stderr: () => stderr })
    })
  })
  return { child, handle }
}

/** SIGTERM, wait for a clean exit (the desk closes its db), SIGKILL after 10 s. Resolves the exit code. */
export function stopDesk(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolveStop(code)
    })
    child.kill('SIGTERM')
  })
}

export const test = base.extend<{ desk: DeskHandle }>({
  // Playwright reads a fixture's dependencies from its first parameter: it must be a pattern.
  // eslint-disable-next-line no-empty-pattern
  desk: async ({}, use, testInfo) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rollcall-e2e-'))
    const { child, handle } = await startDesk(dataDir)
    try {
      await use(handle)
    } finally {
      const code = await stopDesk(child)
      if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('desk-stderr', { body: handle.stderr(), contentType: 'text/plain' })
      rmSync(dataDir, { recursive: true, force: true })
      expect(code, `the desk should exit cleanly on SIGTERM; stderr:\n${handle.stderr()}`).toBe(0)
    }
  }
})

export { expect }

/**
 * A barcode scanner's burst: every key of `code`, then Enter, delivered inside the page in one go, as a
 * USB scanner delivers them. Typing key by key from the test would put one round trip to the browser
 * between keys, and on a loaded machine those gaps exceed any scanner's speed, so the desk would
 * (rightly) take the keys for typing. The timing rules themselves are tested with timestamps in
 * front-desk.spec's 'scan detector (pure logic)'; typing slowly is tested with the real keyboard.
 * `shift`: Shift down and up around every capital, as many scanners send it.
 */
export async function scanBurst(page: Page, code: string, { shift = false } = {}): Promise<void> {
  await page.evaluate(
    ({ code, shift }) => {
      const key = (type: 'keydown' | 'keyup', k: string): void => {
        const target = document.activeElement ?? document.body
        target.dispatchEvent(new KeyboardEvent(type, { key: k, bubbles: true, cancelable: true, composed: true }))
      }
      for (const ch of code) {
        const capital = shift && /[A-Z]/.test(ch)
        if (capital) key('keydown', 'Shift')
        key('keydown', ch)
        key('keyup', ch)
        if (capital) key('keyup', 'Shift')
      }
      key('keydown', 'Enter')
      key('keyup', 'Enter')
    },
    { code, shift },
  )
}
