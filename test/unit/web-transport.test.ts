/** The HTTP carrier on a real socket: token, body rules, static files and their headers. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CALL_NAMES, type CallName } from '../../src/shared/contract'
import { createDispatcher, type Handlers } from '../../src/main/ipc'
import { parseServeArgs } from '../../src/main/web/args'
import { cspFromHtml, startWebDesk, type WebDesk } from '../../src/main/web/server'

const CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'"
const INDEX = `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="${CSP}">
<title>Rollcall</title></head><body><div id="app"></div><script type="module" src="./assets/app.js"></script></body></html>`

/** Test double for the lead's core handlers. */
const info = { deskId: 'desk-1', deskName: 'Front desk', provider: 'local', version: '0.0.0-test' }
const handlers = Object.fromEntries(CALL_NAMES.map((n) => [n, vi.fn(() => (n === 'desk.info' ? info : {}))])) as unknown as Handlers & Record<CallName, ReturnType<typeof vi.fn>>

let base: string
let staticDir: string
let web: WebDesk

/** A raw request, so paths reach the server exactly as written (no client-side normalising). */
function raw(
  path: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {}
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: web.port, path, method, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const api = (name: string, init: { token?: string | null; type?: string; body?: string } = {}) =>
  fetch(`${web.url}api/${name}`, {
    method: 'POST',
    headers: {
      ...(init.token === null ? {} : { Authorization: `Bearer ${init.token ?? web.token}` }),
      'Content-Type': init.type ?? 'application/json'
    },
    body: init.body ?? '{}'
  })

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'rollcall-web-'))
  staticDir = join(base, 'renderer')
  mkdirSync(join(staticDir, 'assets'), { recursive: true })
  writeFileSync(join(staticDir, 'index.html'), INDEX)
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log("hi")\n')
  writeFileSync(join(staticDir, 'assets', 'app.css'), 'body{}\n')
  writeFileSync(join(base, 'secret.txt'), 'not for the browser\n')
  writeFileSync(join(base, 'package.json'), '{"secret":true}\n')
  symlinkSync(join(base, 'secret.txt'), join(staticDir, 'link.txt'))
  web = await startWebDesk({ dispatch: createDispatcher(handlers, () => {}), port: 0, host: '127.0.0.1', staticDir, log: () => {} })
})

afterAll(async () => {
  await web?.close()
  rmSync(base, { recursive: true, force: true })
})

describe('startWebDesk', () => {
  it('listens on 127.0.0.1 only, with a random url-safe token per run', async () => {
    expect(web.url).toBe(`http://127.0.0.1:${web.port}/`)
    expect(web.token).toMatch(/^[A-Za-z0-9_-]{32}$/)
    const other = await startWebDesk({ dispatch: createDispatcher(handlers), port: 0, staticDir, log: () => {} })
    expect(other.token).not.toBe(web.token)
    await other.close()
  })

  it('refuses a missing or wrong token with 401 and a forbidden envelope', async () => {
    for (const token of [null, 'wrong', `${web.token}x`, web.token.slice(1)]) {
      const res = await api('desk.info', { token })
      expect(res.status).toBe(401)
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    }
    expect(handlers['desk.info']).not.toHaveBeenCalled()
  })

  it('answers a valid call with the dispatcher envelope', async () => {
    const res = await api('desk.info')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await res.json()).toEqual({ ok: true, value: info })
    expect(handlers['desk.info']).toHaveBeenCalledTimes(1)
  })

  it('answers invalid input as a handled error (200) and an unknown call as 404', async () => {
    const bad = await api('sessions.get', { body: '{"sessionId":-1}' })
    expect(bad.status).toBe(200)
    expect(await bad.json()).toMatchObject({ ok: false, error: { code: 'invalid_input', issues: [{ path: 'sessionId' }] } })
    const unknown = await api('nope.nothing')
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ ok: false, error: { code: 'unknown_call' } })
  })

  it('rejects malformed JSON with 400 and a clear message', async () => {
    const res = await api('sessions.get', { body: '{"sessionId": 1,' })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { ok: boolean; error: { code: string; message: string } }
    expect(body.ok).toBe(false)
    expect(body.error.code).toBe('invalid_input')
    expect(body.error.message).toMatch(/not valid JSON/)
    expect(handlers['sessions.get']).not.toHaveBeenCalled()
  })

  it('rejects a non-JSON content type with 415 and other methods with 405', async () => {
    expect((await api('desk.info', { type: 'text/plain' })).status).toBe(415)
    expect((await api('desk.info', { type: 'application/x-www-form-urlencoded', body: 'a=1' })).status).toBe(415)
    const get = await fetch(`${web.url}api/desk.info`, { headers: { Authorization: `Bearer ${web.token}` } })
    expect(get.status).toBe(405)
  })

  it('refuses a body over the cap (LIMITS.requestBytes) with 413 without reading it', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: web.port,
          path: '/api/import.preview',
          method: 'POST',
          headers: { Authorization: `Bearer ${web.token}`, 'Content-Type': 'application/json', 'Content-Length': String(200 * 1024 * 1024) }
        },
        (r) => {
          r.resume()
          resolve(r.statusCode ?? 0)
        }
      )
      req.on('error', reject)
      req.flushHeaders()
      req.write('{"csv":"')
    })
    expect(res).toBe(413)
  })

  it('serves index.html at / with the page CSP, nosniff and no-store', async () => {
    const res = await fetch(web.url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('content-security-policy')).toBe(CSP)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await res.text()).toContain('<title>Rollcall</title>')
  })

  it('serves assets with their MIME types', async () => {
    const js = await fetch(`${web.url}assets/app.js`)
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(js.headers.get('x-content-type-options')).toBe('nosniff')
    const css = await fetch(`${web.url}assets/app.css`)
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
    expect((await fetch(`${web.url}assets/missing.js`)).status).toBe(404)
    expect((await fetch(`${web.url}assets`)).status).toBe(404)
  })

  it('never serves files outside the static dir', async () => {
    for (const path of ['/../package.json', '/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/link.txt', '/%00index.html']) {
      const res = await raw(path)
      expect(res.status, path).toBe(404)
      expect(res.text, path).not.toMatch(/secret|not for the browser/)
    }
  })

  it('answers only under its own host name (DNS rebinding)', async () => {
    const res = await raw('/', { headers: { Host: `evil.example:${web.port}` } })
    expect(res.status).toBe(421)
    const ok = await raw('/', { headers: { Host: `localhost:${web.port}` } })
    expect(ok.status).toBe(200)
  })
})

describe('cspFromHtml', () => {
  it('reads the policy whatever the attribute order and quoting', () => {
    expect(cspFromHtml(INDEX)).toBe(CSP)
    expect(cspFromHtml(`<meta content='a b' http-equiv='content-security-policy'>`)).toBe('a b')
    expect(cspFromHtml('<meta charset="utf-8">')).toBeNull()
  })
})

describe('serve.js arguments', () => {
  it('defaults to port 4821 and ./.rollcall-data, honouring ROLLCALL_DATA_DIR', () => {
    expect(parseServeArgs([], {}, '/w')).toEqual({ port: 4821, dataDir: '/w/.rollcall-data', help: false })
    expect(parseServeArgs([], { ROLLCALL_DATA_DIR: '/d' }, '/w').dataDir).toBe('/d')
    expect(parseServeArgs(['--port', '0', '--data-dir', 'x'], {}, '/w')).toEqual({ port: 0, dataDir: '/w/x', help: false })
    expect(parseServeArgs(['--port=9000'], {}, '/w').port).toBe(9000)
  })

  it('rejects bad ports and unknown flags', () => {
    expect(() => parseServeArgs(['--port', 'abc'], {}, '/w')).toThrow(/--port/)
    expect(() => parseServeArgs(['--port', '70000'], {}, '/w')).toThrow(/--port/)
    expect(() => parseServeArgs(['--port'], {}, '/w')).toThrow(/needs a value/)
    expect(() => parseServeArgs(['--verbose'], {}, '/w')).toThrow(/unknown argument/)
  })
})
