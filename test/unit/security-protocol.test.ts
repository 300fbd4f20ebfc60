/** The app scheme: privileges, and a file handler that never serves anything outside out/renderer. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../src/main/security/csp'
import { APP_URL, createAppProtocolHandler, installAppProtocol, registerAppScheme, resolveAppPath } from '../../src/main/security/protocol'

let base: string
let root: string
let handler: (request: Request) => Promise<Response>

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'rollcall-protocol-'))
  root = join(base, 'renderer')
  mkdirSync(join(root, 'assets', 'sub'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<!doctype html><div id="app"></div>')
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(root, 'assets', 'app.css'), 'body{}')
  writeFileSync(join(root, 'assets', 'a b.svg'), '<svg/>')
  writeFileSync(join(base, 'secret.txt'), 'not for the page')
  writeFileSync(join(base, 'renderer-evil.txt'), 'a sibling folder with the same prefix')
  symlinkSync(join(base, 'secret.txt'), join(root, 'link.txt'))
  handler = createAppProtocolHandler(root)
})
afterAll(() => rmSync(base, { recursive: true, force: true }))

const get = (url: string, method = 'GET') => handler(new Request(url, { method }))

describe('app scheme', () => {
  it('is registered privileged: standard, secure, fetch and CORS, code cache; never bypassing CSP', () => {
    const registerSchemesAsPrivileged = vi.fn()
    registerAppScheme({ registerSchemesAsPrivileged })
    expect(registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'rollcall', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } }
    ])
    expect(APP_URL).toBe('rollcall://app/index.html')
  })

  it('installs its handler with protocol.handle', () => {
    const handle = vi.fn()
    installAppProtocol({ handle }, root)
    expect(handle).toHaveBeenCalledWith('rollcall', expect.any(Function))
  })

  it('maps URLs to files lexically inside the root only', () => {
    expect(resolveAppPath(root, 'rollcall://app/')).toBe(join(root, 'index.html'))
    expect(resolveAppPath(root, 'rollcall://app')).toBe(join(root, 'index.html'))
    expect(resolveAppPath(root, 'rollcall://app/assets/app.js?v=1#x')).toBe(join(root, 'assets', 'app.js'))
    expect(resolveAppPath(root, 'rollcall://app/assets/a%20b.svg')).toBe(join(root, 'assets', 'a b.svg'))
    for (const url of [
      'rollcall://app/..%2fsecret.txt',
      'rollcall://app/assets/..%2f..%2fsecret.txt',
      'rollcall://app/%2e%2e%2fsecret.txt',
      'rollcall://app/..%5csecret.txt',
      'rollcall://app/assets%5c..%5c..%5csecret.txt',
      'rollcall://app/index.html%00.js',
      'rollcall://app/%E0%A4%A',
      'rollcall://app/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      'rollcall://app/..%2frenderer-evil.txt',
      'rollcall://other/index.html',
      'rollcall://user:pw@app/index.html',
      'https://app/index.html',
      'file:///etc/passwd',
      'not a url'
    ]) {
      expect(resolveAppPath(root, url), url).toBeNull()
    }
  })

  it('serves the page with the CSP and nosniff, assets with their types, HEAD without a body', async () => {
    const page = await get('rollcall://app/index.html')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await page.text()).toContain('id="app"')
    expect((await get('rollcall://app/')).status).toBe(200)
    const js = await get('rollcall://app/assets/app.js')
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(js.headers.get('content-security-policy')).toBeNull()
    expect((await get('rollcall://app/assets/app.css')).headers.get('content-type')).toMatch(/^text\/css/)
    expect((await get('rollcall://app/assets/a%20b.svg')).headers.get('content-type')).toBe('image/svg+xml')
    const head = await get('rollcall://app/index.html', 'HEAD')
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })

  it('answers 404 for traversal, symlinks out, folders and missing files; 405 for other methods', async () => {
    for (const url of [
      'rollcall://app/..%2fsecret.txt',
      'rollcall://app/%2e%2e/secret.txt',
      'rollcall://app/../secret.txt',
      'rollcall://app/link.txt',
      'rollcall://app/assets',
      'rollcall://app/assets/sub/',
      'rollcall://app/missing.js',
      'rollcall://elsewhere/index.html'
    ]) {
      const res = await get(url)
      expect(res.status, url).toBe(404)
      expect(await res.text()).not.toContain('not for the page')
    }
    expect((await get('rollcall://app/index.html', 'POST')).status).toBe(405)
  })
})
