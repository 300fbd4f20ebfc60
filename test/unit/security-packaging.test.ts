/**
 * Packaging, checked without running electron-builder (it downloads Electron): the config is valid
 * by electron-builder's own schema, names the targets, ships the built app and the migrations,
 * unpacks native modules, rebuilds them for Electron at packaging time only, and the afterPack
 * hook really flips the fuses (on a stand-in binary carrying Electron's fuse wire).
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { findMigrationsFolder, openDatabase } from '../../src/main/db'
import { tempDir } from './helpers'

const root = join(__dirname, '..', '..')
const require = createRequire(join(root, 'package.json'))

interface BuilderConfig {
  appId: string
  productName: string
  files: (string | { from?: string; to?: string; filter?: string | string[] })[]
  asar: boolean
  asarUnpack: string | string[]
  npmRebuild: boolean
  afterPack: string
  electronFuses?: unknown
  directories: { output: string; buildResources: string }
  linux: { target: string[]; icon: string; maintainer: string; executableName: string }
  win: { target: string[]; icon: string }
  mac: { target: string[]; icon: string }
  nsis: { deleteAppDataOnUninstall: boolean }
}

async function loadConfig(): Promise<BuilderConfig> {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
    getConfig(projectDir: string, configPath: string | null, configFromOptions: unknown): Promise<BuilderConfig>
    validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(): void }): Promise<void>
  }
  const config = await getConfig(root, null, null)
  await validateConfiguration(config, { isEnabled: false, add() {} })
  return config
}

type Matcher = (path: string, pattern: string, options?: object) => boolean
/** The minimatch electron-builder itself uses (v3 exports the function, later versions an object). */
const builderMinimatch = createRequire(require.resolve('app-builder-lib/package.json'))('minimatch') as Matcher | { minimatch: Matcher }
const minimatch: Matcher = typeof builderMinimatch === 'function' ? builderMinimatch : builderMinimatch.minimatch
/** The app-root patterns of `files` (electron-builder normalises them into file sets). */
function appPatterns(files: BuilderConfig['files']): string[] {
  return files.flatMap((f) => (typeof f === 'string' ? [f] : f.from === undefined && f.to === undefined ? [f.filter ?? []].flat() : []))
}
const asArray = (v: string | string[]) => (Array.isArray(v) ? v : [v])

/** electron-builder's rule: a path is in when the last pattern matching it is not a negation. */
function included(files: BuilderConfig['files'], path: string): boolean {
  const patterns = appPatterns(files)
  let result = false
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (minimatch(path, p.slice(1), { dot: true })) result = false
    } else if (minimatch(path, p, { dot: true })) result = true
  }
  return result
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): [number, number] {
  const b = readFileSync(file)
  expect(b.subarray(1, 4).toString()).toBe('PNG')
  return [b.readUInt32BE(16), b.readUInt32BE(20)]
}

describe('electron-builder config', () => {
  it('is valid by electron-builder’s own schema and names every target', async () => {
    const config = await loadConfig()
    expect(config.appId).toMatch(/^[a-z0-9.-]+$/)
    expect(config.productName).toBe('Rollcall')
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    expect(config.win.target).toEqual(['nsis'])
    expect(config.mac.target).toEqual(['dmg'])
    expect(config.linux.maintainer).toMatch(/<.+@.+>/) // deb refuses to build without one
    expect(config.nsis.deleteAppDataOnUninstall).toBe(false) // never delete a desk's check-ins
    expect(config.directories.output).toBe('dist')
  })

  it('ships the built app and the migrations inside app.asar, and nothing of the sources', async () => {
    const config = await loadConfig()
    expect(config.asar).toBe(true)
    for (const path of ['package.json', 'out/main/index.js', 'out/main/chunks/x.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'out/renderer/assets/index-1.js', 'drizzle/0000_initial.sql', 'drizzle/meta/_journal.json', 'resources/icon.png']) {
      expect(included(config.files, path), path).toBe(true)
    }
    for (const path of ['src/main/index.ts', 'test/unit/helpers.ts', 'out/main/index.js.map', 'scripts/native.mjs', 'build/after-pack.cjs', '.rollcall-data/rollcall.sqlite', 'electron-builder.yml']) {
      expect(included(config.files, path), path).toBe(false)
    }
  })

  it('unpacks native modules and rebuilds them for Electron at packaging time only', async () => {
    const config = await loadConfig()
    expect(asArray(config.asarUnpack)).toContain('**/*.node')
    expect(asArray(config.asarUnpack).some((p) => minimatch('node_modules/better-sqlite3/build/Release/better_sqlite3.node', p))).toBe(true)
    expect(config.npmRebuild).toBe(true)
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> }
    expect(pkg.scripts.package).toMatch(/^electron-vite build && electron-builder\b/)
    // Development and tests keep the Node build: nothing rebuilds for Electron on install.
    for (const script of ['postinstall', 'install', 'prepare']) expect(pkg.scripts[script] ?? '').not.toMatch(/electron-builder|electron-rebuild/)
    for (const name of ['electron', 'electron-builder', '@electron/fuses']) {
      expect(pkg.devDependencies[name], name).toMatch(/^\d+\.\d+\.\d+$/)
      expect(pkg.dependencies[name], name).toBeUndefined()
    }
  })

  it('has an icon for every platform, in the sizes each needs', async () => {
    const config = await loadConfig()
    const [w, h] = pngSize(join(root, config.mac.icon))
    expect(w).toBeGreaterThanOrEqual(512)
    expect(h).toBe(w)
    for (const size of [16, 32, 48, 64, 128, 256, 512]) expect(pngSize(join(root, config.linux.icon, `${size}x${size}.png`))).toEqual([size, size])
    const ico = readFileSync(join(root, config.win.icon))
    expect(ico.readUInt16LE(0)).toBe(0) // reserved
    expect(ico.readUInt16LE(2)).toBe(1) // type: icon
    const entries = ico.readUInt16LE(4)
    const widths = Array.from({ length: entries }, (_, i) => ico[6 + i * 16] || 256)
    expect(widths).toContain(256)
    expect(widths).toContain(16)
  })

  it('finds the migrations in the packaged layout (out/main/… inside app.asar, drizzle/ at its root)', () => {
    const app = join(tempDir(), 'resources', 'app.asar')
    mkdirSync(join(app, 'out', 'main', 'chunks'), { recursive: true })
    cpSync(join(root, 'drizzle'), join(app, 'drizzle'), { recursive: true })
    for (const from of [join(app, 'out', 'main'), join(app, 'out', 'main', 'chunks')]) expect(findMigrationsFolder(from)).toBe(join(app, 'drizzle'))
    const { db, migrations } = openDatabase(join(tempDir(), 'desk.sqlite'), { migrationsFolder: findMigrationsFolder(join(app, 'out', 'main')) })
    expect(migrations.applied.length).toBeGreaterThan(0)
    db.$client.close()
  })
})

describe('afterPack fuses', () => {
  const hook = require(join(root, 'build', 'after-pack.cjs')) as ((context: unknown) => Promise<void>) & {
    FUSES: Record<number, boolean>
    fuseConfig(context: unknown): Record<string, unknown>
    electronBinaryPath(context: unknown): string
  }
  const fuses = require('@electron/fuses') as typeof import('@electron/fuses')
  const { FuseV1Options: F } = fuses
  const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
  const ENABLE = 49
  const DISABLE = 48

  it('is the configured afterPack hook, and fuses are not also flipped by electron-builder itself', async () => {
    const config = await loadConfig()
    expect(config.afterPack).toBe('build/after-pack.cjs')
    expect(config.electronFuses).toBeUndefined()
  })

  it('sets exactly the hardening fuses', () => {
    expect(hook.FUSES).toEqual({
      [F.RunAsNode]: false,
      [F.EnableCookieEncryption]: true,
      [F.EnableNodeOptionsEnvironmentVariable]: false,
      [F.EnableNodeCliInspectArguments]: false,
      [F.EnableEmbeddedAsarIntegrityValidation]: true,
      [F.OnlyLoadAppFromAsar]: true,
      [F.GrantFileProtocolExtraPrivileges]: false
    })
  })

  const packager = { appInfo: { productFilename: 'Rollcall' }, executableName: 'rollcall' }
  it('finds the packaged executable on each platform; resets the ad-hoc signature on arm64 macOS only', () => {
    expect(hook.electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'linux', packager })).toBe(join('/o', 'rollcall'))
    expect(hook.electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'win32', packager })).toBe(join('/o', 'Rollcall.exe'))
    expect(hook.electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'darwin', packager })).toBe(join('/o', 'Rollcall.app'))
    expect(hook.fuseConfig({ electronPlatformName: 'darwin', arch: 3 }).resetAdHocDarwinSignature).toBe(true)
    expect(hook.fuseConfig({ electronPlatformName: 'darwin', arch: 1 }).resetAdHocDarwinSignature).toBe(false)
    expect(hook.fuseConfig({ electronPlatformName: 'linux', arch: 3 }).resetAdHocDarwinSignature).toBe(false)
    expect(hook.fuseConfig({ electronPlatformName: 'win32', arch: 1 })).toMatchObject({ version: '1' })
  })

  it('flips the fuse wire of a packaged binary (both slices of a universal one)', async () => {
    const dir = tempDir()
    // A stand-in executable: bytes around Electron's fuse wire (v1, 8 fuses, all as Electron ships them).
    const wire = (states: string) => Buffer.concat([Buffer.from(SENTINEL), Buffer.from([1, 8]), Buffer.from(states)])
    const shipped = '10111000' // Electron's defaults: RunAsNode, cookies off, NODE_OPTIONS, inspect on, …
    writeFileSync(join(dir, 'rollcall'), Buffer.concat([Buffer.alloc(4096, 7), wire(shipped), Buffer.alloc(777, 3), wire(shipped), Buffer.alloc(99, 1)]))
    await hook({ appOutDir: dir, electronPlatformName: 'linux', arch: 1, packager })
    const bytes = readFileSync(join(dir, 'rollcall'))
    for (const at of [bytes.indexOf(SENTINEL), bytes.lastIndexOf(SENTINEL)]) {
      const states = [...bytes.subarray(at + SENTINEL.length + 2, at + SENTINEL.length + 10)]
      expect(states).toEqual([DISABLE, ENABLE, DISABLE, DISABLE, ENABLE, ENABLE, '0'.charCodeAt(0), DISABLE])
    }
    const current = await fuses.getCurrentFuseWire(join(dir, 'rollcall'))
    expect(current[F.RunAsNode]).toBe(DISABLE)
    expect(current[F.OnlyLoadAppFromAsar]).toBe(ENABLE)
    // Everything around the wire is untouched.
    expect(bytes.subarray(0, 4096).every((b) => b === 7)).toBe(true)
  })

  it('fails the build when the binary has no fuse wire', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'rollcall'), Buffer.alloc(1024))
    await expect(hook({ appOutDir: dir, electronPlatformName: 'linux', arch: 1, packager })).rejects.toThrow(/sentinel/)
  })
})
