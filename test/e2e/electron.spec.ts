/**
 * The real Electron window: the built app (`out/main/index.js`) with a throwaway data dir.
 * Skipped, with the reason, where the Electron binary was not downloaded.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'
import { ROOT } from './fixtures'

function electronBinary(): string | null {
  try {
    const path: unknown = createRequire(join(ROOT, 'package.json'))('electron')
    return typeof path === 'string' && existsSync(path) ? path : null
  } catch {
    return null
  }
}

const binary = electronBinary()

/** The test's environment for the app: a fresh data dir, and the built renderer (no dev server). */
function appEnv(dataDir: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ELECTRON_RENDERER_URL') env[k] = v
  env.ROLLCALL_DATA_DIR = dataDir
  return env
}

test.describe('Electron app', () => {
  test.skip(
    binary === null,
    'Electron binary not installed (e.g. ELECTRON_SKIP_BINARY_DOWNLOAD=1); `npm install` on a normal machine downloads it'
  )

  test('opens the Rollcall window with the bridge and without Node in the page', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rollcall-electron-'))
    const app = await electron.launch({
      executablePath: binary!,
      args: [
        // Linux as root (containers, CI) cannot use Chromium's OS sandbox; `sandbox: true` still
        // keeps Node out of the renderer, which is what this test checks.
        ...(process.platform === 'linux' && process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        join(ROOT, 'out', 'main', 'index.js')
      ],
      cwd: ROOT,
      env: appEnv(dataDir)
    })
    try {
      const page = await app.firstWindow()
      await expect(page).toHaveTitle(/Rollcall/)
      await expect(page.locator('#app')).not.toBeEmpty()
      const globals = await page.evaluate(() => ({
        rollcall: typeof (window as unknown as { rollcall?: unknown }).rollcall,
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (globalThis as { process?: unknown }).process,
        calls: Object.keys((window as unknown as { rollcall?: object }).rollcall ?? {}).length
      }))
      expect(globals).toMatchObject({ rollcall: 'object', require: 'undefined', process: 'undefined' })
      expect(globals.calls).toBeGreaterThan(0)
      const info = await page.evaluate(() =>
        (window as unknown as { rollcall: { 'desk.info': (i: object) => Promise<{ ok: boolean }> } }).rollcall['desk.info']({})
      )
      expect(info.ok).toBe(true)
    } finally {
      await app.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
