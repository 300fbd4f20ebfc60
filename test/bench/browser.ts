/**
 * The renderer in Debian's Chromium through the web transport: keystroke → results painted in
 * "Search roster", and frame times while scrolling the big roster. Timings are taken inside the
 * page (performance.now, MutationObserver, requestAnimationFrame); `fetch` is wrapped to see when
 * each roster.page request left and answered, so a slow keystroke can be split into its parts.
 */
import { chromium, type Page } from 'playwright-core'
import { CHROMIUM, CHROMIUM_ARGS } from '../../playwright.config'
import { summary } from './report'

declare global {
  interface Window {
    __bench: { calls: { search: string; offset: number; start: number; end: number | null }[] }
    __arm: () => void
    __done: Promise<KeyMeasure | null>
  }
}

interface KeyMeasure {
  t0: number | null
  tDom: number | null
  t1: number | null
}

export interface KeySample {
  key: string
  term: string
  totalMs: number
  /** key event → the roster.page request for the new term leaves the page. */
  waitMs: number | null
  /** the request's round trip (web transport + desk). */
  requestMs: number | null
  /** answer → results in the DOM → next animation frame. */
  renderMs: number | null
}

export interface ScrollResult {
  label: string
  pxPerFrame: number | 'sweep'
  seconds: number
  frames: number
  over16: number
  over25: number
  dropped: number
  droppedPct: number
  worstMs: number
  placeholderPct: number
  rosterCalls: number
  work: ReturnType<typeof summary>
  workDropped: ReturnType<typeof summary>
}

const INSTRUMENT = () => {
  window.__bench = { calls: [] }
  const original = window.fetch.bind(window)
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    if (!url.includes('/api/roster.page')) return original(input, init)
    const body = JSON.parse(String(init?.body ?? '{}')) as { search: string; offset: number }
    const rec = { search: body.search, offset: body.offset, start: performance.now(), end: null as number | null }
    window.__bench.calls.push(rec)
    const res = await original(input, init)
    // Read the body here so `end` includes it; hand the app an identical response.
    const text = await res.text()
    rec.end = performance.now()
    return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers })
  }
  /** Arms one measurement: from the next keydown in the search box to the first animation frame after the results replaced "Searching…". */
  window.__arm = () => {
    const input = document.getElementById('roster-search')!
    const status = document.getElementById('roster-search-status')!
    const root = document.querySelector('section.roster')!
    const m: KeyMeasure = { t0: null, tDom: null, t1: null }
    let sawSearching = false
    window.__done = new Promise((resolve) => {
      const timer = setTimeout(() => {
        observer.disconnect()
        resolve(null)
      }, 15_000)
      // A key off the US layout arrives as text only (no keydown): take whichever comes first.
      const first = (e: Event) => (m.t0 ??= e.timeStamp)
      input.addEventListener('keydown', first, { capture: true, once: true })
      input.addEventListener('input', first, { capture: true, once: true })
      const observer = new MutationObserver(() => {
        if (m.t0 === null) return
        if (status.classList.contains('searching')) {
          sawSearching = true
          return
        }
        if (!sawSearching || m.tDom !== null) return
        m.tDom = performance.now()
        observer.disconnect()
        clearTimeout(timer)
        requestAnimationFrame(() => {
          m.t1 = performance.now()
          resolve(m)
        })
      })
      observer.observe(root, { subtree: true, childList: true, attributes: true, characterData: true })
    })
  }
}

async function waitForRoster(page: Page, total: number) {
  const label = `${total.toLocaleString('en-US')} on the roster`
  await page.waitForFunction(
    (text) => {
      const s = document.getElementById('roster-search-status')
      return s?.textContent?.trim() === text && !s.classList.contains('searching') && document.querySelector('[role="listitem"]:not([aria-busy])') !== null
    },
    label,
    { timeout: 120_000 }
  )
}

async function measureKey(page: Page, key: string, term: string): Promise<KeySample | null> {
  await page.evaluate(() => window.__arm())
  if (key.length > 1) await page.keyboard.press(key)
  else await page.keyboard.type(key)
  const m = await page.evaluate(() => window.__done)
  if (!m || m.t0 === null || m.t1 === null) return null
  const call = await page.evaluate(
    ({ t0, term }) => window.__bench.calls.filter((c) => c.start >= t0 && c.search === term && c.offset === 0).at(-1) ?? null,
    { t0: m.t0, term }
  )
  return {
    key,
    term,
    totalMs: m.t1 - m.t0,
    waitMs: call ? call.start - m.t0 : null,
    requestMs: call?.end != null ? call.end - call.start : null,
    renderMs: call?.end != null ? m.t1 - call.end : null
  }
}

const VSYNC = 1000 / 60

async function scroll(page: Page, label: string, seconds: number, pxPerFrame: number | 'sweep'): Promise<ScrollResult> {
  const before = await page.evaluate(() => window.__bench.calls.length)
  const r = await page.evaluate(
    async ({ seconds, pxPerFrame }) => {
      const vp = document.querySelector('[role="list"][aria-label="Roster"]') as HTMLElement
      const frames: number[] = []
      // Main-thread work of each frame: from its rAF callback to a message posted there, which
      // runs once the frame's script, style, layout and paint are done.
      const work: number[] = []
      const channel = new MessageChannel()
      let startedAt = 0
      channel.port1.onmessage = () => work.push(performance.now() - startedAt)
      let busy = 0
      let slots = 0
      const max = vp.scrollHeight - vp.clientHeight
      await new Promise<void>((resolve) => {
        let start = 0
        const tick = (ts: number) => {
          startedAt = performance.now()
          if (!start) start = ts
          frames.push(ts)
          busy += vp.querySelectorAll('[role="listitem"][aria-busy="true"]').length
          slots += vp.querySelectorAll('[role="listitem"]').length
          if (ts - start >= seconds * 1000) return resolve()
          if (pxPerFrame === 'sweep') vp.scrollTop = Math.min(max, ((ts - start) / (seconds * 1000)) * max)
          else vp.scrollTop = Math.min(max, vp.scrollTop + pxPerFrame)
          channel.port2.postMessage(0)
          requestAnimationFrame(tick)
        }
        requestAnimationFrame(tick)
      })
      await new Promise((r) => setTimeout(r, 50))
      return { frames, work, busy, slots }
    },
    { seconds, pxPerFrame }
  )
  const calls = (await page.evaluate(() => window.__bench.calls.length)) - before
  const intervals = r.frames.slice(1).map((t, i) => t - r.frames[i]!)
  const missed = intervals.map((iv) => Math.max(0, Math.round(iv / VSYNC) - 1))
  const slots = intervals.reduce((s, iv) => s + Math.max(1, Math.round(iv / VSYNC)), 0)
  const dropped = missed.reduce((a, b) => a + b, 0)
  // work[i] belongs to frame i; the interval after it (i → i+1) is the one it can stretch.
  const workDropped = r.work.filter((_, i) => (missed[i] ?? 0) > 0)
  return {
    label,
    pxPerFrame,
    seconds,
    frames: r.frames.length,
    over16: intervals.filter((iv) => iv > 16.7).length,
    over25: intervals.filter((iv) => iv > 25).length,
    dropped,
    droppedPct: slots ? (dropped / slots) * 100 : 0,
    worstMs: Math.max(0, ...intervals),
    work: summary(r.work),
    workDropped: summary(workDropped),
    placeholderPct: r.slots ? (r.busy / r.slots) * 100 : 0,
    rosterCalls: calls
  }
}

export async function benchBrowser(options: { deskUrl: string; zone: string; total: number; words: string[]; scrollSeconds: number; trace?: (msg: string) => void }) {
  const trace = options.trace ?? (() => {})
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: options.zone, locale: 'en-US' })
    // tsx (esbuild, keepNames) wraps named functions in __name(): give the page a no-op one, since
    // the functions below are serialised into it.
    await context.addInitScript({ content: 'globalThis.__name = (f) => f' })
    await context.addInitScript(INSTRUMENT)
    const page = await context.newPage()
    const t0 = performance.now()
    await page.goto(options.deskUrl)
    await waitForRoster(page, options.total)
    const firstPaintMs = performance.now() - t0
    trace(`roster of ${options.total.toLocaleString('en-US')} on screen after ${firstPaintMs.toFixed(0)} ms`)

    // The frame rate this headless Chromium gives an idle page (what "a frame" means here).
    const idle = await scroll(page, 'idle (no scrolling)', 1, 0)

    await page.getByLabel('Search roster').focus()
    const keys: KeySample[] = []
    const clears: KeySample[] = []
    for (const word of options.words) {
      let typed = ''
      for (const ch of [...word].slice(0, 4)) {
        typed += ch
        await page.waitForTimeout(120)
        const s = await measureKey(page, ch, typed.trim())
        if (s) keys.push(s)
        else trace(`keystroke "${ch}" (term "${typed}") showed no new results within 15 s`)
      }
      await page.waitForTimeout(120)
      // Escape clears the search: the same fetch + render, for the whole roster.
      const c = await measureKey(page, 'Escape', '')
      if (c) clears.push(c)
      await waitForRoster(page, options.total)
    }
    trace(`${keys.length} keystrokes measured`)

    const vp = page.getByRole('list', { name: 'Roster' })
    await vp.evaluate((el) => (el.scrollTop = 0))
    await page.waitForTimeout(300)
    const steady = await scroll(page, 'steady scroll (1,500 px/s, wheel-like)', options.scrollSeconds, 25)
    const fling = await scroll(page, 'fast scroll (15,000 px/s, fling)', options.scrollSeconds, 250)
    const sweep = await scroll(page, 'scrollbar drag (top to bottom)', options.scrollSeconds, 'sweep')
    await context.close()
    return { firstPaintMs, keys, clears, idle, steady, fling, sweep }
  } finally {
    await browser.close()
  }
}
