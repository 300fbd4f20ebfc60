/**
 * Every Electron security guard, installed in two steps: `installGuards` before the app is ready
 * (privileged scheme, sandbox for every renderer, navigation/window-open guard on every
 * WebContents as it is created) and `installSessionGuards` once it is (the app protocol, the CSP
 * header, permissions, downloads). The IPC sender check is wired where the IPC handlers are
 * registered (`appSenderCheck`), the window's options come from `mainWindowOptions`.
 */
import { guardDownloads, type DownloadSession } from './downloads'
import { installContentSecurityPolicy, type HeaderHookSession } from './csp'
import { guardNavigation, type GuardedContents } from './navigation'
import { denyAllPermissions, type PermissionSession } from './permissions'
import { installAppProtocol, registerAppScheme, type ProtocolHandlerRegistry, type SchemeRegistry } from './protocol'

export { APP_HOST, APP_ORIGIN, APP_SCHEME, APP_SCHEME_PRIVILEGES, APP_URL, createAppProtocolHandler, resolveAppPath } from './protocol'
export { CONTENT_SECURITY_POLICY, PAGE_POLICY, HEADER_ONLY_POLICY, parsePolicy } from './csp'
export { EXTERNAL_ORIGINS, isAllowedExternalUrl } from './navigation'
export { appSenderCheck, isAppPageUrl } from './sender'
export { assertSecureWebPreferences, mainWindowOptions, secureWebPreferences, REQUIRED_WEB_PREFERENCES } from './window'

export interface GuardConfig {
  /** Decides whether a URL is one of the app's own pages. */
  isAppUrl: (url: string) => boolean
  /** The built renderer (`out/renderer`), served on the app scheme. */
  rendererDir: string
  log: (msg: string, err?: unknown) => void
}

export interface EarlyGuardTargets {
  app: {
    enableSandbox(): void
    on(event: 'web-contents-created', listener: (event: unknown, contents: GuardedContents) => void): unknown
  }
  protocol: SchemeRegistry
  shell: { openExternal(url: string): Promise<void> }
}

/** Before `app` is ready. */
export function installGuards(e: EarlyGuardTargets, config: GuardConfig): void {
  registerAppScheme(e.protocol)
  e.app.enableSandbox()
  e.app.on('web-contents-created', (_event, contents) =>
    guardNavigation(contents, { isAppUrl: config.isAppUrl, openExternal: (url) => e.shell.openExternal(url), log: config.log })
  )
}

export interface SessionGuardTargets {
  protocol: ProtocolHandlerRegistry
  session: { defaultSession: HeaderHookSession & PermissionSession & DownloadSession }
}

/** Once `app` is ready, before the first window. */
export function installSessionGuards(e: SessionGuardTargets, config: GuardConfig): void {
  const ses = e.session.defaultSession
  installAppProtocol(e.protocol, config.rendererDir, config.log)
  installContentSecurityPolicy(ses)
  denyAllPermissions(ses, config.log)
  guardDownloads(ses, config.isAppUrl, config.log)
}
