/**
 * The scan sounds, made with Web Audio oscillators (no audio files to ship or load): one high beep
 * for checked in, two beeps for already checked in, a low buzz for anything refused. The context is
 * created on the first scan (a key press, so the browser lets it play).
 */
export type BeepTone = 'ok' | 'warn' | 'bad'

let context: AudioContext | null = null

function audio(): AudioContext | null {
  try {
    context ??= new AudioContext()
    if (context.state === 'suspended') void context.resume().catch(() => {})
    return context
  } catch {
    return null
  }
}

/** One tone from `start` seconds (context time) for `length` seconds, with soft edges (no clicks). */
function tone(ctx: AudioContext, frequency: number, start: number, length: number, type: OscillatorType, volume: number): void {
  const osc = ctx.createOscillator()
  const gain = ctx.createGain()
  osc.type = type
  osc.frequency.value = frequency
  gain.gain.setValueAtTime(0, start)
  gain.gain.linearRampToValueAtTime(volume, start + 0.01)
  gain.gain.setValueAtTime(volume, start + length - 0.02)
  gain.gain.linearRampToValueAtTime(0, start + length)
  osc.connect(gain).connect(ctx.destination)
  osc.start(start)
  osc.stop(start + length + 0.02)
}

export function beep(kind: BeepTone): void {
  const ctx = audio()
  if (!ctx) return
  try {
    const now = ctx.currentTime + 0.01
    if (kind === 'ok') {
      tone(ctx, 1320, now, 0.16, 'sine', 0.3)
    } else if (kind === 'warn') {
      tone(ctx, 880, now, 0.12, 'sine', 0.3)
      tone(ctx, 880, now + 0.2, 0.12, 'sine', 0.3)
    } else {
      tone(ctx, 150, now, 0.45, 'square', 0.18)
    }
  } catch {
    // No sound on this machine: the screen still says it.
  }
}
