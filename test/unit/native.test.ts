/** The Electron-ABI better-sqlite3 path: the npm scripts and the main process must agree on it. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { electronSqliteBindingPath as fromScripts } from '../../scripts/native.mjs'
import { electronSqliteBindingPath, resolveNativeBinding } from '../../src/main/native'

describe('Electron better-sqlite3 binding', () => {
  it('uses the same cache path in scripts/native.mjs and src/main/native.ts', () => {
    for (const [platform, arch] of [['linux', 'x64'], ['darwin', 'arm64'], ['win32', 'x64']] as const) {
      expect(electronSqliteBindingPath('/p', '39.5.0', platform, arch)).toBe(fromScripts('/p', '39.5.0', platform, arch))
    }
    expect(electronSqliteBindingPath('/p', '39.5.0', 'linux', 'x64')).toBe(
      join('/p', 'node_modules/.cache/rollcall-native/electron-39.5.0-linux-x64/better_sqlite3.node')
    )
  })

  it('prefers ROLLCALL_SQLITE_BINDING, then the cache, else nothing; a packaged app uses neither', () => {
    const root = mkdtempSync(join(tmpdir(), 'rollcall-native-'))
    try {
      const explicit = join(root, 'explicit.node')
      writeFileSync(explicit, '')
      const base = { projectRoot: root, electronVersion: '39.5.0', packaged: false }
      expect(resolveNativeBinding({ ...base, env: {} })).toBeUndefined()
      expect(resolveNativeBinding({ ...base, env: { ROLLCALL_SQLITE_BINDING: explicit } })).toBe(explicit)
      expect(resolveNativeBinding({ ...base, env: { ROLLCALL_SQLITE_BINDING: join(root, 'missing.node') } })).toBeUndefined()
      const cached = electronSqliteBindingPath(root, '39.5.0')
      mkdirSync(join(cached, '..'), { recursive: true })
      writeFileSync(cached, '')
      expect(resolveNativeBinding({ ...base, env: {} })).toBe(cached)
      expect(resolveNativeBinding({ ...base, packaged: true, env: { ROLLCALL_SQLITE_BINDING: explicit } })).toBeUndefined()
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
