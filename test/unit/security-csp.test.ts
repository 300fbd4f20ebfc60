/**
 * The CSP header: strict, installed on the session, and saying exactly what the renderer's own
 * meta tag says (plus directives that only narrow it), so the page and the header never disagree.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { CONTENT_SECURITY_POLICY, HEADER_ONLY_POLICY, installContentSecurityPolicy, PAGE_POLICY, parsePolicy, withContentSecurityPolicy } from '../../src/main/security/csp'
import { cspFromHtml } from '../../src/main/web/server'

const root = join(__dirname, '..', '..')
const pages = [join(root, 'src', 'renderer', 'index.html'), join(root, 'out', 'renderer', 'index.html')].filter((f) => existsSync(f))

describe('Content-Security-Policy', () => {
  it('is strict: no eval, no inline script, no wildcard, no remote origin, nothing embeddable', () => {
    const policy = parsePolicy(CONTENT_SECURITY_POLICY)
    expect(policy.get('script-src')).toBe("'self'")
    expect(policy.get('default-src')).toBe("'self'")
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|\*|https?:|wasm-unsafe-eval/)
    expect(policy.get('script-src')).not.toContain('unsafe-inline')
    for (const d of ['object-src', 'base-uri', 'form-action', 'frame-ancestors', 'frame-src']) expect(policy.get(d), d).toBe("'none'")
  })

  for (const page of pages) {
    it(`matches the meta tag of ${page.slice(root.length + 1)} directive for directive`, () => {
      const meta = cspFromHtml(readFileSync(page, 'utf8'))
      expect(meta, 'the page must declare its CSP in a meta tag').not.toBeNull()
      const fromPage = parsePolicy(meta!)
      const header = parsePolicy(CONTENT_SECURITY_POLICY)
      expect(Object.fromEntries(fromPage)).toEqual(Object.fromEntries(parsePolicy(Object.entries(PAGE_POLICY).map(([k, v]) => `${k} ${v}`).join(';'))))
      for (const [directive, sources] of fromPage) expect(header.get(directive), directive).toBe(sources)
      // Whatever the header adds beyond the page only narrows it.
      for (const [directive, sources] of header) if (!fromPage.has(directive)) expect(HEADER_ONLY_POLICY[directive], directive).toBe(sources)
      for (const sources of Object.values(HEADER_ONLY_POLICY)) expect(sources).toBe("'none'")
    })
  }

  it('is set on every response by session.webRequest.onHeadersReceived, keeping any policy the server sent', () => {
    const onHeadersReceived = vi.fn()
    installContentSecurityPolicy({ webRequest: { onHeadersReceived } })
    const listener = onHeadersReceived.mock.calls[0]![0] as (d: unknown, cb: (r: unknown) => void) => void
    const callback = vi.fn()
    listener({ responseHeaders: { 'content-security-policy': ["script-src 'none'"], 'Content-Type': ['text/html'] } }, callback)
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY, "script-src 'none'"] }
    })
    listener({}, callback)
    expect(callback).toHaveBeenLastCalledWith({ responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })

  it('never duplicates itself when a response already carries it', () => {
    expect(withContentSecurityPolicy({ 'Content-Security-Policy': CONTENT_SECURITY_POLICY })).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] })
  })
})
