/**
 * The web transport writes an answer holding a very long string (a roster export's CSV) in slices
 * instead of one JSON text (src/main/web/server.ts, sendEnvelope): what the browser parses must be
 * exactly what the handler returned — escapes, line breaks, non-Latin text and an emoji whose two
 * UTF-16 halves straddle a slice boundary included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Envelope } from '../../src/shared/contract'
import type { Dispatch } from '../../src/main/ipc/dispatcher'
import { startWebDesk, STREAM_STRING_CHARS, type WebDesk } from '../../src/main/web/server'
import { tempDir } from './helpers'

function bigText(): string {
  const unit = 'Müller, "Anna"\\ \t漢字 עברית\u0001\r\n'
  let text = ''
  while (text.length < STREAM_STRING_CHARS - 1) text += unit
  // An emoji (two UTF-16 units) exactly across the first slice boundary, and more text after it.
  return '\uFEFF' + text.slice(0, STREAM_STRING_CHARS - 2) + '🎉' + text.slice(0, STREAM_STRING_CHARS + 12_345)
}

let web: WebDesk
const answers = new Map<string, Envelope<unknown>>()

beforeAll(async () => {
  const dispatch: Dispatch = async (name) => answers.get(name) ?? { ok: false, error: { code: 'unknown_call', message: name } }
  web = await startWebDesk({ dispatch, port: 0, host: '127.0.0.1', staticDir: tempDir(), log: () => {} })
})
afterAll(async () => {
  await web?.close()
})

const post = (name: string) =>
  fetch(`${web.url}api/${name}`, { method: 'POST', headers: { Authorization: `Bearer ${web.token}`, 'Content-Type': 'application/json' }, body: '{}' })

describe('large answers over the web transport', () => {
  it('arrive exactly as the handler returned them', async () => {
    const csv = bigText()
    expect(csv.charCodeAt(STREAM_STRING_CHARS - 1)).toBe(0xd83c) // the emoji's first half ends the first slice
    const value = { fileName: 'rollcall-2026-07-06.csv', csv, rows: 42 }
    answers.set('export.roster', { ok: true, value })
    const res = await post('export.roster')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('no-store')
    const body = (await res.json()) as Envelope<typeof value>
    expect(body.ok).toBe(true)
    expect(body.ok && body.value.fileName).toBe(value.fileName)
    expect(body.ok && body.value.rows).toBe(42)
    expect(body.ok && body.value.csv === csv).toBe(true)
  })

  it('small answers keep one JSON text with its length', async () => {
    answers.set('desk.info', { ok: true, value: { deskId: 'd', deskName: 'Front "desk"' } })
    const res = await post('desk.info')
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(JSON.stringify({ ok: true, value: { deskId: 'd', deskName: 'Front "desk"' } }))))
    expect(await res.json()).toEqual({ ok: true, value: { deskId: 'd', deskName: 'Front "desk"' } })
  })
})
