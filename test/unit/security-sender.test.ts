/**
 * The IPC sender check against the custom protocol's origin: only the app's own top-level page.
 * Node's URL gives every custom scheme the opaque origin "null", so origins alone would let any
 * custom-scheme page through; the check compares scheme and host.
 */
import type { IpcMainInvokeEvent, WebFrameMain } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { CALL_NAMES, IPC_PREFIX } from '../../src/shared/contract'
import { registerIpc, type Dispatch, type IpcMainLike } from '../../src/main/ipc'
import { appSenderCheck, isAppPageUrl } from '../../src/main/security/sender'
import { APP_URL } from '../../src/main/security/protocol'

const frame = (url: string, parent: unknown = null) => ({ url, parent }) as unknown as WebFrameMain

describe('IPC sender check', () => {
  const trusted = appSenderCheck(APP_URL)

  it('accepts the app page on rollcall://app, with any path, query or hash', () => {
    for (const url of ['rollcall://app/index.html', 'rollcall://app/index.html?x=1#/roster', 'rollcall://app/', 'rollcall://app/other.html']) {
      expect(trusted(frame(url)), url).toBe(true)
    }
  })

  it('refuses other schemes, hosts, credentials, iframes, dead frames and garbage', () => {
    expect(new URL('evil://app/index.html').origin).toBe(new URL(APP_URL).origin) // both "null": why origins are not enough
    for (const url of [
      'evil://app/index.html',
      'rollcall://evil/index.html',
      'rollcall://app.evil/index.html',
      'rollcall://user:pw@app/index.html',
      'rollcall:app/index.html',
      'https://app/index.html',
      'http://localhost:5173/',
      'file:///opt/rollcall/out/renderer/index.html',
      'about:blank',
      'data:text/html,hi',
      '',
      'not a url'
    ]) {
      expect(trusted(frame(url)), url).toBe(false)
    }
    expect(trusted(frame(APP_URL, frame(APP_URL)))).toBe(false)
    expect(trusted(null)).toBe(false)
  })

  it('in development accepts the dev server by origin only', () => {
    const dev = appSenderCheck('http://localhost:5173/')
    expect(dev(frame('http://localhost:5173/index.html'))).toBe(true)
    expect(dev(frame('http://localhost:5174/'))).toBe(false)
    expect(dev(frame('https://localhost:5173/'))).toBe(false)
    expect(dev(frame(APP_URL))).toBe(false)
    expect(isAppPageUrl('http://localhost:5173/#/x', 'http://localhost:5173/')).toBe(true)
  })

  it('is asked for every call before anything is dispatched', async () => {
    const handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown>()
    const ipc: IpcMainLike = { handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) }
    const dispatch = vi.fn<Dispatch>(async () => ({ ok: true, value: 'done' }))
    const check = vi.fn(appSenderCheck(APP_URL))
    registerIpc(ipc, dispatch, check, () => {})
    for (const name of CALL_NAMES) {
      const event = (url: string) => ({ senderFrame: frame(url) }) as unknown as IpcMainInvokeEvent
      expect(await handlers.get(IPC_PREFIX + name)!(event('evil://app/index.html'), {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      expect(await handlers.get(IPC_PREFIX + name)!(event(APP_URL), {})).toEqual({ ok: true, value: 'done' })
    }
    expect(check).toHaveBeenCalledTimes(CALL_NAMES.length * 2)
    expect(dispatch).toHaveBeenCalledTimes(CALL_NAMES.length)
  })
})
