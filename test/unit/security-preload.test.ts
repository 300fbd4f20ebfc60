/**
 * The preload exposes the contract and nothing else: one frozen object with one function per call,
 * each invoking its own fixed channel, and one subscription to the fixed events channel. Never
 * ipcRenderer, never a way to pick a channel.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { CALL_NAMES, EVENTS_CHANNEL, IPC_PREFIX } from '../../src/shared/contract'

const stub = vi.hoisted(() => ({
  exposed: [] as { key: string; api: unknown }[],
  invoke: vi.fn(async (channel: string, input: unknown) => ({ ok: true, value: { channel, input } })),
  other: vi.fn(),
  on: vi.fn(),
  removeListener: vi.fn()
}))
vi.mock('electron', () => {
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => stub.exposed.push({ key, api }), exposeInIsolatedWorld: stub.other },
    ipcRenderer: { invoke: stub.invoke, send: stub.other, sendSync: stub.other, on: stub.on, removeListener: stub.removeListener, once: stub.other, postMessage: stub.other },
    webFrame: { executeJavaScript: stub.other },
    shell: { openExternal: stub.other }
  }
  return { default: electron, ...electron }
})

const preloadDir = join(__dirname, '..', '..', 'src', 'preload')

describe('preload', () => {
  beforeAll(async () => {
    await import('../../src/preload/index')
  })

  it('exposes exactly window.rollcall: a frozen object of the contract calls, all functions', () => {
    expect(stub.exposed.map((e) => e.key)).toEqual(['rollcall', 'rollcallEvents'])
    const bridge = stub.exposed[0]!.api as Record<string, unknown>
    expect(Object.isFrozen(bridge)).toBe(true)
    expect(Object.keys(bridge).sort()).toEqual([...CALL_NAMES].sort())
    for (const value of Object.values(bridge)) expect(typeof value).toBe('function')
    expect(Object.getPrototypeOf(bridge)).toBe(Object.prototype)
  })

  it('uses only ipcRenderer.invoke, on the fixed channel of each call, whatever the page passes', async () => {
    const bridge = stub.exposed[0]!.api as Record<string, (...args: unknown[]) => Promise<unknown>>
    for (const name of CALL_NAMES) {
      stub.invoke.mockClear()
      await bridge[name]!({ channel: 'rollcall:evil' }, 'rollcall:settings.save', { extra: true })
      expect(stub.invoke.mock.calls).toEqual([[IPC_PREFIX + name, { channel: 'rollcall:evil' }]])
    }
    expect(stub.other).not.toHaveBeenCalled()
  })

  it('exposes window.rollcallEvents: only a subscription to the fixed events channel, handing the page the event and never the IPC event', () => {
    const events = stub.exposed[1]!.api as { subscribe: (listener: (e: unknown) => void, channel?: string) => () => void }
    expect(Object.isFrozen(events)).toBe(true)
    expect(Object.keys(events)).toEqual(['subscribe'])
    const seen: unknown[] = []
    const stop = events.subscribe((e) => seen.push(e), 'rollcall:evil')
    expect(stub.on.mock.calls.map((c) => c[0])).toEqual([EVENTS_CHANNEL])
    const forward = stub.on.mock.calls[0]![1] as (event: unknown, payload: unknown) => void
    forward({ sender: 'the IPC event' }, { kind: 'sessions', sessionIds: [1] })
    expect(seen).toEqual([{ kind: 'sessions', sessionIds: [1] }])
    stop()
    expect(stub.removeListener.mock.calls).toEqual([[EVENTS_CHANNEL, forward]])
  })

  it('in source: imports only contextBridge and ipcRenderer, and hands neither to the page', () => {
    for (const file of readdirSync(preloadDir).filter((f) => /\.[cm]?ts$/.test(f))) {
      const source = readFileSync(join(preloadDir, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
      for (const m of source.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'electron'/g)) {
        expect(m[1]!.split(',').map((s) => s.trim()).filter(Boolean).sort(), file).toEqual(['contextBridge', 'ipcRenderer'])
      }
      expect(source, file).not.toMatch(/ipcRenderer\.(send|sendSync|once|postMessage|sendToHost)\b/)
      // Listening only on the events channel, fixed in the source.
      for (const m of source.matchAll(/ipcRenderer\.(on|removeListener)\(([^,]*),/g)) expect(m[2]!.trim(), file).toBe('EVENTS_CHANNEL')
      expect(source, file).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/)
      expect(source, file).not.toMatch(/require\(|process\.|webFrame|shell/)
    }
  })
})
