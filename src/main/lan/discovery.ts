/**
 * Finding a hub without typing its address: DNS-SD over mDNS (`_rollcall._tcp`), through
 * bonjour-service (pure JS on multicast-dns, typed, maintained; no native Bonjour/Avahi needed on
 * Windows or Linux). Discovery only saves typing an address: the advert is unauthenticated, so it
 * carries no fingerprint to trust; the certificate is pinned from the pairing code alone.
 *
 * Kept behind an interface so tests (and networks where multicast is blocked) do without it.
 */
import { LAN_PROTOCOL_VERSION } from './protocol'

export const SERVICE_TYPE = 'rollcall'

/** What a hub announces. */
export interface HubAdvert {
  /** The hub's desk name, as shown in the member's list ("Entrance A"). */
  name: string
  port: number
  /** The hub's id, so a member tells two hubs with the same name apart and recognises its own. */
  hubId: string
}

/** The DNS-SD service a hub publishes for `advert`. */
export function advertRecord(advert: HubAdvert): { name: string; type: string; protocol: 'tcp'; port: number; txt: Record<string, string> } {
  return {
    // Instance names are at most 63 bytes (RFC 6763 §4.1.1).
    name: truncateUtf8(advert.name, 63),
    type: SERVICE_TYPE,
    protocol: 'tcp',
    port: advert.port,
    txt: { v: String(LAN_PROTOCOL_VERSION), id: advert.hubId }
  }
}

/** A hub seen on the network. */
export interface FoundHub {
  name: string
  hubId: string
  port: number
  /** IPv4 first: the address a person would type. */
  addresses: string[]
}

export interface Discovery {
  /** Announces the hub until the answer is called. */
  advertise(advert: HubAdvert): () => Promise<void>
  /** Reports hubs as they appear and go; stops when the answer is called. */
  browse(onChange: (hubs: FoundHub[]) => void): () => void
  /** Releases the sockets. */
  destroy(): Promise<void>
}

function truncateUtf8(s: string, bytes: number): string {
  let out = ''
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > bytes) break
    out += ch
  }
  return out
}

/** A found service as a hub, or null when it is not one this version speaks to. */
export function hubFromService(service: { name: string; port: number; addresses?: string[]; txt?: unknown }): FoundHub | null {
  const txt = (service.txt ?? {}) as Record<string, unknown>
  const v = String(txt.v ?? '')
  const id = typeof txt.id === 'string' ? txt.id : ''
  if (v !== String(LAN_PROTOCOL_VERSION) || !id || !Number.isInteger(service.port)) return null
  const addresses = [...(service.addresses ?? [])].sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')))
  return { name: service.name, hubId: id, port: service.port, addresses }
}

/** Discovery on the real network. bonjour-service is loaded on first use (its sockets open then). */
export function createBonjourDiscovery(): Discovery {
  let instance: import('bonjour-service').Bonjour | null = null
  const bonjour = async () => {
    if (!instance) {
      const { Bonjour } = await import('bonjour-service')
      instance = new Bonjour()
    }
    return instance
  }
  return {
    advertise(advert) {
      const published = bonjour().then((b) => b.publish(advertRecord(advert)))
      return async () => {
        const service = await published
        // Sends the goodbye packet so browsers drop the hub now, not when its TTL runs out.
        await new Promise<void>((resolve) => service.stop?.(() => resolve()) ?? resolve())
      }
    },
    browse(onChange) {
      let stopped = false
      let browser: import('bonjour-service').Browser | null = null
      const report = () => {
        if (stopped || !browser) return
        onChange(browser.services.map(hubFromService).filter((h): h is FoundHub => h !== null))
      }
      void bonjour().then((b) => {
        if (stopped) return
        browser = b.find({ type: SERVICE_TYPE, protocol: 'tcp' })
        browser.on('up', report)
        browser.on('down', report)
        browser.on('txt-update', report)
        browser.on('srv-update', report)
      })
      return () => {
        stopped = true
        browser?.stop()
      }
    },
    async destroy() {
      if (!instance) return
      const b = instance
      instance = null
      await new Promise<void>((resolve) => b.destroy(() => resolve()))
    }
  }
}
