/**
 * Navigation and new windows (checklist items 12–15): the page may only ever show the app itself.
 * `window.open`, links with target=_blank and navigations elsewhere are refused; an https link to
 * one of the few allow-listed sites opens in the user's browser through `shell.openExternal`
 * (never anything else: no file:, no custom schemes, no other hosts). `<webview>` is refused too.
 */

/** Sites the app may send the user to (help pages of the booking systems it talks to). */
export const EXTERNAL_ORIGINS: readonly string[] = [
  'https://www.wix.com',
  'https://support.wix.com',
  'https://manage.wix.com',
  'https://dev.wix.com'
]

/** https, an allow-listed origin exactly (no other port, no user:password@, no lookalike host). */
export function isAllowedExternalUrl(raw: string, allowed: readonly string[] = EXTERNAL_ORIGINS): boolean {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return false
  }
  if (url.protocol !== 'https:' || url.username || url.password) return false
  return allowed.includes(url.origin)
}

type Listener = (event: { preventDefault(): void; url?: string }, url?: string) => void

/** The part of `WebContents` this guard uses. */
export interface GuardedContents {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void
  on(event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect' | 'will-attach-webview', listener: Listener): unknown
}

export interface NavigationGuardOptions {
  /** The app's own pages (the custom protocol, or the dev server in development). */
  isAppUrl: (url: string) => boolean
  openExternal: (url: string) => Promise<void> | void
  allowedExternal?: readonly string[]
  log?: (msg: string, err?: unknown) => void
}

export function guardNavigation(contents: GuardedContents, options: NavigationGuardOptions): void {
  const log = options.log ?? (() => {})
  const allowed = options.allowedExternal ?? EXTERNAL_ORIGINS
  const sendOut = (url: string) => {
    if (!isAllowedExternalUrl(url, allowed)) {
      log(`refused to open ${url.slice(0, 200)}`)
      return
    }
    try {
      void Promise.resolve(options.openExternal(url)).catch((err: unknown) => log(`opening ${url} failed`, err))
    } catch (err) {
      log(`opening ${url} failed`, err)
    }
  }

  contents.setWindowOpenHandler(({ url }) => {
    sendOut(url)
    return { action: 'deny' }
  })
  const stayHome: Listener = (event, url) => {
    const target = event.url ?? url ?? ''
    if (options.isAppUrl(target)) return
    event.preventDefault()
    sendOut(target)
  }
  contents.on('will-navigate', stayHome)
  contents.on('will-frame-navigate', stayHome)
  contents.on('will-redirect', (event, url) => {
    const target = event.url ?? url ?? ''
    if (!options.isAppUrl(target)) {
      event.preventDefault()
      log(`refused redirect to ${target.slice(0, 200)}`)
    }
  })
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
    log('refused to attach a <webview>')
  })
}
