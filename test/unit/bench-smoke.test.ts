/**
 * The performance bench still runs end to end: `scripts/bench.mjs --size 2000` completes and
 * prints every figure. Timings are not asserted (a benchmark is not a timed unit test); the
 * browser part is skipped only where Debian's Chromium is missing.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = resolve(__dirname, '..', '..')
const CHROMIUM = process.env.ROLLCALL_CHROMIUM ?? '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)

const CORE_FIGURES = [
  'ingest_rate',
  'ingest_raw_rate',
  'ingest_ratio',
  'ingest_unchanged',
  'search_core',
  'roster_pages',
  'checkin_commit',
  'commit_floor',
  'export_csv',
  'pull_full',
  'pull_checkin_latency',
  'pull_checkin_max',
  'pull_latency_ratio',
  'pull_first_page',
  'season',
  'memory_rss',
  'desk_start',
  'lan_propagation',
  'lan_desk_to_desk',
  'lan_member_checkin'
]
const BROWSER_FIGURES = ['renderer_keystroke', 'renderer_scroll', 'startup_first_roster', 'renderer_drag']

const dir = mkdtempSync(join(tmpdir(), 'rollcall-bench-smoke-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'bench.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('exit', (code) => done({ code, stdout, stderr }))
  })
}

describe('npm run bench:smoke', () => {
  it(`completes at --size 2000 and prints every figure${hasChromium ? '' : ' (no Chromium: browser part skipped)'}`, { timeout: 600_000 }, async () => {
    const json = join(dir, 'bench.json')
    // 1,500 today on top of a small history of 500 in earlier sessions: every part of a season run.
    const { code, stdout, stderr } = await runBench(['--size', '2000', '--today', '1500', '--json', json, ...(hasChromium ? [] : ['--skip-browser'])])
    expect(code, `bench failed\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`).toBe(0)

    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      size: number
      failures: string[]
      figures: Record<string, { label: string; value: number | null; result: string; goal: string | null; why: string[] }>
    }
    expect(report.size).toBe(2000)
    expect(report.failures).toEqual([])
    const expected = [...CORE_FIGURES, ...(hasChromium ? BROWSER_FIGURES : [])]
    for (const id of expected) {
      const figure = report.figures[id]
      expect(figure, `figure ${id} missing from the JSON`).toBeDefined()
      expect(Number.isFinite(figure!.value), `figure ${id} has no value: ${JSON.stringify(figure)}`).toBe(true)
      expect(['PASS', 'MISS', 'INFO']).toContain(figure!.result)
      // Printed in the table, with its verdict.
      expect(stdout).toContain(figure!.label)
      // A missed goal always says why.
      if (figure!.result === 'MISS') expect(figure!.why.length, `${id} missed without a reason`).toBeGreaterThan(0)
    }
    for (const id of BROWSER_FIGURES.slice(0, 2)) if (!hasChromium) expect(report.figures[id]?.result).toBe('SKIP')
    expect(stdout).toMatch(/Ingest ratio: pull path \/ raw insert without FTS\s+\d+\.\d\d/)
  })
})
