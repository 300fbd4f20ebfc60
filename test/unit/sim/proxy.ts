/**
 * A tiny TCP proxy in front of a fake service, one per desk, that a simulation can cut: the desk's
 * network partition without touching the service the other desks still reach.
 *   reset:     every open connection is reset and new ones are refused at once (ECONNRESET);
 *   blackhole: connections are accepted and never answered (the client's timeout fires).
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export type CutMode = 'reset' | 'blackhole'

export interface CuttableProxy {
  readonly port: number
  readonly url: string
  readonly state: 'up' | CutMode
  cut(mode?: CutMode): void
  heal(): void
  close(): Promise<void>
}

/**
 * `localAddress`: the loopback address the proxy's connections to the service come from (any of
 * 127.0.0.0/8 on Linux), so the service's log tells which proxy, i.e. which desk, sent a request.
 */
export async function startProxy(targetPort: number, targetHost = '127.0.0.1', localAddress?: string): Promise<CuttableProxy> {
  let state: 'up' | CutMode = 'up'
  const sockets = new Set<Socket>()
  const held = new Set<Socket>()
  const track = (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => {})
  }
  const server: Server = createServer((client) => {
    track(client)
    if (state === 'reset') {
      client.resetAndDestroy()
      return
    }
    if (state === 'blackhole') {
      held.add(client) // read nothing, answer nothing
      client.on('close', () => held.delete(client))
      return
    }
    const upstream = connect({ port: targetPort, host: targetHost, ...(localAddress ? { localAddress } : {}) })
    track(upstream)
    client.pipe(upstream)
    upstream.pipe(client)
    const end = () => {
      if (!client.destroyed) client.destroy()
      if (!upstream.destroyed) upstream.destroy()
    }
    client.on('close', end)
    upstream.on('close', end)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get state() {
      return state
    },
    cut(mode: CutMode = 'reset') {
      state = mode
      for (const s of sockets) s.resetAndDestroy()
      sockets.clear()
    },
    heal() {
      state = 'up'
      // Blackholed connections are still waiting: drop them so the client retries on a fresh one.
      for (const s of held) s.destroy()
      held.clear()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}
