/** Navigation, window.open and webviews: the page stays the app; only allow-listed https goes out. */
import { describe, expect, it, vi } from 'vitest'
import { EXTERNAL_ORIGINS, guardNavigation, isAllowedExternalUrl } from '../../src/main/security/navigation'

function contents() {
  const on = new Map<string, (e: { preventDefault(): void; url?: string }, url?: string) => void>()
  let open: ((d: { url: string }) => { action: string }) | null = null
  return {
    target: {
      setWindowOpenHandler: (h: (d: { url: string }) => { action: 'deny' } | { action: 'allow' }) => void (open = h),
      on: (event: string, l: (e: { preventDefault(): void; url?: string }, url?: string) => void) => on.set(event, l)
    },
    open: (url: string) => open!({ url }),
    navigate(event: string, url: string, viaDetails = true) {
      const e = { preventDefault: vi.fn(), ...(viaDetails ? { url } : {}) }
      on.get(event)!(e, url)
      return !e.preventDefault.mock.calls.length
    },
    on
  }
}

const isAppUrl = (url: string) => url.startsWith('rollcall://app/')

describe('navigation guard', () => {
  it('allows only https links to the listed origins exactly', () => {
    expect(EXTERNAL_ORIGINS.every((o) => o.startsWith('https://'))).toBe(true)
    expect(isAllowedExternalUrl('https://support.wix.com/en/article/api-keys')).toBe(true)
    for (const url of [
      'http://support.wix.com/',
      'https://support.wix.com.evil.example/',
      'https://evil.example/?https://support.wix.com',
      'https://user:pw@support.wix.com/',
      'https://support.wix.com:8443/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://server/share',
      'rollcall://app/index.html',
      'not a url'
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(false)
    }
  })

  it('denies every window.open, sending allow-listed https links to the browser', async () => {
    const c = contents()
    const openExternal = vi.fn(async () => {})
    guardNavigation(c.target, { isAppUrl, openExternal })
    expect(c.open('https://evil.example/')).toEqual({ action: 'deny' })
    expect(c.open('rollcall://app/index.html')).toEqual({ action: 'deny' })
    expect(c.open('https://support.wix.com/x')).toEqual({ action: 'deny' })
    expect(openExternal.mock.calls).toEqual([['https://support.wix.com/x']])
  })

  it('keeps the page on the app: other navigations and redirects are prevented, the app itself is not', () => {
    const c = contents()
    const openExternal = vi.fn()
    guardNavigation(c.target, { isAppUrl, openExternal })
    expect(c.navigate('will-navigate', 'rollcall://app/index.html')).toBe(true)
    expect(c.navigate('will-navigate', 'rollcall://app/index.html', false)).toBe(true)
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'data:text/html,<script>1</script>', 'https://support.wix.com/']) {
      expect(c.navigate('will-navigate', url), url).toBe(false)
      expect(c.navigate('will-frame-navigate', url), url).toBe(false)
      expect(c.navigate('will-redirect', url), url).toBe(false)
    }
    // An allow-listed link clicked in the page opens in the browser, not in the app.
    expect(openExternal.mock.calls).toEqual([['https://support.wix.com/'], ['https://support.wix.com/']])
  })

  it('refuses <webview> and survives a failing openExternal', async () => {
    const c = contents()
    const log = vi.fn()
    guardNavigation(c.target, { isAppUrl, openExternal: () => Promise.reject(new Error('no browser')), log })
    const e = { preventDefault: vi.fn() }
    c.on.get('will-attach-webview')!(e)
    expect(e.preventDefault).toHaveBeenCalled()
    expect(c.open('https://dev.wix.com/')).toEqual({ action: 'deny' })
    await new Promise((r) => setTimeout(r, 0))
    expect(log).toHaveBeenCalledWith(expect.stringContaining('opening https://dev.wix.com/ failed'), expect.any(Error))
  })
})
