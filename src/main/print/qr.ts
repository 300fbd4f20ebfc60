/**
 * QR codes as inline SVG. The `qrcode` package (well kept, pure JS, no canvas) computes the
 * modules; the SVG is drawn here as one path of horizontal runs, so a sheet of 100,000 rows carries
 * a few hundred bytes per code instead of qrcode's per-module markup.
 */
import QRCode from 'qrcode'

export function qrSvg(text: string, sizeMm: number, label: string): string {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const size = qr.modules.size
  const data = qr.modules.data
  const quiet = 2
  let d = ''
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; ) {
      if (!data[y * size + x]) {
        x++
        continue
      }
      let run = 1
      while (x + run < size && data[y * size + x + run]) run++
      // A run as one stroked line (half the text of a filled rectangle): ~1 KB per sheet row code.
      d += `M${x + quiet} ${y + quiet + 0.5}h${run}`
      x += run
    }
  }
  const box = size + 2 * quiet
  return (
    `<svg class="qr" role="img" aria-label="${escapeHtml(label)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${box} ${box}" ` +
    `width="${sizeMm}mm" height="${sizeMm}mm" shape-rendering="crispEdges"><rect width="${box}" height="${box}" fill="#fff"/><path stroke="#000" stroke-width="1" fill="none" d="${d}"/></svg>`
  )
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
