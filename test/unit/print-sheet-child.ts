/**
 * Child of printing.test.ts: opens a desk and writes one attendance sheet's document through, on a
 * heap too small to hold the sheet whole (the parent sets --max-old-space-size). Prints the bytes.
 */
import { openDesk } from '../../src/main/core'

const [dataDir, sheetId] = process.argv.slice(2) as [string, string]
const desk = openDesk({ dataDir, env: {}, syncTimerMs: 0, reconcileMs: 0 })
let bytes = 0
let rows = 0
for (const piece of desk.print.sheetDocument(Number(sheetId), 'de')) {
  bytes += Buffer.byteLength(piece)
  rows += piece.split('<td class="code">').length - 1
}
desk.close()
process.stdout.write(JSON.stringify({ bytes, rows, heapMb: Math.round(process.memoryUsage().heapUsed / 1024 / 1024) }))
