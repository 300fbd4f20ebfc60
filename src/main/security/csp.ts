/**
 * The Content-Security-Policy (checklist item 7), sent as a response header on every response of
 * the app's session. It repeats the renderer's `<meta http-equiv="Content-Security-Policy">`
 * directive for directive (a test keeps the two in step) and adds the directives a meta tag cannot
 * carry or that only narrow it further, each `'none'`.
 */

/** What `src/renderer/index.html` declares; the header must say the same. */
export const PAGE_POLICY: Readonly<Record<string, string>> = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': "'self' 'unsafe-inline'",
  'img-src': "'self' data:",
  'connect-src': "'self'"
}

/** Only in the header: nothing may embed the app, be embedded, post a form or rebase URLs. */
export const HEADER_ONLY_POLICY: Readonly<Record<string, string>> = {
  'object-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-src': "'none'",
  'frame-ancestors': "'none'"
}

export function formatPolicy(directives: Readonly<Record<string, string>>): string {
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ')
}

export const CONTENT_SECURITY_POLICY = formatPolicy({ ...PAGE_POLICY, ...HEADER_ONLY_POLICY })

/** A policy as directive → normalised source list (order-insensitive, whitespace-insensitive). */
export function parsePolicy(policy: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (!name) continue
    // The first occurrence of a directive wins (CSP 3 §2.2.1); later duplicates are ignored.
    if (!out.has(name.toLowerCase())) out.set(name.toLowerCase(), [...sources].sort().join(' '))
  }
  return out
}

/** Response headers with our policy set (any other CSP the server sent stays: policies only add up). */
export function withContentSecurityPolicy(
  headers: Record<string, string | string[]> | undefined,
  policy: string = CONTENT_SECURITY_POLICY
): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  const others: string[] = []
  for (const [name, value] of Object.entries(headers ?? {})) {
    const values = Array.isArray(value) ? value : [value]
    if (name.toLowerCase() === 'content-security-policy') others.push(...values.filter((v) => v !== policy))
    else out[name] = values
  }
  out['Content-Security-Policy'] = [policy, ...others]
  return out
}

/** The part of `session.webRequest` this guard uses. */
export interface HeaderHookSession {
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void
      ) => void
    ): void
  }
}

/** Adds the policy to every response the session receives (the app's pages and the dev server alike). */
export function installContentSecurityPolicy(session: HeaderHookSession, policy: string = CONTENT_SECURITY_POLICY): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders, policy) })
  })
}
