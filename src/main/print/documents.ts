/**
 * The paper itself, as HTML documents: the same markup is printed by Electron (webContents.print),
 * by the browser desk (the browser's print dialog) and rendered to PDF in the tests (Chromium).
 * Sizes are millimetres and `@page` carries the layout's paper size, so a label printer gets a
 * page the size of its label.
 */
import { DateTime } from 'luxon'
import { BADGE_LAYOUTS, badgeSize, PRINT_WORDS, type BadgeLayout, type PrintLanguage } from '../../shared/print'
import { escapeHtml, qrSvg } from './qr'

export interface BadgeContent {
  name: string
  /** The chosen field's text (company, party size, session), or '' for none. */
  field: string
  /** What the QR code holds: a booking reference the desk's scanner accepts. */
  reference: string
}

/** Wider characters (CJK, emoji, other symbols) take about a full em; Latin letters ~0.7 em in a bold sans. */
const WIDE = /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|\p{Extended_Pictographic}/u
function emWidth(text: string): number {
  let w = 0
  for (const ch of text) w += WIDE.test(ch) ? 1.05 : /\s/.test(ch) ? 0.32 : 0.7
  return w
}

/**
 * The largest font size (mm) at which the name fits the box: shrink first, on one line down to a
 * readable size, then wrap onto more lines at that size (and smaller only if the lines would not
 * fit either). Estimated from character widths, so the layout needs no script to measure itself.
 */
export function fitName(name: string, boxWidthMm: number, boxHeightMm: number, maxMm: number, readableMm: number): { sizeMm: number; lines: number } {
  const em = Math.max(1, emWidth(name))
  const oneLine = boxWidthMm / em
  if (oneLine >= readableMm) return { sizeMm: Math.min(maxMm, oneLine, boxHeightMm / 1.25), lines: 1 }
  for (let size = readableMm; size > 1.5; size -= 0.25) {
    // Each line loses up to a word's slack when it wraps: count 15 % more width than the letters.
    const lines = Math.ceil((em * size * 1.15) / boxWidthMm)
    if (lines * size * 1.2 <= boxHeightMm) return { sizeMm: size, lines }
  }
  return { sizeMm: 1.5, lines: Math.ceil((em * 1.5 * 1.15) / boxWidthMm) }
}

const PRINT_SCRIPT = (nonce: string) =>
  // The browser desk opens the document in its own window: print it, then close that window.
  `<script nonce="${nonce}">addEventListener('load',()=>{addEventListener('afterprint',()=>close());print()})</script>`

const BASE_CSS = `*{box-sizing:border-box}html,body{margin:0;padding:0}body{font-family:"DejaVu Sans","Noto Sans","Segoe UI",Arial,sans-serif,"Noto Color Emoji","Apple Color Emoji","Segoe UI Emoji";color:#000;background:#fff;-webkit-print-color-adjust:exact;print-color-adjust:exact}`

export function badgeDocument(content: BadgeContent, layout: BadgeLayout, options: { nonce?: string; title: string }): string {
  const paper = BADGE_LAYOUTS[layout]
  const { widthMm, heightMm } = badgeSize(layout)
  const pad = Math.min(4, heightMm * 0.08)
  const tall = heightMm > widthMm * 1.2
  // A tall badge puts the QR under the name; a wide one beside it.
  const qrMm = tall ? Math.min(widthMm * 0.5, heightMm * 0.3) : Math.min(heightMm - 2 * pad, widthMm * 0.36)
  const nameBoxW = tall ? widthMm - 2 * pad : widthMm - 2 * pad - qrMm - 2
  const fieldMm = Math.max(2.4, Math.min(5, heightMm * 0.09))
  const nameBoxH = (tall ? heightMm * 0.55 : heightMm - 2 * pad) - (content.field ? fieldMm * 1.6 : 0)
  const fit = fitName(content.name, nameBoxW, nameBoxH, Math.min(14, heightMm * 0.3), Math.min(5, heightMm * 0.12))
  const cells = paper.across * paper.down
  const badge = `<div class="badge">
<div class="text"><div class="name" dir="auto" style="font-size:${fit.sizeMm.toFixed(2)}mm">${escapeHtml(content.name)}</div>${
    content.field ? `<div class="field" dir="auto">${escapeHtml(content.field)}</div>` : ''
  }</div>
${qrSvg(content.reference, qrMm, content.reference)}</div>`
  const css = `${BASE_CSS}
@page{size:${paper.widthMm}mm ${paper.heightMm}mm;margin:0}
.page{width:${paper.widthMm}mm;height:${paper.heightMm}mm;display:grid;grid-template-columns:repeat(${paper.across},${widthMm}mm);grid-template-rows:repeat(${paper.down},${heightMm}mm);overflow:hidden}
.cell{width:${widthMm}mm;height:${heightMm}mm;${cells > 1 ? 'outline:0.2mm dashed #bbb;outline-offset:-0.1mm;' : ''}}
.badge{width:${widthMm}mm;height:${heightMm}mm;padding:${pad}mm;display:flex;flex-direction:${tall ? 'column' : 'row'};align-items:${tall ? 'stretch' : 'center'};gap:2mm}
.text{flex:1;min-width:0;display:flex;flex-direction:column;justify-content:center}
.name{font-weight:700;line-height:1.15;overflow-wrap:anywhere;text-align:start;unicode-bidi:plaintext}
.field{font-size:${fieldMm.toFixed(2)}mm;margin-top:${(fieldMm * 0.4).toFixed(2)}mm;text-align:start;unicode-bidi:plaintext;overflow-wrap:anywhere}
.qr{flex:none;${tall ? 'align-self:center;' : ''}}`
  const filler = '<div class="cell"></div>'.repeat(cells - 1)
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(options.title)}</title><style>${css}</style></head><body><div class="page"><div class="cell">${badge}</div>${filler}</div>${
    options.nonce ? PRINT_SCRIPT(options.nonce) : ''
  }</body></html>`
}

export interface SheetHeader {
  title: string
  startsAt: number
  endsAt: number
  timeZone: string
  printedAt: number
  rows: number
}

export interface SheetRow {
  name: string
  partySize: number
  code: string
  /** When the person arrived, if they had when the sheet was printed (epoch ms). */
  arrivedAt: number | null
}

/** Rows per chunk of output: a chunk is a few hundred KB, so the document streams, never held whole. */
export const SHEET_CHUNK_ROWS = 200

/**
 * An attendance sheet as a stream of HTML pieces. The table header (with the session and the
 * print time) repeats on every printed page; rows never split across pages.
 */
export function* sheetDocument(header: SheetHeader, rows: Iterable<SheetRow[]>, language: PrintLanguage, options: { nonce?: string } = {}): Generator<string> {
  const w = PRINT_WORDS[language]
  const zone = header.timeZone
  const at = (ms: number, fmt: string) => DateTime.fromMillis(ms, { zone }).setLocale(language).toFormat(fmt)
  const when = `${at(header.startsAt, 'ccc d LLL yyyy, HH:mm')}–${at(header.endsAt, 'HH:mm')}`
  const printed = `${w.printedAt} ${at(header.printedAt, 'd LLL yyyy, HH:mm')}`
  const css = `${BASE_CSS}
@page{size:A4;margin:10mm 10mm 12mm 10mm}
body{font-size:3.6mm}
.how{font-size:3.2mm;border:0.3mm solid #000;padding:2mm 3mm;margin:0 0 3mm 0;line-height:1.35}
table{width:100%;border-collapse:collapse;table-layout:fixed}
thead th{text-align:start;font-size:3mm;border-bottom:0.4mm solid #000;padding:1mm}
thead .session th{font-size:3.8mm;font-weight:700;border-bottom:none;padding:0 1mm 1.5mm 1mm}
thead .session .printed{font-weight:400;text-align:end;white-space:nowrap;vertical-align:bottom}
tbody tr{break-inside:avoid;page-break-inside:avoid;height:11.5mm}
td{border-bottom:0.2mm solid #999;padding:0.5mm 1mm;vertical-align:middle}
.box{width:9mm}.box span{display:inline-block;width:5mm;height:5mm;border:0.4mm solid #000;text-align:center;line-height:5mm;font-weight:700}
.name{overflow-wrap:anywhere;unicode-bidi:plaintext}
.party{width:14mm;text-align:center}
.arrived{width:24mm}
.code{width:18mm;font-family:"DejaVu Sans Mono",monospace;font-weight:700}
.qrcell{width:13mm;padding:0.3mm 0}`
  yield `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(`${w.sheet} · ${header.title}`)}</title><style>${css}</style></head><body>`
  yield `<p class="how">${escapeHtml(w.howTo)}</p>`
  yield `<table><colgroup><col class="box"><col><col class="party"><col class="arrived"><col class="code"><col class="qrcell"></colgroup><thead><tr class="session"><th colspan="3" dir="auto">${escapeHtml(
    `${header.title} · ${when}`
  )}</th><th colspan="3" class="printed">${escapeHtml(printed)}<br>${escapeHtml(w.rows(header.rows))}</th></tr><tr><th></th><th>${w.name}</th><th class="party">${w.party}</th><th>${w.arrived}</th><th>${w.code}</th><th></th></tr></thead><tbody>`
  for (const chunk of rows) {
    let html = ''
    for (const r of chunk) {
      html += `<tr><td class="box"><span>${r.arrivedAt === null ? '' : '✓'}</span></td><td class="name" dir="auto">${escapeHtml(r.name)}</td><td class="party">${r.partySize}</td><td class="arrived">${
        r.arrivedAt === null ? '' : at(r.arrivedAt, 'HH:mm')
      }</td><td class="code">${r.code}</td><td class="qrcell">${qrSvg(r.code, 10.5, r.code)}</td></tr>`
    }
    yield html
  }
  yield `</tbody></table>${options.nonce ? PRINT_SCRIPT(options.nonce) : ''}</body></html>`
}
