/**
 * The app is served from its own scheme, `rollcall://app/…` (checklist item 18), never from
 * `file://`: a `file:` page shares its origin with every file on disk, ours has an origin of its
 * own that the CSP's 'self', the IPC sender check and the navigation guard can name.
 *
 * `registerAppScheme` must run before `app` is ready; `installAppProtocol` after. The handler only
 * ever answers files inside the built renderer folder (`out/renderer`): encoded or plain `..`,
 * backslashes, NUL bytes, other hosts and symlinks pointing out are all 404.
 */
import fs from 'node:fs'
import { extname, resolve, sep } from 'node:path'
import { CONTENT_SECURITY_POLICY } from './csp'
import { mimeOf } from './mime'

export const APP_SCHEME = 'rollcall'
export const APP_HOST = 'app'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_URL = `${APP_ORIGIN}/index.html`

/**
 * standard: real origin and relative URLs; secure: a secure context (like https); supportFetchAPI
 * and corsEnabled: module scripts and fetch() work; codeCache: V8 caches the bundle. Not bypassCSP.
 */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  corsEnabled: true,
  codeCache: true
} as const

export interface SchemeRegistry {
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges?: Record<string, boolean> }[]): void
}

export function registerAppScheme(protocol: SchemeRegistry): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }])
}

/**
 * The file a `rollcall://app/…` URL names inside `root`, or null when it names nothing we serve.
 * Pure (no file system): the containment check on the lexical path. `/` is `/index.html`.
 */
export function resolveAppPath(root: string, requestUrl: string): string | null {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return null
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username || url.password) return null
  let rel: string
  try {
    rel = decodeURIComponent(url.pathname)
  } catch {
    return null
  }
  if (rel.includes('\0') || rel.includes('\\')) return null
  if (rel === '' || rel === '/') rel = '/index.html'
  const base = resolve(root)
  const candidate = resolve(base, `.${rel.startsWith('/') ? rel : `/${rel}`}`)
  return candidate.startsWith(base + sep) ? candidate : null
}

export interface AppFileSystem {
  /** Throws when the file does not exist. */
  realpath(path: string): string
  readFile(path: string): Promise<Buffer>
  isFile(path: string): boolean
}

/**
 * Node's fs, looked up at call time: inside a packaged app Electron patches these functions so they
 * read from app.asar, and an early-bound reference could miss the patch.
 */
const nodeFs: AppFileSystem = {
  realpath: (path) => fs.realpathSync(path),
  readFile: (path) =>
    new Promise((resolveRead, reject) => fs.readFile(path, (err, data) => (err ? reject(err) : resolveRead(data)))),
  isFile: (path) => fs.statSync(path).isFile()
}

const text = (status: number, body: string) =>
  new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' } })

/** The `protocol.handle` handler for the app scheme, serving `root` (the built renderer). */
export function createAppProtocolHandler(
  root: string,
  options: { fs?: AppFileSystem; log?: (msg: string, err?: unknown) => void } = {}
): (request: Request) => Promise<Response> {
  const files = options.fs ?? nodeFs
  const log = options.log ?? (() => {})
  let realRoot: string | null = null
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method not allowed\n')
    const candidate = resolveAppPath(root, request.url)
    if (!candidate) {
      log(`refused app protocol request for ${request.url}`)
      return text(404, 'Not found\n')
    }
    let file: string
    try {
      realRoot ??= files.realpath(resolve(root))
      file = files.realpath(candidate)
      // A symlink inside the folder must not lead out of it.
      if (!file.startsWith(realRoot + sep) || !files.isFile(file)) return text(404, 'Not found\n')
    } catch {
      return text(404, 'Not found\n')
    }
    const ext = extname(file).toLowerCase()
    const headers: Record<string, string> = {
      'Content-Type': mimeOf(ext),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache'
    }
    // webRequest hooks may not see custom-protocol responses: the page carries its policy itself.
    if (ext === '.html') headers['Content-Security-Policy'] = CONTENT_SECURITY_POLICY
    try {
      const body = await files.readFile(file)
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers })
    } catch (err) {
      log(`reading ${file} for the app protocol failed`, err)
      return text(404, 'Not found\n')
    }
  }
}

export interface ProtocolHandlerRegistry {
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void
}

export function installAppProtocol(protocol: ProtocolHandlerRegistry, root: string, log?: (msg: string, err?: unknown) => void): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler(root, { log }))
}
