/**
 * Figures, their goals, and the table the bench prints. A figure that misses its goal carries the
 * measured reasons (`why`), printed under the table.
 */

export interface Figure {
  id: string
  label: string
  /** The number the goal is checked against (null = not measured, e.g. skipped). */
  value: number | null
  unit: string
  /** What the table shows in the "measured" column. */
  shown: string
  goal?: { text: string; ok: (v: number) => boolean }
  /** PASS / MISS / INFO / SKIP */
  result: 'PASS' | 'MISS' | 'INFO' | 'SKIP'
  why: string[]
  details: Record<string, unknown>
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]!
}

export function summary(values: number[]) {
  const s = [...values].sort((a, b) => a - b)
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1)
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN, min: s[0] ?? NaN, mean }
}

export const ms = (v: number) => (v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`)
export const int = (v: number) => Math.round(v).toLocaleString('en-US')

export class Report {
  readonly figures: Figure[] = []
  readonly notes: string[] = []

  add(f: Omit<Figure, 'result' | 'why' | 'details'> & { why?: string[]; details?: Record<string, unknown>; skipped?: string }): Figure {
    const result: Figure['result'] = f.skipped !== undefined || f.value === null ? 'SKIP' : !f.goal ? 'INFO' : f.goal.ok(f.value) ? 'PASS' : 'MISS'
    const figure: Figure = {
      id: f.id,
      label: f.label,
      value: f.value,
      unit: f.unit,
      shown: f.skipped !== undefined ? `skipped: ${f.skipped}` : f.shown,
      goal: f.goal,
      result,
      why: result === 'MISS' ? (f.why ?? []) : [],
      details: f.details ?? {}
    }
    this.figures.push(figure)
    return figure
  }

  /** Explanations are attached after the fact, once the cause has been measured. */
  explain(id: string, lines: string[]): void {
    const f = this.figures.find((x) => x.id === id)
    if (f && f.result === 'MISS') f.why.push(...lines)
  }

  table(): string {
    const rows = this.figures.map((f) => [f.label, f.shown, f.goal?.text ?? '', f.result])
    const head = ['Figure', 'Measured', 'Goal', 'Result']
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
    const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)]
    const misses = this.figures.filter((f) => f.result === 'MISS')
    if (misses.length) {
      out.push('', 'Why the misses (measured in this run):')
      for (const f of misses) {
        out.push(`- ${f.label}:`)
        for (const w of f.why.length ? f.why : ['(no cause measured)']) out.push(`    ${w}`)
      }
    }
    if (this.notes.length) out.push('', ...this.notes.map((n) => `note: ${n}`))
    return out.join('\n')
  }

  json(meta: Record<string, unknown>) {
    return {
      ...meta,
      figures: Object.fromEntries(
        this.figures.map((f) => [f.id, { label: f.label, value: f.value, unit: f.unit, shown: f.shown, goal: f.goal?.text ?? null, result: f.result, why: f.why, details: f.details }])
      ),
      notes: this.notes
    }
  }
}
