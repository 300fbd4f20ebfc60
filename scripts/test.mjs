// `npm test`: native module check → electron-vite build → vitest → playwright, one summary line.
import { binOf, build, run, say } from './lib.mjs'
import { electronInfo, ensureElectronSqlite, ensureNodeSqlite } from './native.mjs'

const results = []
const record = (step, ok, note = '') => results.push({ step, ok, note })

// 1. The Node-ABI better-sqlite3 (unit tests, the browser desk used by the e2e tests).
record('native', ensureNodeSqlite())

// 2. With Electron present, its own better-sqlite3 too, so the Electron e2e test can open a desk.
const env = { ...process.env }
const electron = electronInfo()
if (electron.binary) {
  try {
    env.ROLLCALL_SQLITE_BINDING = ensureElectronSqlite({ electronVersion: electron.version, electronBinary: electron.binary })
    record('electron-native', true)
  } catch (err) {
    say(err.message)
    record('electron-native', false)
  }
} else {
  say(`Electron e2e tests will be skipped: ${electron.reason}`)
}

// 3. Build (the e2e tests drive the built app).
say('electron-vite build ...')
const built = (await build()) === 0
record('build', built)

// 4. Unit tests.
say('vitest run ...')
record('unit', (await run(process.execPath, [binOf('vitest'), 'run'], { env })) === 0)

// 5. End-to-end tests, only on a fresh build.
if (built) {
  say('playwright test ...')
  record('e2e', (await run(process.execPath, [binOf('@playwright/test', 'playwright'), 'test'], { env })) === 0)
} else {
  record('e2e', false, 'skipped: no build')
}

const failed = results.filter((r) => !r.ok)
const line = results.map((r) => `${r.step} ${r.ok ? 'ok' : 'FAILED'}${r.note ? ` (${r.note})` : ''}`).join(', ')
console.log(`\nRollcall tests ${failed.length === 0 ? 'PASSED' : 'FAILED'}: ${line}`)
process.exit(failed.length === 0 ? 0 : 1)
