/** What a route handler gets and returns; the server does the HTTP around it. */
import type { IdSource } from './ids'
import type { Pager } from './paging'
import type { WixStore } from './store'
import type { FakeWixSettings, Violation } from './types'

export interface HandlerContext {
  store: WixStore
  pager: Pager
  ids: IdSource
  settings: FakeWixSettings
  /** The business time zone, used when a request names none. */
  zone: string
  method: string
  path: string
  /** The route pattern's capture groups, URL-decoded. */
  params: string[]
  /** The parsed JSON body; `{}` when the request had none. */
  body: Record<string, unknown>
  /** Records input the contract says a client must never send (the request still succeeds). */
  flag(rule: Violation['rule'], detail: string): void
}

export interface Reply {
  status?: number
  body: unknown
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  pattern: RegExp
  handle(context: HandlerContext): Reply
}

export function findRoute(routes: readonly Route[], method: string, path: string) {
  for (const route of routes) {
    if (route.method !== method) continue
    const match = route.pattern.exec(path)
    if (match) return { route, params: match.slice(1).map((part) => decodeURIComponent(part ?? '')) }
  }
  return undefined
}
