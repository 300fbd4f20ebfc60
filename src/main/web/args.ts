/** Command-line arguments of `serve.js` (kept apart from the entry so tests can import them). */
import { join, resolve } from 'node:path'

export const DEFAULT_PORT = 4821

export const USAGE = `Usage: node out/main/serve.js [--port N] [--data-dir DIR]
  --port N        port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 picks a free one)
  --data-dir DIR  where the desk keeps its data (default $ROLLCALL_DATA_DIR or ./.rollcall-data)
`

export interface ServeArgs {
  port: number
  dataDir: string
  help: boolean
}

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ServeArgs {
  let port = DEFAULT_PORT
  let dataDir = env.ROLLCALL_DATA_DIR || join(cwd, '.rollcall-data')
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    const eq = arg.indexOf('=')
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg
    const value = (): string => {
      const v = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i]
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`)
      return v
    }
    if (flag === '--port') {
      const v = value()
      port = Number(v)
      if (!/^\d+$/.test(v) || port > 65535) throw new Error(`--port must be a number from 0 to 65535, not "${v}"`)
    } else if (flag === '--data-dir') {
      dataDir = value()
    } else if (flag === '--help' || flag === '-h') {
      help = true
    } else {
      throw new Error(`unknown argument "${arg}"`)
    }
  }
  return { port, dataDir: resolve(cwd, dataDir), help }
}

