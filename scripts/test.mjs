// `npm test`: native module check → electron-vite build → vitest → playwright, one summary line.
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { binOf, build, ROOT, run, say } from './lib.mjs'
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
// Not in test-results/: Playwright empties that folder when it starts.
const vitestJson = join(ROOT, 'test-reports', 'vitest.json')
const playwrightJson = join(ROOT, 'test-reports', 'playwright.json')
for (const f of [vitestJson, playwrightJson]) rmSync(f, { force: true })
record('unit', (await run(process.execPath, [binOf('vitest'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`], { env })) === 0)

// 5. End-to-end tests, only on a fresh build.
if (built) {
  say('playwright test ...')
  record('e2e', (await run(process.execPath, [binOf('@playwright/test', 'playwright'), 'test', '--reporter=list,json'], { env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson } })) === 0)
} else {
  record('e2e', false, 'skipped: no build')
}

// One closing line with the counts of both runners, for people and for CI logs alike.
const counts = { passed: 0, failed: 0, skipped: 0 }
try {
  const v = JSON.parse(readFileSync(vitestJson, 'utf8'))
  counts.passed += v.numPassedTests
  counts.failed += v.numFailedTests
  counts.skipped += v.numPendingTests + (v.numTodoTests ?? 0)
} catch {
  say('no vitest results to count')
}
try {
  const p = JSON.parse(readFileSync(playwrightJson, 'utf8')).stats
  counts.passed += p.expected + p.flaky
  counts.failed += p.unexpected
  counts.skipped += p.skipped
} catch {
  say('no playwright results to count')
}

const failed = results.filter((r) => !r.ok)
const line = results.map((r) => `${r.step} ${r.ok ? 'ok' : 'FAILED'}${r.note ? ` (${r.note})` : ''}`).join(', ')
console.log(`\nRollcall tests ${failed.length === 0 ? 'PASSED' : 'FAILED'}: ${line}`)
console.log(`${counts.passed} passed, ${counts.failed + (failed.length && !counts.failed ? 1 : 0)} failed, ${counts.skipped} skipped`)
process.exit(failed.length === 0 ? 0 : 1)
