/**
 * The contract stays in step with its three carriers: every call has a preload binding, a main IPC
 * handler and a web route; payloads are validated before any handler runs; strangers are refused.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { IpcMainInvokeEvent, WebFrameMain } from 'electron'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CALL_NAMES, IPC_PREFIX, type Envelope } from '../../src/shared/contract'
import { createDispatcher, isAppFrame, registerIpc, type Dispatch, type Handlers, type IpcMainLike } from '../../src/main/ipc'
import { startWebDesk, type WebDesk } from '../../src/main/web/server'

// A stand-in `electron` for the preload: records what it exposes and what it invokes.
const stub = vi.hoisted(() => ({
  exposed: [] as { key: string; api: unknown }[],
  invoke: vi.fn(async (channel: string, input: unknown) => ({ ok: true, value: { channel, input } }))
}))
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => stub.exposed.push({ key, api }) },
  ipcRenderer: { invoke: stub.invoke, send: vi.fn(), on: vi.fn() }
}))

/** Test double for the lead's core handlers: every call answers `{ called: name }`. */
function standInHandlers(): Handlers {
  return Object.fromEntries(CALL_NAMES.map((name) => [name, vi.fn(() => ({ called: name }))])) as unknown as Handlers
}

/** A stand-in ipcMain that keeps the registered listeners. */
function fakeIpcMain() {
  const handlers = new Map<string, (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown>()
  const ipc: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`)
      handlers.set(channel, listener)
    },
    removeHandler: (channel) => handlers.delete(channel)
  }
  return { ipc, handlers }
}

const appUrl = pathToFileURL('/opt/rollcall/out/renderer/index.html').href
const appFrame = { url: appUrl, parent: null } as unknown as WebFrameMain
const eventFrom = (frame: WebFrameMain | null) => ({ senderFrame: frame }) as unknown as IpcMainInvokeEvent
const sorted = (names: readonly string[]) => [...names].sort()

describe('preload bridge', () => {
  beforeAll(async () => {
    await import('../../src/preload/index')
  })

  it('exposes window.rollcall, with one function per call (and window.rollcallEvents, the subscription to what main pushes)', () => {
    expect(stub.exposed.map((e) => e.key)).toEqual(['rollcall', 'rollcallEvents'])
    const bridge = stub.exposed[0]?.api as Record<string, unknown>
    expect(sorted(Object.keys(bridge))).toEqual(sorted(CALL_NAMES))
    for (const name of CALL_NAMES) expect(typeof bridge[name]).toBe('function')
  })

  it('never hands the page ipcRenderer or a generic send/invoke', () => {
    const bridge = stub.exposed[0]?.api as Record<string, unknown>
    for (const key of ['ipcRenderer', 'invoke', 'send', 'on']) expect(bridge).not.toHaveProperty(key)
    expect(Object.isFrozen(bridge)).toBe(true)
  })

  it('invokes each call on its own channel with the input unchanged', async () => {
    const bridge = stub.exposed[0]?.api as Record<string, (input: unknown) => Promise<unknown>>
    for (const name of CALL_NAMES) {
      stub.invoke.mockClear()
      const input = { probe: name }
      await bridge[name]?.(input)
      expect(stub.invoke).toHaveBeenCalledTimes(1)
      expect(stub.invoke).toHaveBeenCalledWith(IPC_PREFIX + name, input)
    }
  })
})

describe('main IPC handlers', () => {
  it('registers one handler per call, and removes them again', () => {
    const { ipc, handlers } = fakeIpcMain()
    const dispose = registerIpc(ipc, createDispatcher(standInHandlers()), () => true)
    expect(sorted([...handlers.keys()])).toEqual(sorted(CALL_NAMES.map((n) => IPC_PREFIX + n)))
    dispose()
    expect(handlers.size).toBe(0)
  })

  it('routes a trusted call through the dispatcher to its handler', async () => {
    const { ipc, handlers } = fakeIpcMain()
    const core = standInHandlers()
    registerIpc(ipc, createDispatcher(core), (frame) => isAppFrame(frame, appUrl))
    const answer = await handlers.get(IPC_PREFIX + 'sessions.get')?.(eventFrom(appFrame), { sessionId: 7 })
    expect(answer).toEqual({ ok: true, value: { called: 'sessions.get' } })
    expect(core['sessions.get']).toHaveBeenCalledWith({ sessionId: 7 })
  })

  it('refuses an untrusted sender with a forbidden envelope and never dispatches', async () => {
    const { ipc, handlers } = fakeIpcMain()
    const dispatch = vi.fn<Dispatch>(async () => ({ ok: true, value: null }))
    registerIpc(ipc, dispatch, (frame) => isAppFrame(frame, appUrl))
    const strangers = [
      null,
      { url: 'https://evil.example/index.html', parent: null },
      { url: appUrl, parent: appFrame }, // an iframe inside our page
      { url: pathToFileURL('/tmp/other/index.html').href, parent: null }
    ]
    for (const frame of strangers) {
      const answer = (await handlers.get(IPC_PREFIX + 'desk.info')?.(eventFrom(frame as WebFrameMain | null), {})) as Envelope<unknown>
      expect(answer).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    }
    expect(dispatch).not.toHaveBeenCalled()
  })

  it('accepts the app page with a query or hash, and a dev server by origin', () => {
    expect(isAppFrame({ url: `${appUrl}?token=x#/roster`, parent: null }, appUrl)).toBe(true)
    expect(isAppFrame({ url: 'http://localhost:5173/some/route', parent: null }, 'http://localhost:5173/')).toBe(true)
    expect(isAppFrame({ url: 'http://localhost:5174/', parent: null }, 'http://localhost:5173/')).toBe(false)
  })

  it('answers an internal envelope, not a rejection, when dispatch itself throws', async () => {
    const { ipc, handlers } = fakeIpcMain()
    const log = vi.fn()
    registerIpc(ipc, () => Promise.reject(new Error('boom')), () => true, log)
    await expect(handlers.get(IPC_PREFIX + 'desk.info')?.(eventFrom(appFrame), {})).resolves.toMatchObject({ ok: false, error: { code: 'internal' } })
    expect(log).toHaveBeenCalled()
  })
})

describe('web routes', () => {
  let web: WebDesk
  let staticDir: string
  const seen: string[] = []

  beforeAll(async () => {
    staticDir = mkdtempSync(join(tmpdir(), 'rollcall-contract-'))
    web = await startWebDesk({
      dispatch: async (name) => {
        seen.push(name)
        return { ok: true, value: null }
      },
      port: 0,
      staticDir,
      log: () => {}
    })
  })
  afterAll(async () => {
    await web.close()
    rmSync(staticDir, { recursive: true, force: true })
  })

  it('has a POST /api/<call> route for every call', async () => {
    for (const name of CALL_NAMES) {
      const res = await fetch(`${web.url}api/${name}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${web.token}`, 'Content-Type': 'application/json' },
        body: '{}'
      })
      expect(res.status, name).toBe(200)
    }
    expect(seen).toEqual(CALL_NAMES)
  })
})

describe('validation at the boundary', () => {
  const bad = { sessionId: 'seven' }

  it('rejects a payload failing the schema with invalid_input naming the field; the handler is not called', async () => {
    const core = standInHandlers()
    const answer = await createDispatcher(core)('sessions.get', bad)
    expect(answer.ok).toBe(false)
    if (answer.ok) return
    expect(answer.error.code).toBe('invalid_input')
    expect(answer.error.message).toContain('sessionId')
    expect(answer.error.issues?.map((i) => i.path)).toContain('sessionId')
    expect(core['sessions.get']).not.toHaveBeenCalled()
  })

  it('rejects unknown keys (strict inputs) and unknown calls', async () => {
    const core = standInHandlers()
    const dispatch = createDispatcher(core)
    await expect(dispatch('sessions.get', { sessionId: 1, admin: true })).resolves.toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    await expect(dispatch('fs.readFile', {})).resolves.toMatchObject({ ok: false, error: { code: 'unknown_call' } })
    expect(core['sessions.get']).not.toHaveBeenCalled()
  })

  it('does the same over IPC and over HTTP', async () => {
    const core = standInHandlers()
    const dispatch = createDispatcher(core)
    const { ipc, handlers } = fakeIpcMain()
    registerIpc(ipc, dispatch, () => true)
    const overIpc = (await handlers.get(IPC_PREFIX + 'attendance.checkIn')?.(eventFrom(appFrame), {
      sessionId: 1,
      participationId: 2,
      attendees: 0
    })) as Envelope<unknown>
    expect(overIpc).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(JSON.stringify(overIpc)).toContain('attendees')

    const staticDir = mkdtempSync(join(tmpdir(), 'rollcall-contract-'))
    const web = await startWebDesk({ dispatch, port: 0, staticDir, log: () => {} })
    try {
      const res = await fetch(`${web.url}api/attendance.checkIn`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${web.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ sessionId: 1, participationId: 2, attendees: 0 })
      })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual(overIpc)
    } finally {
      await web.close()
      rmSync(staticDir, { recursive: true, force: true })
    }
    expect(core['attendance.checkIn']).not.toHaveBeenCalled()
  })
})
