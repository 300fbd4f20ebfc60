/**
 * Downloads: the only download the app makes is the roster export, a `blob:` URL the page itself
 * created (see the renderer's saveCsv). Anything else a page could trigger — a download from some
 * other URL — is cancelled; the export goes through the OS save dialog as a .csv file.
 */

export interface DownloadItemLike {
  getURL(): string
  getFilename(): string
  setSaveDialogOptions(options: { title?: string; defaultPath?: string; filters?: { name: string; extensions: string[] }[] }): void
}

export interface DownloadSession {
  on(event: 'will-download', listener: (event: { preventDefault(): void }, item: DownloadItemLike) => void): unknown
}

/** A blob made by one of the app's own pages: `blob:<app origin>/<uuid>`. */
export function isAppBlobUrl(url: string, isAppUrl: (url: string) => boolean): boolean {
  if (!url.startsWith('blob:')) return false
  return isAppUrl(url.slice('blob:'.length))
}

/** A file name without path separators, reserved characters or control characters. */
export function safeFileName(name: string): string {
  const cleaned = [...name].map((ch) => (ch.charCodeAt(0) < 0x20 || '\\/:*?"<>|'.includes(ch) ? '-' : ch)).join('')
  return cleaned.replace(/-{2,}/g, '-').slice(0, 120) || 'rollcall.csv'
}

export function guardDownloads(session: DownloadSession, isAppUrl: (url: string) => boolean, log: (msg: string) => void = () => {}): void {
  session.on('will-download', (event, item) => {
    const url = item.getURL()
    if (!isAppBlobUrl(url, isAppUrl)) {
      event.preventDefault()
      log(`refused download of ${url.slice(0, 200)}`)
      return
    }
    const name = safeFileName(item.getFilename())
    item.setSaveDialogOptions({ title: 'Save the roster', defaultPath: name, filters: [{ name: 'CSV', extensions: ['csv'] }] })
  })
}
