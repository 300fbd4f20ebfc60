/**
 * Deterministic, realistic roster data for the benchmark: people from a dozen languages (accents
 * included), emails derived from the names, phones in each country's usual written forms, party
 * sizes and statuses spread like a real conference, and the prefixes a desk types to find them.
 *
 * Everything comes from one seeded PRNG, so a run at --size N always builds the same desk.
 */
import { DateTime } from 'luxon'
import { foldText } from '../../src/main/core/text'

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!

interface Locale {
  code: string
  weight: number
  first: string[]
  last: string[]
  domains: string[]
  phone: (rnd: () => number) => string
}

const digits = (rnd: () => number, n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('')

const LOCALES: Locale[] = [
  {
    code: 'de',
    weight: 16,
    first: ['Jürgen', 'Anna', 'Lukas', 'Jörg', 'Sören', 'Lena', 'Maximilian', 'Käthe', 'Björn', 'Ursula', 'Felix', 'Hannah', 'Günther', 'Marie', 'Jonas', 'Sophie', 'Matthias', 'Lea', 'Sebastian', 'Greta'],
    last: ['Müller', 'Schröder', 'Weiß', 'Groß', 'Bäcker', 'Schmidt', 'Köhler', 'Fuchs', 'Wagner', 'Hoffmann', 'Krüger', 'Schäfer', 'Meyer', 'Lehmann', 'Böhm', 'Zimmermann', 'Hartmann', 'Jäger', 'Vogel', 'Braun'],
    domains: ['web.de', 'gmx.de', 't-online.de', 'posteo.de', 'gmail.com'],
    phone: (r) => (r() < 0.6 ? `+49 15${Math.floor(r() * 10)} ${digits(r, 8)}` : `015${Math.floor(r() * 10)} ${digits(r, 4)} ${digits(r, 4)}`)
  },
  {
    code: 'fr',
    weight: 12,
    first: ['Émilie', 'François', 'Hélène', 'Jérôme', 'Chloé', 'Zoé', 'Amélie', 'Noël', 'Gaëlle', 'Théo', 'Léa', 'Mathéo', 'Inès', 'Loïc', 'Cécile', 'Benoît', 'Agnès', 'Raphaël', 'Élodie', 'Hugo'],
    last: ['Lefèvre', 'Dubois', 'Bérard', 'Girard', 'Mercier', 'Lévêque', 'Fournier', 'Chévalier', 'Rousseau', 'Moreau', 'Faure', 'Gaillard', 'Lemaître', 'Perrin', 'Roché', 'Dupré', 'Bouvier', 'Aubé', 'Thibault', 'Garnier'],
    domains: ['orange.fr', 'free.fr', 'laposte.net', 'gmail.com'],
    phone: (r) => (r() < 0.5 ? `+33 6 ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)}` : `06 ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)}`)
  },
  {
    code: 'es',
    weight: 12,
    first: ['José', 'María', 'Begoña', 'Íñigo', 'Lucía', 'Martín', 'Sofía', 'Álvaro', 'Mónica', 'Ramón', 'Inés', 'Julián', 'Ángela', 'Sebastián', 'Raúl', 'Nuria', 'Jesús', 'Paloma', 'Andrés', 'Pilar'],
    last: ['Núñez', 'García', 'Peña', 'Muñoz', 'Álvarez', 'Fernández', 'Gómez', 'Ibáñez', 'Martínez', 'Sánchez', 'Rodríguez', 'Díaz', 'Pérez', 'Castaño', 'Jiménez', 'Ortiz', 'Ruiz', 'Beltrán', 'López', 'Hernández'],
    domains: ['gmail.com', 'hotmail.es', 'telefonica.net', 'yahoo.es'],
    phone: (r) => `+34 6${digits(r, 2)} ${digits(r, 3)} ${digits(r, 3)}`
  },
  {
    code: 'pt',
    weight: 6,
    first: ['João', 'Conceição', 'Gonçalo', 'Inês', 'Sebastião', 'Leonor', 'Tomás', 'Beatriz', 'Simão', 'Graça'],
    last: ['Gonçalves', 'Magalhães', 'Conceição', 'Araújo', 'Simões', 'Brandão', 'Falcão', 'Guimarães', 'Assunção', 'Lourenço'],
    domains: ['sapo.pt', 'gmail.com', 'outlook.pt'],
    phone: (r) => `+351 9${digits(r, 2)} ${digits(r, 3)} ${digits(r, 3)}`
  },
  {
    code: 'pl',
    weight: 8,
    first: ['Łukasz', 'Zofia', 'Paweł', 'Małgorzata', 'Wojciech', 'Agnieszka', 'Michał', 'Katarzyna', 'Grzegorz', 'Bożena', 'Jędrzej', 'Ewa'],
    last: ['Wójcik', 'Kowalczyk', 'Nowak', 'Wiśniewski', 'Lewandowska', 'Dąbrowski', 'Zieliński', 'Szymańska', 'Woźniak', 'Kozłowski', 'Jabłońska', 'Król'],
    domains: ['wp.pl', 'onet.pl', 'interia.pl', 'gmail.com'],
    phone: (r) => `+48 ${digits(r, 3)} ${digits(r, 3)} ${digits(r, 3)}`
  },
  {
    code: 'cz',
    weight: 4,
    first: ['Jiří', 'Tomáš', 'Petra', 'Lucie', 'Kateřina', 'Ondřej', 'Zdeněk', 'Tereza'],
    last: ['Dvořák', 'Novák', 'Černý', 'Procházka', 'Kučera', 'Veselý', 'Horák', 'Němcová'],
    domains: ['seznam.cz', 'email.cz', 'gmail.com'],
    phone: (r) => `+420 ${digits(r, 3)} ${digits(r, 3)} ${digits(r, 3)}`
  },
  {
    code: 'nordic',
    weight: 8,
    first: ['Søren', 'Åsa', 'Björn', 'Astrid', 'Øyvind', 'Märta', 'Sigríður', 'Mikael', 'Ingrid', 'Lærke', 'Håkon', 'Sólveig'],
    last: ['Björk', 'Ångström', 'Sørensen', 'Lindqvist', 'Nyström', 'Hjørring', 'Åberg', 'Jónsdóttir', 'Østergaard', 'Söderberg', 'Halvorsen', 'Bergström'],
    domains: ['telia.se', 'gmail.com', 'online.no', 'mail.dk'],
    phone: (r) => (r() < 0.5 ? `+46 70 ${digits(r, 3)} ${digits(r, 2)} ${digits(r, 2)}` : `+45 ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)}`)
  },
  {
    code: 'tr',
    weight: 6,
    first: ['Çağrı', 'Şükrü', 'Gülşen', 'Özgür', 'İbrahim', 'Ayşe', 'Müge', 'Burak', 'Şeyma', 'Ümit'],
    last: ['Çelik', 'Şahin', 'Öztürk', 'Yılmaz', 'Güneş', 'Aydın', 'Doğan', 'Koç', 'Kılıç', 'Erdoğan'],
    domains: ['gmail.com', 'hotmail.com', 'yandex.com.tr'],
    phone: (r) => `+90 5${digits(r, 2)} ${digits(r, 3)} ${digits(r, 2)} ${digits(r, 2)}`
  },
  {
    code: 'vi',
    weight: 5,
    first: ['Nguyễn Thị', 'Trần Văn', 'Lê Thị', 'Phạm Minh', 'Hoàng Anh', 'Đặng Quốc', 'Vũ Thu', 'Bùi Đức'],
    last: ['Hương', 'Dũng', 'Thảo', 'Tuấn', 'Phương', 'Hải', 'Hằng', 'Thắng'],
    domains: ['gmail.com', 'yahoo.com.vn'],
    phone: (r) => `+84 9${digits(r, 2)} ${digits(r, 3)} ${digits(r, 3)}`
  },
  {
    code: 'en',
    weight: 14,
    first: ['James', 'Olivia', 'Siobhán', 'Liam', 'Emma', 'Oliver', 'Charlotte', 'Seán', 'Amelia', 'Noah', 'Isla', 'William', 'Grace', 'Daniel', 'Ella', 'Jack'],
    last: ['Smith', 'O\'Brien', 'Ó Briain', 'Johnson', 'Williams', 'Brown', 'Taylor', 'MacDonald', 'Davies', 'Evans', 'Murphy', 'Walsh', 'Thompson', 'Clarke', 'Wright', 'Robinson'],
    domains: ['gmail.com', 'outlook.com', 'yahoo.co.uk', 'icloud.com', 'example.org'],
    phone: (r) => (r() < 0.5 ? `+44 7${digits(r, 3)} ${digits(r, 6)}` : `(${200 + Math.floor(r() * 700)}) ${digits(r, 3)}-${digits(r, 4)}`)
  },
  {
    code: 'nl',
    weight: 5,
    first: ['Daan', 'Sanne', 'Bram', 'Fleur', 'Joëlle', 'Sem', 'Noor', 'Thijs'],
    last: ['de Vries', 'van den Berg', 'Jansen', 'van Dijk', 'Bakker', 'Visser', 'de Jong', 'Smit'],
    domains: ['ziggo.nl', 'kpnmail.nl', 'gmail.com'],
    phone: (r) => `+31 6 ${digits(r, 8)}`
  },
  {
    code: 'it',
    weight: 4,
    first: ['Niccolò', 'Giulia', 'Lucrezia', 'Federico', 'Chiara', 'Nicolò', 'Francesca', 'Mattia'],
    last: ['Rossi', 'Bianchi', 'Esposito', 'Ricci', 'Romano', 'Colombo', 'Mazzà', 'Galli'],
    domains: ['libero.it', 'gmail.com', 'tiscali.it'],
    phone: (r) => `+39 3${digits(r, 2)} ${digits(r, 3)} ${digits(r, 4)}`
  }
]
const TOTAL_WEIGHT = LOCALES.reduce((s, l) => s + l.weight, 0)

export interface Person {
  index: number
  first: string
  last: string
  name: string
  email: string | null
  phone: string | null
  partySize: number
  status: 'CONFIRMED' | 'PENDING_CONFIRMATION'
  /** Already checked in by another desk (a mark in the participation's extended fields). */
  preMarked: boolean
}

const asciiLocal = (s: string) => foldText(s).replace(/ł/g, 'l').replace(/ø/g, 'o').replace(/đ/g, 'd').replace(/ı/g, 'i').replace(/[^a-z0-9]+/g, '')

/** Person number `index` (0-based): same index, same person, whatever the size. */
export function person(index: number): Person {
  const rnd = prng(0x5eed + index * 7919)
  let w = rnd() * TOTAL_WEIGHT
  let locale = LOCALES[0]!
  for (const l of LOCALES) {
    w -= l.weight
    if (w < 0) {
      locale = l
      break
    }
  }
  const first = pick(rnd, locale.first)
  const last = pick(rnd, locale.last)
  // Some double-barrelled names, as conference registrations have them.
  const second = rnd() < 0.05 ? `-${pick(rnd, locale.last)}` : ''
  const name = `${first} ${last}${second}`
  const hasEmail = rnd() < 0.9
  const sep = pick(rnd, ['.', '.', '_', ''])
  const num = rnd() < 0.5 ? String(Math.floor(rnd() * 1000)) : ''
  const email = hasEmail ? `${asciiLocal(first)}${sep}${asciiLocal(last + second)}${num}@${pick(rnd, locale.domains)}` : null
  const phone = rnd() < 0.85 ? locale.phone(rnd) : null
  const sizeRoll = rnd()
  const partySize = sizeRoll < 0.85 ? 1 : sizeRoll < 0.95 ? 2 : sizeRoll < 0.99 ? 3 : 4 + Math.floor(rnd() * 3)
  const status = rnd() < 0.97 ? 'CONFIRMED' : 'PENDING_CONFIRMATION'
  const preMarked = rnd() < 0.03
  return { index, first, last: last + second, name, email, phone, partySize, status, preMarked }
}

/** A GUID from a number (stable ids for the records, like Wix's). */
export function guid(n: number, salt: number): string {
  const rnd = prng(n * 2654435761 + salt)
  const hex = (k: number) => Array.from({ length: k }, () => Math.floor(rnd() * 16).toString(16)).join('')
  const variant = '89ab'[Math.floor(rnd() * 4)]
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`
}

/**
 * What the desk types to find someone, keystroke by keystroke: words from first names, last
 * names, emails and phone numbers, as printed (with accents, capitalised) or folded, 1 to 6
 * characters each. `count` prefixes in all, from people among the first `size`.
 */
export function searchPrefixes(size: number, count: number, seed = 42): { text: string; kind: string }[] {
  const rnd = prng(seed)
  const out: { text: string; kind: string }[] = []
  while (out.length < count) {
    const p = person(Math.floor(rnd() * size))
    const roll = rnd()
    let word: string | null
    let kind: string
    if (roll < 0.35) {
      kind = 'first name'
      word = p.first.split(/\s+/)[0]!
    } else if (roll < 0.7) {
      kind = 'last name'
      // The distinctive part of "van den Berg" or "Ó Briain" is the last word.
      const parts = p.last.split(/[\s-]+/)
      word = parts[parts.length - 1]!
    } else if (roll < 0.85) {
      kind = 'email'
      word = p.email
    } else {
      kind = 'phone'
      // Desks type the national form: "0151…" for "+49 151…", or the digits as printed.
      const d = p.phone?.replace(/\D+/g, '') ?? null
      word = p.phone && /^\+/.test(p.phone) ? `0${d!.slice(p.phone.indexOf(' ') - 1)}` : d
    }
    if (!word) continue
    const folded = kind === 'first name' || kind === 'last name' ? rnd() < 0.5 : false
    const base = folded ? foldText(word) : kind === 'first name' || kind === 'last name' ? (rnd() < 0.7 ? word : word.toLowerCase()) : word
    const chars = [...base]
    const max = Math.min(6, chars.length)
    for (let len = 1; len <= max && out.length < count; len++) out.push({ text: chars.slice(0, len).join(''), kind: `${kind}${folded ? ' (folded)' : ''}` })
  }
  return out
}

export const OTHER_APP_ID = '9f4c7a1e-2b3d-4e5f-8a6b-7c8d9e0f1a2b'
export const NAMESPACE = '@rollcall/checkin'

/** The session every participation is for: one big conference day (all N people on one roster). */
export function conferenceEvent(day: string, zone: string, utc: { start: string; end: string }) {
  return {
    id: guid(1, 77),
    scheduleId: guid(2, 77),
    appId: OTHER_APP_ID,
    type: 'DEFAULT',
    status: 'CONFIRMED',
    title: 'Nordic Developer Summit — Day 1',
    allDay: false,
    timeZone: zone,
    start: { localDate: `${day}T09:00:00`, timeZone: zone, utcDate: utc.start },
    end: { localDate: `${day}T18:00:00`, timeZone: zone, utcDate: utc.end },
    revision: '1'
  }
}

/** What the fake (and Wix) is seeded with for person `p` on event `eventId`. */
export function participationSeed(p: Person, eventId: string, markedAt: string) {
  return {
    eventId,
    participant: { name: p.name, ...(p.email ? { email: p.email } : {}), ...(p.phone ? { phone: p.phone } : {}) },
    partySize: p.partySize,
    status: p.status,
    appId: OTHER_APP_ID,
    ...(p.preMarked
      ? {
          extendedFields: {
            namespaces: {
              [NAMESPACE]: { sessions: { [eventId]: { status: 'ATTENDED', attendees: p.partySize, markedAt, deskId: 'desk-hall-b', deskName: 'Hall B' } } }
            }
          }
        }
      : {})
  }
}

/** A participation exactly as Wix's participations/query returns it. */
export function wixParticipation(p: Person, eventId: string, createdMs: number) {
  const at = new Date(createdMs + p.index).toISOString()
  const seed = participationSeed(p, eventId, at)
  return {
    id: guid(p.index, 1),
    externalId: guid(p.index, 2),
    participant: seed.participant,
    eventId,
    partySize: seed.partySize,
    status: seed.status,
    appId: OTHER_APP_ID,
    revision: '1',
    createdDate: at,
    updatedDate: at,
    ...('extendedFields' in seed ? { extendedFields: seed.extendedFields } : {})
  }
}

/**
 * Session `k` of the season's history: a class or course day on one of the last 170 days (within
 * the default retention of 180), at a varying hour, for the history a busy venue accumulates.
 */
export function historyEvent(k: number, today: string, zone: string) {
  const rnd = prng(0xc1a55 + k * 104729)
  const daysAgo = 1 + (k % 170)
  const hour = 7 + Math.floor(rnd() * 12)
  const day = DateTime.fromISO(today, { zone }).minus({ days: daysAgo }).toISODate()!
  const start = DateTime.fromISO(`${day}T${String(hour).padStart(2, '0')}:00:00`, { zone })
  const end = start.plus({ minutes: 60 + Math.floor(rnd() * 4) * 30 })
  const titles = ['Spin', 'Yoga flow', 'Pilates', 'Boxing basics', 'Workshop', 'Lecture', 'Masterclass', 'Open studio', 'Seminar', 'Bootcamp']
  return {
    id: guid(k, 91),
    scheduleId: guid(k, 92),
    appId: OTHER_APP_ID,
    type: 'DEFAULT',
    status: 'CONFIRMED',
    title: `${titles[k % titles.length]} #${k}`,
    allDay: false,
    timeZone: zone,
    start: { localDate: start.toISO({ includeOffset: false, suppressMilliseconds: true }), timeZone: zone, utcDate: start.toUTC().toISO()! },
    end: { localDate: end.toISO({ includeOffset: false, suppressMilliseconds: true }), timeZone: zone, utcDate: end.toUTC().toISO()! },
    revision: '1'
  }
}
