/**
 * The web carrier of the contract: the same dispatcher as Electron IPC, over HTTP on 127.0.0.1, so
 * the desk also runs in a browser (machines without the Electron binary, the e2e tests).
 *
 * Plain `node:http`, no framework: there are two kinds of route (one POST per call, static files),
 * and every security-relevant step — token check, body cap, path containment, headers — is a few
 * visible lines here instead of middleware defaults to audit. It also adds no dependency.
 *
 *   POST /api/<call>   Authorization: Bearer <token>, JSON body → the dispatcher's Envelope as JSON
 *   GET  /api/events   Authorization: Bearer <token> → server-sent events: what changed (DeskEvent)
 *   GET  /…            the built renderer (index.html at /), never outside `staticDir`
 *   GET  /print/<badge|sheet>/<id>?token=…&lang=…[&print=1]   a printable document (see PrintDocuments)
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, realpath, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, resolve, sep } from 'node:path'
import { EVENTS_ROUTE, LIMITS, type CallError, type DeskEvent, type Envelope } from '../../shared/contract'
import type { Dispatch } from '../ipc/dispatcher'
import { english } from '../log/english'
import { mimeOf } from '../security/mime'

/** Above the largest legitimate import (LIMITS.csvChars) with room for JSON escaping: see LIMITS. */
export const MAX_BODY_BYTES = LIMITS.requestBytes

/** Used only if the built index.html carries no CSP meta tag; the same spirit as the page's own. */
export const FALLBACK_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'"

export interface WebDeskOptions {
  dispatch: Dispatch
  /** 0 picks a free port. */
  port: number
  /** Loopback only; the type allows nothing else on purpose. */
  host?: '127.0.0.1'
  /** The built renderer, usually `out/renderer`. */
  staticDir: string
  /** A fixed token (tests); by default a fresh random one per run. */
  token?: string
  /** Largest request body accepted (default MAX_BODY_BYTES); tests use a small one. */
  maxBodyBytes?: number
  log?: (msg: string, err?: unknown) => void
  /** What changed, streamed at GET /api/events (answers a function that stops listening). */
  subscribe?: (listener: (event: DeskEvent) => void) => () => void
  /** Printable documents (badges, attendance sheets), streamed in pieces; null: no such document. */
  documents?: PrintDocuments
}

/**
 * A document the browser desk opens in a window of its own and prints with the browser's dialog.
 * Opened by address (a window cannot send a header), so the desk token rides in the query. With
 * `nonce`, the document prints itself on load through its one inline script, allowed by that nonce.
 */
export type PrintDocuments = (kind: 'badge' | 'sheet', id: number, language: 'en' | 'de', nonce: string | undefined) => Iterable<string> | null

/** A comment line now and then keeps proxies and idle timeouts from closing a quiet stream. */
const KEEPALIVE_MS = 25_000

export interface WebDesk {
  /** `http://127.0.0.1:<port>/` */
  url: string
  port: number
  token: string
  close(): Promise<void>
}

/** The CSP a page declares in `<meta http-equiv="Content-Security-Policy" content="…">`, if any. */
export function cspFromHtml(html: string): string | null {
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    const attr = (name: string): string | undefined => {
      const m = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag)
      return m ? (m[1] ?? m[2]) : undefined
    }
    if (attr('http-equiv')?.toLowerCase() === 'content-security-policy') {
      const content = attr('content')?.replace(/\s+/g, ' ').trim()
      if (content) return content
    }
  }
  return null
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest()
}

function errorEnvelope(code: CallError['code'], message: string): Envelope<never> {
  return { ok: false, error: { code, message } }
}

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const json = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(json)),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...extra
  })
  res.end(json)
}

/** A string in an answer longer than this is written in slices (a roster export's CSV). */
export const STREAM_STRING_CHARS = 1 << 20

/**
 * An answer as JSON; one carrying a very long string (a 100,000-row export is 18 M characters) is
 * written without a JSON copy of it: the envelope around it is serialised with a placeholder, and
 * the string goes out escaped slice by slice (chunked, waiting for the socket to drain), so the
 * desk holds the CSV once instead of the CSV, its JSON text and that text's bytes at the same time.
 */
async function sendEnvelope(res: ServerResponse, status: number, envelope: Envelope<unknown>): Promise<void> {
  const value = envelope.ok ? (envelope.value as Record<string, unknown> | null) : null
  const key =
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.keys(value).find((k) => typeof value[k] === 'string' && (value[k] as string).length > STREAM_STRING_CHARS)
      : undefined
  if (!key) {
    sendJson(res, status, envelope)
    return
  }
  const big = value![key] as string
  const placeholder = JSON.stringify(`\u0000${randomBytes(12).toString('hex')}\u0000`)
  const outline = JSON.stringify({ ...envelope, value: { ...value, [key]: JSON.parse(placeholder) as string } })
  const at = outline.indexOf(placeholder)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
  const write = async (text: string) => {
    if (res.destroyed) return
    if (!res.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done)
          res.off('close', done)
          resolve()
        }
        res.on('drain', done)
        res.on('close', done)
      })
    }
  }
  await write(outline.slice(0, at + 1))
  for (let start = 0; start < big.length && !res.destroyed; ) {
    let end = Math.min(big.length, start + STREAM_STRING_CHARS)
    // Keep a surrogate pair in one slice (JSON.stringify would escape lone halves, which parse back, but longer).
    const last = big.charCodeAt(end - 1)
    if (end < big.length && last >= 0xd800 && last <= 0xdbff) end--
    await write(JSON.stringify(big.slice(start, end)).slice(1, -1))
    start = end
  }
  res.end(outline.slice(at + placeholder.length - 1))
}

function sendText(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'X-Content-Type-Options': 'nosniff',
    ...extra
  })
  res.end(text)
}

/** Answers, then drops the connection so an oversized upload is not read to the end. */
function refuseBody(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  res.on('finish', () => req.socket.destroy())
  sendJson(res, status, body, { Connection: 'close' })
}

/** The whole body, or null once it passes `max` bytes (reading stops there). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const settle = (fn: () => void): void => {
      if (settled) return
      settled = true
      fn()
    }
    req.on('data', (chunk: Buffer) => {
      if (settled) return
      size += chunk.length
      if (size > max) {
        req.pause()
        settle(() => resolveBody(null))
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => settle(() => resolveBody(Buffer.concat(chunks))))
    req.on('error', (err) => settle(() => reject(err)))
    req.on('close', () => settle(() => reject(new Error('the client went away before sending the whole request'))))
  })
}

export async function startWebDesk(options: WebDeskOptions): Promise<WebDesk> {
  const { dispatch, staticDir } = options
  const host = options.host ?? '127.0.0.1'
  const log = options.log ?? ((msg: string, err?: unknown) => console.error(msg, err ?? ''))
  const token = options.token ?? randomBytes(24).toString('base64url')
  if (!token) throw new Error('the web desk token must not be empty')
  const tokenDigest = digest(token)
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES
  const root = await realpath(resolve(staticDir)).catch(() => resolve(staticDir))
  let port = options.port

  const authorized = (req: IncomingMessage): boolean => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
    // Compare fixed-length digests: timingSafeEqual needs equal lengths and must not leak the token's.
    return m?.[1] !== undefined && timingSafeEqual(digest(m[1]), tokenDigest)
  }

  /** Server-sent events: one `data:` line of JSON per DeskEvent, for as long as the window listens. */
  function handleEvents(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET') {
      sendJson(res, 405, errorEnvelope('unknown_call', `${req.method ?? '?'} is not allowed here; events are GET ${EVENTS_ROUTE}`), { Allow: 'GET' })
      return
    }
    if (!options.subscribe) {
      sendJson(res, 404, errorEnvelope('unknown_call', 'This desk sends no events.'))
      return
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      Connection: 'keep-alive'
    })
    res.flushHeaders()
    const unsubscribe = options.subscribe((event) => {
      if (!res.destroyed) res.write(`data: ${JSON.stringify(event)}\n\n`)
    })
    const keepAlive = setInterval(() => res.write(': still here\n\n'), KEEPALIVE_MS)
    keepAlive.unref()
    res.on('close', () => {
      clearInterval(keepAlive)
      unsubscribe()
    })
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, call: string): Promise<void> {
    if (!authorized(req)) {
      sendJson(res, 401, errorEnvelope('forbidden', 'Missing or wrong desk token. Open the address Rollcall printed when it started (it ends in ?token=…).'), {
        'WWW-Authenticate': 'Bearer'
      })
      return
    }
    if ('/api/' + call === EVENTS_ROUTE) return handleEvents(req, res)
    if (req.method !== 'POST') {
      sendJson(res, 405, errorEnvelope('unknown_call', `${req.method ?? '?'} is not allowed here; calls are POST /api/<call>`), { Allow: 'POST' })
      return
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/json') {
      sendJson(res, 415, errorEnvelope('invalid_input', 'The request body must be JSON (Content-Type: application/json).'))
      return
    }
    const maxMb = Math.round(maxBody / 1024 / 1024)
    const tooLarge: Envelope<never> = {
      ok: false,
      error: { code: 'invalid_input', message: english({ reason: 'request_too_large', params: { maxMb } }), reason: 'request_too_large', params: { maxMb } }
    }
    if (Number(req.headers['content-length'] ?? 0) > maxBody) {
      refuseBody(req, res, 413, tooLarge)
      return
    }
    const body = await readBody(req, maxBody)
    if (body === null) {
      refuseBody(req, res, 413, tooLarge)
      return
    }
    const text = body.toString('utf8')
    let payload: unknown
    try {
      // An empty body means "no input", which is `{}` for calls that take none.
      payload = text.trim() === '' ? {} : JSON.parse(text)
    } catch (err) {
      sendJson(res, 400, errorEnvelope('invalid_input', `The request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`))
      return
    }
    const envelope = await dispatch(call, payload)
    // Handled errors (invalid input, not found, refused) are answers, not transport failures: 200.
    const status = !envelope.ok && envelope.error.code === 'unknown_call' ? 404 : 200
    await sendEnvelope(res, status, envelope)
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Method not allowed\n', { Allow: 'GET, HEAD' })
      return
    }
    const notFound = (): void => sendText(res, 404, 'Not found\n')
    let rel: string
    try {
      rel = decodeURIComponent(pathname)
    } catch {
      notFound()
      return
    }
    if (rel.includes('\0')) return notFound()
    if (rel === '/' || rel === '') rel = '/index.html'
    const candidate = resolve(join(root, rel))
    const inside = (p: string): boolean => p.startsWith(root + sep)
    if (!inside(candidate)) return notFound()
    let file: string
    try {
      file = await realpath(candidate)
      if (!inside(file) || !(await stat(file)).isFile()) return notFound()
    } catch {
      return notFound()
    }
    const ext = extname(file).toLowerCase()
    const headers: Record<string, string> = {
      'Content-Type': mimeOf(ext),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin'
    }
    if (ext === '.html') {
      const html = await readFile(file, 'utf8')
      headers['Content-Security-Policy'] = cspFromHtml(html) ?? FALLBACK_CSP
      headers['Cache-Control'] = 'no-store'
      headers['Content-Length'] = String(Buffer.byteLength(html))
      res.writeHead(200, headers)
      res.end(req.method === 'HEAD' ? undefined : html)
      return
    }
    headers['Cache-Control'] = 'no-cache'
    headers['Content-Length'] = String((await stat(file)).size)
    res.writeHead(200, headers)
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    createReadStream(file)
      .on('error', (err) => {
        log(`reading ${file} failed`, err)
        res.destroy()
      })
      .pipe(res)
  }

  async function handlePrint(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const m = /^\/print\/(badge|sheet)\/(\d{1,12})$/.exec(url.pathname)
    const given = url.searchParams.get('token') ?? ''
    if (!given || !timingSafeEqual(digest(given), tokenDigest)) return sendText(res, 401, 'Missing or wrong desk token.\n')
    if (!m || !options.documents || (req.method !== 'GET' && req.method !== 'HEAD')) return sendText(res, 404, 'Not found\n')
    const language = url.searchParams.get('lang') === 'de' ? 'de' : 'en'
    const nonce = url.searchParams.get('print') === '1' ? randomBytes(16).toString('base64') : undefined
    let pieces: Iterable<string> | null
    try {
      pieces = options.documents(m[1] as 'badge' | 'sheet', Number(m[2]), language, nonce)
    } catch {
      pieces = null
    }
    if (!pieces) return sendText(res, 404, 'No such document.\n')
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      // Nothing but the document's own styles, inline QR codes and (to print) its one script.
      'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ${nonce ? `'nonce-${nonce}'` : "'none'"}; base-uri 'none'; form-action 'none'`
    })
    if (req.method === 'HEAD') return void res.end()
    // Piece by piece, waiting for the socket: a 100,000-row sheet is never held whole.
    for (const piece of pieces) {
      if (res.destroyed) return
      if (!res.write(piece)) await new Promise<void>((done) => (res.once('drain', done), res.once('close', done)))
    }
    res.end()
  }

  const server = createServer((req, res) => {
    // Only our own origin: a page elsewhere that resolves a hostname to 127.0.0.1 (DNS rebinding)
    // sends its own Host header and gets nothing.
    const hostHeader = (req.headers.host ?? '').toLowerCase()
    if (hostHeader !== `127.0.0.1:${port}` && hostHeader !== `localhost:${port}`) {
      sendText(res, 421, 'This desk only answers at its own address.\n')
      return
    }
    let pathname: string
    let url: URL
    try {
      url = new URL(req.url ?? '/', `http://${hostHeader}`)
      pathname = url.pathname
    } catch {
      sendText(res, 400, 'Bad request\n')
      return
    }
    const work = pathname.startsWith('/api/')
      ? handleApi(req, res, pathname.slice('/api/'.length))
      : pathname.startsWith('/print/')
        ? handlePrint(req, res, url)
        : handleStatic(req, res, pathname)
    work.catch((err: unknown) => {
      log(`${req.method ?? '?'} ${pathname} failed`, err)
      if (!res.headersSent) sendJson(res, 500, errorEnvelope('internal', 'Rollcall hit an internal error; nothing was changed. Details are in the log.'))
      else res.destroy()
    })
  })
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, () => {
      server.off('error', reject)
      resolveListen()
    })
  })
  port = (server.address() as AddressInfo).port

  return {
    url: `http://${host}:${port}/`,
    port,
    token,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose())
        server.closeAllConnections()
      })
  }
}
