/**
 * Electron glue for printing: the print service's documents go to paper through a hidden window's
 * `webContents.print`, silently to the printer chosen in Set-up (page size from the badge layout)
 * or through the system dialog. Kept out of the core services: it is the only print code that
 * needs Electron, and it receives Electron's BrowserWindow rather than importing it (tests pass a
 * stand-in). A check-in never waits on it: the window calls `print.badge` after the mark is saved.
 */
import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserWindowConstructorOptions, WebContentsPrintOptions } from 'electron'
import { BADGE_LAYOUTS } from '../../shared/print'
import { DeskError } from '../core/errors'
import type { PrintHandlers } from './handlers'
import type { PrintService } from './service'

/** The part of a BrowserWindow this module uses. */
export interface PrintWindow {
  loadURL(url: string): Promise<void>
  loadFile(path: string): Promise<void>
  webContents: {
    print(options: WebContentsPrintOptions, callback: (success: boolean, failureReason: string) => void): void
    getPrintersAsync(): Promise<{ name: string; displayName?: string; isDefault?: boolean }[]>
  }
  destroy(): void
}
export type PrintWindowCtor = new (options: BrowserWindowConstructorOptions) => PrintWindow

/** A hidden window that can show nothing but the document: no script, no Node, sandboxed. */
export const PRINT_WINDOW_OPTIONS: BrowserWindowConstructorOptions = {
  show: false,
  webPreferences: { javascript: false, sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, spellcheck: false }
}

const MICRONS_PER_MM = 1000

export function withElectronPrinting(handlers: PrintHandlers, print: PrintService, BrowserWindow: PrintWindowCtor, log: (msg: string, err?: unknown) => void): PrintHandlers {
  async function toPaper(load: (win: PrintWindow) => Promise<void>, size: { widthMm: number; heightMm: number }): Promise<void> {
    const win = new BrowserWindow(PRINT_WINDOW_OPTIONS)
    try {
      await load(win)
      const printer = print.printer()
      const silent = printer.mode === 'silent' && Boolean(printer.deviceName)
      const options: WebContentsPrintOptions = {
        silent,
        printBackground: true,
        margins: { marginType: 'none' },
        // Electron wants microns; the label printer's driver picks the matching media.
        pageSize: { width: Math.round(size.widthMm * MICRONS_PER_MM), height: Math.round(size.heightMm * MICRONS_PER_MM) },
        ...(silent ? { deviceName: printer.deviceName! } : {})
      }
      await new Promise<void>((resolve, reject) => {
        win.webContents.print(options, (success, failureReason) => {
          if (success) resolve()
          // "Print job canceled" from the dialog is the desk's choice, not a failure of the printer.
          else if (/cancel/i.test(failureReason)) resolve()
          else reject(new Error(failureReason || 'the printer did not take the job'))
        })
      })
    } catch (err) {
      log('printing failed', err)
      const detail = err instanceof Error ? err.message : String(err)
      throw DeskError.because('refused', { reason: 'printer_failed', params: { detail } })
    } finally {
      win.destroy()
    }
  }

  return {
    ...handlers,
    'print.badge': async (input) => {
      const outcome = await handlers['print.badge'](input)
      if (outcome.outcome !== 'printed') return outcome
      const { html, layout } = print.badgeDocument(outcome.printId, input.language)
      await toPaper((win) => win.loadURL(`data:text/html;charset=utf-8;base64,${Buffer.from(html).toString('base64')}`), {
        widthMm: BADGE_LAYOUTS[layout].widthMm,
        heightMm: BADGE_LAYOUTS[layout].heightMm
      })
      return { ...outcome, delivered: 'printer' }
    },
    'print.sheet': async (input) => {
      const sheet = await handlers['print.sheet'](input)
      // Written to a file piece by piece (a 100,000-row sheet is never one string), then printed.
      const dir = mkdtempSync(join(tmpdir(), 'rollcall-sheet-'))
      const file = join(dir, 'sheet.html')
      try {
        writeFileSync(file, '')
        for (const piece of print.sheetDocument(sheet.sheetId, input.language)) appendFileSync(file, piece)
        await toPaper((win) => win.loadFile(file), { widthMm: 210, heightMm: 297 })
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
      return { ...sheet, delivered: 'printer' }
    },
    'print.printer': async () => ({ ...print.printer(), printers: await printers(), silentAvailable: true }),
    'print.savePrinter': async (input) => ({ ...(await handlers['print.savePrinter'](input)), printers: await printers(), silentAvailable: true })
  }

  async function printers(): Promise<string[]> {
    const win = new BrowserWindow(PRINT_WINDOW_OPTIONS)
    try {
      return (await win.webContents.getPrintersAsync()).map((p) => p.name)
    } catch (err) {
      log('listing printers failed', err)
      return []
    } finally {
      win.destroy()
    }
  }
}
