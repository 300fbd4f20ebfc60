/** What a route handler gets and returns; the server does the HTTP around it. */
import type { Renderer } from './render'
import type { PlandocketStore } from './store'
import type { FakePlandocketSettings, Scope } from './types'

export interface CallerKey {
  key: string
  scopes: readonly Scope[]
  user: string
}

export interface HandlerContext {
  store: PlandocketStore
  settings: FakePlandocketSettings
  render: Renderer
  clock: () => number
  caller: CallerKey
  method: string
  /** Relative to /api/v1. */
  path: string
  query: URLSearchParams
  /** The route pattern's capture groups, URL-decoded. */
  params: string[]
  /** The parsed JSON body; `{}` when the request had none. */
  body: Record<string, unknown>
}

export interface Reply {
  status?: number
  /** '' = no body (204). */
  body: unknown
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface Route {
  method: Method
  pattern: RegExp
  scope: Scope
  handle(context: HandlerContext): Reply
}

export type RouteLookup =
  | { kind: 'found'; route: Route; params: string[] }
  | { kind: 'wrongMethod' }
  | { kind: 'none' }

export function findRoute(routes: readonly Route[], method: string, path: string): RouteLookup {
  let pathKnown = false
  for (const route of routes) {
    const match = route.pattern.exec(path)
    if (!match) continue
    pathKnown = true
    if (route.method === method) return { kind: 'found', route, params: match.slice(1).map((part) => decodeURIComponent(part ?? '')) }
  }
  return pathKnown ? { kind: 'wrongMethod' } : { kind: 'none' }
}

/** The numeric id in a path, or undefined (which the handlers answer with 404). */
export const idParam = (context: HandlerContext, index = 0): number | undefined => {
  const raw = context.params[index]
  return raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined
}
