/**
 * Permissions (checklist item 5): the desk needs no camera, microphone, notifications,
 * geolocation, clipboard reading, HID, serial, USB or MIDI. Every request and every check is
 * answered no, in one place.
 */

/** The part of `Session` this guard uses. */
export interface PermissionSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void
  setDevicePermissionHandler?(handler: (details: unknown) => boolean): void
}

export function denyAllPermissions(session: PermissionSession, log: (msg: string) => void = () => {}): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`refused permission request: ${permission}`)
    callback(false)
  })
  session.setPermissionCheckHandler(() => false)
  session.setDevicePermissionHandler?.(() => false)
}
