/**
 * Where the Electron-ABI build of better-sqlite3 lives in development. `npm install` builds
 * better-sqlite3 for Node (what the tests and `npm run serve` use); Electron needs its own build,
 * which `scripts/start.mjs` (and `scripts/test.mjs`, when Electron is present) put in a cache dir so
 * the Node one is never overwritten. The path scheme must match `scripts/native.mjs` (a unit test
 * checks that). A packaged app gets its module rebuilt by the packager instead.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export function electronSqliteBindingPath(
  projectRoot: string,
  electronVersion: string,
  platform: string = process.platform,
  arch: string = process.arch
): string {
  return join(projectRoot, 'node_modules', '.cache', 'rollcall-native', `electron-${electronVersion}-${platform}-${arch}`, 'better_sqlite3.node')
}

/**
 * Not packaged: `ROLLCALL_SQLITE_BINDING` if it names an existing file, else the cache path if
 * built, else undefined. Packaged: always undefined (the env var is ignored, so an environment
 * cannot make the shipped app load a foreign native module).
 */
export function resolveNativeBinding(options: {
  env: NodeJS.ProcessEnv
  projectRoot: string
  electronVersion: string
  packaged: boolean
}): string | undefined {
  if (options.packaged) return undefined
  const fromEnv = options.env.ROLLCALL_SQLITE_BINDING
  if (fromEnv && existsSync(fromEnv)) return fromEnv
  const cached = electronSqliteBindingPath(options.projectRoot, options.electronVersion)
  return existsSync(cached) ? cached : undefined
}
