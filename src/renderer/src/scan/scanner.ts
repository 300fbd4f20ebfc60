/**
 * USB barcode / QR scanners are "keyboard wedges": they type the code as a very fast burst of keys
 * and press Enter. This is the pure logic that tells such a burst from a person typing, fed with
 * timestamped keys (so it can be tested without a browser); `attachScanner` wires it to the window.
 *
 * A key is held back (not typed) while it may be part of a burst. The burst is a scan when it ends
 * in Enter, has at least `minLength` characters, and its keys came at scanner speed: the median gap
 * at most `scanGapMs` (~30 ms; a person types ~120 ms apart). A single slower gap up to `holdGapMs`
 * is tolerated (a busy machine delays one key now and then); a longer pause, another key, or
 * `holdGapMs` with no key at all means a person is typing: the held characters are handed back, in
 * order, to be typed where they were meant to go. Nothing typed is lost.
 */
export interface ScanOptions {
  /** Fewest characters before Enter for a scan. */
  minLength: number
  /** The median gap between a scan's keys is at most this. */
  scanGapMs: number
  /** A gap longer than this ends a burst (the held keys were typing). */
  holdGapMs: number
}

export const SCAN_DEFAULTS: ScanOptions = { minLength: 4, scanGapMs: 30, holdGapMs: 80 }

/** What to do with one key: whether to swallow it, what held text to type first, and a finished scan. */
export interface ScanStep {
  /** Keep this key from the page (it is held, or it is the scan's Enter). */
  consume: boolean
  /** Held characters that turned out to be typing: type them (before this key, if it passes). */
  replay: string
  /** A finished scan's code, or null. */
  scan: string | null
}

const PASS: ScanStep = { consume: false, replay: '', scan: null }

export class ScanDetector {
  readonly options: ScanOptions
  #chars: string[] = []
  #times: number[] = []

  constructor(options: Partial<ScanOptions> = {}) {
    this.options = { ...SCAN_DEFAULTS, ...options }
  }

  /** Characters held back right now. */
  get held(): string {
    return this.#chars.join('')
  }

  /** A printable character (one `KeyboardEvent.key` of length 1) at `at` ms. */
  char(ch: string, at: number): ScanStep {
    const replay = this.#expired(at) ? this.#take() : ''
    this.#chars.push(ch)
    this.#times.push(at)
    return { consume: true, replay, scan: null }
  }

  /** Enter at `at` ms: finishes a scan, or hands back what was held and lets Enter through. */
  enter(at: number): ScanStep {
    if (this.#chars.length === 0) return PASS
    const isScan = !this.#expired(at) && this.#chars.length >= this.options.minLength && this.#median([...this.#times, at]) <= this.options.scanGapMs
    const held = this.#take()
    return isScan ? { consume: true, replay: '', scan: held } : { consume: false, replay: held, scan: null }
  }

  /** Any other key (Backspace, Tab, arrows, Escape…) ends a burst: what was held was typing. */
  other(): ScanStep {
    return this.#chars.length === 0 ? PASS : { consume: false, replay: this.#take(), scan: null }
  }

  /** Time passed with no key: returns the held characters if the burst is over (type them), else ''. */
  idle(at: number): string {
    return this.#expired(at) ? this.#take() : ''
  }

  /** Forget anything held (the page lost focus). */
  reset(): string {
    return this.#take()
  }

  #expired(at: number): boolean {
    const last = this.#times[this.#times.length - 1]
    return last !== undefined && at - last > this.options.holdGapMs
  }

  #median(times: number[]): number {
    const gaps = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b)
    if (gaps.length === 0) return Infinity
    const mid = Math.floor(gaps.length / 2)
    return gaps.length % 2 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2
  }

  #take(): string {
    const held = this.#chars.join('')
    this.#chars = []
    this.#times = []
    return held
  }
}

/** Types `text` into a text field at its caret, as if typed (fires `input`, respects maxlength). */
export function typeInto(el: Element | null, text: string): void {
  if (!text || !(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) || el.disabled || el.readOnly) return
  const room = el.maxLength >= 0 ? Math.max(0, el.maxLength - el.value.length) : text.length
  const insert = text.slice(0, room)
  if (!insert) return
  try {
    const start = el.selectionStart ?? el.value.length
    const end = el.selectionEnd ?? start
    el.setRangeText(insert, start, end, 'end')
  } catch {
    // Inputs without a caret (type=email, number): append.
    el.value += insert
  }
  el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: insert }))
}

const TEXT_INPUTS = new Set(['text', 'search', 'email', 'tel', 'url', 'password', 'number'])
const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock'])

/** Whether the focused element is somewhere a held key can be typed back or safely swallowed. */
function interceptable(el: Element | null): boolean {
  if (!el || el === document.body || el === document.documentElement) return true
  if (el instanceof HTMLInputElement) return TEXT_INPUTS.has(el.type)
  // A select's type-ahead would jump between options during a scan (the language picker!).
  if (el instanceof HTMLSelectElement) return true
  if (el instanceof HTMLTextAreaElement) return false
  return !(el as HTMLElement).isContentEditable
}

export interface ScannerHooks {
  /** Whether scans are taken now (false: keys pass untouched, e.g. while a modal dialog is open). */
  active: () => boolean
  /** A finished scan. */
  onscan: (code: string) => void
  /** Any key at all (the scan feedback clears on the next key). */
  onkey?: () => void
  options?: Partial<ScanOptions>
}

/**
 * Listens to every key in the window (capture phase, before any field sees it), holds back possible
 * scan bursts and types back what turns out to be typing. Returns the function that detaches it.
 */
export function attachScanner(hooks: ScannerHooks): () => void {
  const detector = new ScanDetector(hooks.options)
  let target: Element | null = null
  let timer: ReturnType<typeof setTimeout> | undefined

  const replay = (text: string): void => {
    if (!text) return
    const into = target && target.isConnected ? target : document.activeElement
    typeInto(into, text)
  }
  const schedule = (): void => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      replay(detector.idle(performance.now()))
    }, detector.options.holdGapMs + 10)
  }

  const onkeydown = (e: KeyboardEvent): void => {
    hooks.onkey?.()
    // Scanners press Shift for capitals: a modifier on its own neither ends a burst nor is swallowed.
    if (MODIFIERS.has(e.key)) return
    if (!hooks.active() || e.isComposing || e.ctrlKey || e.metaKey || e.altKey) {
      replay(detector.reset())
      return
    }
    const focused = document.activeElement
    const printable = e.key.length === 1
    if (printable && !e.repeat && interceptable(focused) && !(e.key === ' ' && !(focused instanceof HTMLInputElement))) {
      const step = detector.char(e.key, e.timeStamp)
      replay(step.replay)
      if (detector.held.length === 1) target = focused
      e.preventDefault()
      e.stopPropagation()
      schedule()
      return
    }
    const step = e.key === 'Enter' ? detector.enter(e.timeStamp) : detector.other()
    clearTimeout(timer)
    replay(step.replay)
    if (step.consume) {
      e.preventDefault()
      e.stopPropagation()
    }
    if (step.scan !== null) hooks.onscan(step.scan)
  }
  const onblur = (): void => {
    clearTimeout(timer)
    replay(detector.reset())
  }

  window.addEventListener('keydown', onkeydown, true)
  window.addEventListener('blur', onblur)
  return () => {
    clearTimeout(timer)
    window.removeEventListener('keydown', onkeydown, true)
    window.removeEventListener('blur', onblur)
  }
}
