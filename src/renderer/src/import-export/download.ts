import type { ExportFile } from '../../../shared/contract'

/**
 * Save an exported CSV through a Blob and an `<a download>` click: works in Electron (download
 * handling in main) and in a browser alike. The CSV already starts with a BOM; none is added here.
 */
export function saveCsv(file: ExportFile): void {
  const blob = new Blob([file.csv], { type: 'text/csv;charset=utf-8' })
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = file.fileName
  a.hidden = true
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
