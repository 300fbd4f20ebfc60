/**
 * `node out/main/serve.js [--port N] [--data-dir DIR]` — the desk in a browser, no Electron.
 *
 * Prints exactly one line to stdout, `Rollcall desk at http://127.0.0.1:N/?token=…`, and serves
 * until SIGINT/SIGTERM, then closes the database cleanly. Everything else goes to stderr (scripts and
 * the e2e fixture read that one line).
 */
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openDesk, type Desk } from '../core'
import { createDispatcher } from '../ipc'
import { createFileLogger } from '../log'
import { parseServeArgs, USAGE, type ServeArgs } from './args'
import { startWebDesk, type WebDesk } from './server'
import { printDocuments } from '../print'

async function main(): Promise<void> {
  let args: ServeArgs
  try {
    args = parseServeArgs(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`rollcall serve: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`)
    process.exit(2)
  }
  if (args.help) {
    process.stderr.write(USAGE)
    return
  }

  mkdirSync(args.dataDir, { recursive: true })
  const log = createFileLogger(args.dataDir, (line) => process.stderr.write(line))
  process.on('uncaughtException', (err) => log('uncaught exception', err))
  process.on('unhandledRejection', (err) => log('unhandled rejection', err))

  let desk: Desk
  try {
    desk = openDesk({ dataDir: args.dataDir })
  } catch (err) {
    const abi = /NODE_MODULE_VERSION|invalid ELF|did not self-register/i.test(String(err))
    process.stderr.write(
      `rollcall serve: could not open the desk in ${args.dataDir}: ${err instanceof Error ? err.message : String(err)}\n` +
        (abi ? 'The better-sqlite3 module is not built for this Node; run `npm rebuild better-sqlite3`.\n' : '')
    )
    process.exit(1)
  }

  let web: WebDesk
  try {
    web = await startWebDesk({
      dispatch: createDispatcher(desk.handlers, log),
      port: args.port,
      host: '127.0.0.1',
      staticDir: join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer'),
      subscribe: (listener) => desk.events.subscribe(listener),
      log,
      documents: printDocuments(desk.print)
    })
  } catch (err) {
    desk.close()
    const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
    process.stderr.write(
      inUse
        ? `rollcall serve: port ${args.port} on 127.0.0.1 is already in use (another desk?). Pick another with --port N, or --port 0 for any free port.\n`
        : `rollcall serve: could not start the web desk: ${err instanceof Error ? err.message : String(err)}\n`
    )
    process.exit(1)
  }

  process.stdout.write(`Rollcall desk at ${web.url}?token=${web.token}\n`)

  let stopping = false
  const stop = (): void => {
    // Ctrl+C under `npm run` delivers the signal more than once (terminal and npm both send it):
    // repeats are ignored; a close that hangs is cut short instead.
    if (stopping) return
    stopping = true
    setTimeout(() => {
      process.stderr.write('rollcall serve: shutting down took too long, exiting\n')
      process.exit(1)
    }, 10_000).unref()
    web
      .close()
      .catch((err: unknown) => log('closing the web server failed', err))
      .finally(() => {
        try {
          desk.close()
        } catch (err) {
          log('closing the desk database failed', err)
          process.exit(1)
        }
        process.exit(0)
      })
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

void main()
