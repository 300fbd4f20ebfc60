/**
 * The Electron print glue against a stand-in BrowserWindow: a badge goes silently to the printer
 * chosen in Set-up at its layout's page size, a failing printer is a clear refusal while the
 * check-in stays, and the print window can run no script.
 */
import type { BrowserWindowConstructorOptions, WebContentsPrintOptions } from 'electron'
import { describe, expect, it } from 'vitest'
import { createDispatcher } from '../../src/main/ipc/dispatcher'
import { PRINT_WINDOW_OPTIONS, withElectronPrinting, type PrintWindow } from '../../src/main/print/electron'
import { importStudio, testDesk } from './helpers'

function standIn(answer: { success: boolean; failureReason: string }) {
  const jobs: { options: WebContentsPrintOptions; url: string; window: BrowserWindowConstructorOptions }[] = []
  class Win implements PrintWindow {
    url = ''
    constructor(readonly options: BrowserWindowConstructorOptions) {}
    loadURL = async (url: string) => void (this.url = url)
    loadFile = async (path: string) => void (this.url = `file://${path}`)
    destroyed = false
    destroy = () => void (this.destroyed = true)
    webContents = {
      print: (options: WebContentsPrintOptions, done: (success: boolean, reason: string) => void) => {
        jobs.push({ options, url: this.url, window: this.options })
        done(answer.success, answer.failureReason)
      },
      getPrintersAsync: async () => [{ name: 'Brother_QL_820NWB' }, { name: 'Office' }]
    }
  }
  return { Win, jobs }
}

describe('Electron printing', () => {
  it('prints a badge silently to the chosen printer at the layout’s size; a failing printer says so and the check-in stays', async () => {
    const t = testDesk()
    const { yoga } = await importStudio(t)
    const anna = (await t.call('roster.page', { sessionId: yoga.id, search: 'Anna', offset: 0, limit: 10 })).rows[0]!
    const ok = standIn({ success: true, failureReason: '' })
    const dispatch = createDispatcher({ ...t.desk.handlers, ...withElectronPrinting(t.desk.handlers, t.desk.print, ok.Win, () => {}) }, () => {})
    const printer = await dispatch('print.savePrinter', { mode: 'silent', deviceName: 'Brother_QL_820NWB' })
    expect(printer).toEqual({ ok: true, value: { mode: 'silent', deviceName: 'Brother_QL_820NWB', printers: ['Brother_QL_820NWB', 'Office'], silentAvailable: true } })
    await t.call('attendance.checkIn', { sessionId: yoga.id, participationId: anna.participationId, attendees: 3 })
    const printed = await dispatch('print.badge', { sessionId: yoga.id, participationId: anna.participationId })
    expect(printed).toMatchObject({ ok: true, value: { outcome: 'printed', delivered: 'printer' } })
    expect(ok.jobs).toHaveLength(1)
    expect(ok.jobs[0]!.options).toMatchObject({ silent: true, deviceName: 'Brother_QL_820NWB', pageSize: { width: 62_000, height: 29_000 } })
    expect(Buffer.from(ok.jobs[0]!.url.split(',')[1]!, 'base64').toString()).toContain('Anna Müller')
    expect(ok.jobs[0]!.window).toEqual(PRINT_WINDOW_OPTIONS)
    expect(PRINT_WINDOW_OPTIONS.webPreferences).toMatchObject({ javascript: false, sandbox: true, nodeIntegration: false })

    const broken = standIn({ success: false, failureReason: 'Printer is out of labels' })
    const failing = createDispatcher({ ...t.desk.handlers, ...withElectronPrinting(t.desk.handlers, t.desk.print, broken.Win, () => {}) }, () => {})
    const answer = await failing('print.badge', { sessionId: yoga.id, participationId: anna.participationId, again: true })
    expect(answer).toMatchObject({ ok: false, error: { code: 'refused', reason: 'printer_failed', params: { detail: 'Printer is out of labels' } } })
    const row = (await t.call('roster.page', { sessionId: yoga.id, search: 'Anna', offset: 0, limit: 10 })).rows[0]!
    expect(row.attendance).toMatchObject({ status: 'ATTENDED', attendees: 3 })
  })
})
