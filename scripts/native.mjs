// better-sqlite3 has two ABIs to serve: Node (tests, `npm run serve`) and Electron (the app).
// `npm install` builds/downloads the Node one into node_modules/better-sqlite3 — never touched here.
// The Electron one is built once into a cache dir from a COPY of the package:
//   node_modules/.cache/rollcall-native/electron-<version>-<platform>-<arch>/better_sqlite3.node
// and handed to the main process (env ROLLCALL_SQLITE_BINDING; src/main/native.ts knows the path too).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, copyFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { ROOT, npmCommand, requireFromRoot, say } from './lib.mjs'

/** Must match electronSqliteBindingPath in src/main/native.ts (test/unit/native.test.ts checks). */
export function electronSqliteBindingPath(projectRoot, electronVersion, platform = process.platform, arch = process.arch) {
  return join(projectRoot, 'node_modules', '.cache', 'rollcall-native', `electron-${electronVersion}-${platform}-${arch}`, 'better_sqlite3.node')
}

/**
 * The Electron binary, if installed. The `electron` package exports the binary's path, but throws
 * (or names a missing file) when the download was skipped, e.g. ELECTRON_SKIP_BINARY_DOWNLOAD=1.
 */
export function electronInfo() {
  let version = null
  try {
    version = JSON.parse(readFileSync(requireFromRoot.resolve('electron/package.json'), 'utf8')).version
  } catch {
    return { binary: null, version: null, reason: 'the electron package is not installed' }
  }
  let binary
  try {
    binary = requireFromRoot('electron')
  } catch (err) {
    return { binary: null, version, reason: `the Electron binary is not installed (${err.message.split('\n')[0]})` }
  }
  if (typeof binary !== 'string' || !existsSync(binary)) {
    return { binary: null, version, reason: `the Electron binary is missing (${String(binary)})` }
  }
  return { binary, version, reason: null }
}

// Built for another ABI/platform, truncated, or never built (install scripts skipped): a rebuild fixes all.
const ABI_ERROR =
  /NODE_MODULE_VERSION|invalid ELF|wrong ELF|ELF class|file too short|did not self-register|not a valid Win32 application|incompatible architecture|mach-o|Could not locate the bindings file/i

/** Loads better-sqlite3 in a child Node and opens a memory db; reports how it failed if it did. */
function probeNodeSqlite() {
  const r = spawnSync(process.execPath, ['-e', "const D = require('better-sqlite3'); new D(':memory:').close()"], { cwd: ROOT, encoding: 'utf8' })
  return { ok: r.status === 0, output: `${r.stderr ?? ''}${r.stdout ?? ''}` }
}

/**
 * Makes sure the Node-ABI better-sqlite3 loads; rebuilds it (`npm rebuild better-sqlite3`) when it
 * was built for another ABI. Returns true when it loads.
 */
export function ensureNodeSqlite() {
  const first = probeNodeSqlite()
  if (first.ok) return true
  if (!ABI_ERROR.test(first.output)) {
    say(`better-sqlite3 does not load in Node ${process.version}:\n${first.output.trim()}`)
    return false
  }
  say(`better-sqlite3 does not load in Node ${process.version} (${first.output.match(ABI_ERROR)?.[0]}: built for another runtime, or not built); running \`npm rebuild better-sqlite3\` ...`)
  const [cmd, args] = npmCommand(['rebuild', 'better-sqlite3'])
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', process.stderr, 'inherit'], shell: process.platform === 'win32' })
  if (r.status !== 0) {
    say('`npm rebuild better-sqlite3` failed')
    return false
  }
  const second = probeNodeSqlite()
  if (!second.ok) say(`better-sqlite3 still does not load after the rebuild:\n${second.output.trim()}`)
  return second.ok
}

/** node-gyp: the one shipped with the npm that runs us, else `npx --yes node-gyp`. */
function nodeGypCommand() {
  const candidates = []
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp)
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'))
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'))
  candidates.push(join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'))
  const found = candidates.find((c) => c.endsWith('.js') && existsSync(c))
  if (found) return [process.execPath, [found]]
  return [process.platform === 'win32' ? 'npx.cmd' : 'npx', ['--yes', 'node-gyp']]
}

function runQuiet(cmd, args, cwd, env = process.env) {
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', process.stderr, 'inherit'], shell: process.platform === 'win32' && !cmd.endsWith('.exe') && cmd !== process.execPath })
  return r.status === 0
}

/** Does this .node file load inside the given Electron (run as plain Node)? */
function loadsInElectron(electronBinary, file) {
  if (!electronBinary) return true
  const r = spawnSync(electronBinary, ['-e', `require(${JSON.stringify(file)})`], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8'
  })
  if (r.status !== 0) say(`the Electron build of better-sqlite3 does not load in Electron:\n${(r.stderr ?? '').trim()}`)
  return r.status === 0
}

/**
 * Returns the path of a better-sqlite3 binary built for this Electron, building it first if the
 * cache has none (or one from another better-sqlite3 version). Throws with an explanation if it
 * can neither download a prebuilt one nor compile one.
 */
export function ensureElectronSqlite({ electronVersion, electronBinary = null, platform = process.platform, arch = process.arch }) {
  return ensureSqliteBinding({
    runtime: 'electron',
    target: electronVersion,
    distUrl: 'https://electronjs.org/headers',
    outFile: electronSqliteBindingPath(ROOT, electronVersion, platform, arch),
    platform,
    arch,
    verify: (file) => loadsInElectron(electronBinary, file)
  })
}

/**
 * Builds better-sqlite3 for a runtime/target from a COPY of the installed package (prebuilt
 * download first, then node-gyp), verifies it, and caches it at `outFile` with a stamp naming the
 * better-sqlite3 version. The installed package's own build/ is never touched.
 */
export function ensureSqliteBinding({ runtime, target, distUrl, outFile, platform = process.platform, arch = process.arch, verify = () => true }) {
  const cacheDir = dirname(outFile)
  const stampFile = join(cacheDir, 'stamp.json')
  const pkgDir = dirname(requireFromRoot.resolve('better-sqlite3/package.json'))
  const pkgVersion = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version
  const stamp = { betterSqlite3: pkgVersion, runtime, target, platform, arch }

  if (existsSync(outFile) && existsSync(stampFile)) {
    try {
      const old = JSON.parse(readFileSync(stampFile, 'utf8'))
      if (old.betterSqlite3 === pkgVersion) return outFile
    } catch {
      // unreadable stamp: rebuild
    }
  }

  say(`building better-sqlite3 ${pkgVersion} for ${runtime} ${target} (${platform}-${arch}), once; cached in ${relative(ROOT, cacheDir)}`)
  const workRoot = join(cacheDir, 'work')
  const work = join(workRoot, 'better-sqlite3')
  rmSync(workRoot, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  try {
    // A copy without the Node build: the one in node_modules stays exactly as npm left it.
    cpSync(pkgDir, work, {
      recursive: true,
      filter: (src) => {
        const top = relative(pkgDir, src).split(sep)[0]
        return top !== 'build' && top !== 'node_modules'
      }
    })
    const built = join(work, 'build', 'Release', 'better_sqlite3.node')
    // Say the runtime to every tool that listens to npm_config_*; drop a configured `nodedir`,
    // which would make node-gyp compile against Node's headers instead of the target's.
    const env = { ...process.env, npm_config_runtime: runtime, npm_config_target: target, npm_config_disturl: distUrl }
    for (const key of Object.keys(env)) if (key.toLowerCase() === 'npm_config_nodedir') delete env[key]

    let ok = false
    try {
      const prebuild = createRequire(join(pkgDir, 'package.json')).resolve('prebuild-install/bin.js')
      say('trying a prebuilt binary (prebuild-install) ...')
      ok = runQuiet(process.execPath, [prebuild, '--runtime', runtime, '--target', target, '--arch', arch, '--platform', platform], work, env) && existsSync(built)
      if (ok) ok = verify(built)
    } catch (err) {
      say(`prebuild-install is not available (${err.message})`)
    }
    if (!ok) {
      say('no usable prebuilt binary; compiling with node-gyp (needs Python 3, make and a C++ compiler; takes a minute) ...')
      rmSync(join(work, 'build'), { recursive: true, force: true })
      const [cmd, args] = nodeGypCommand()
      ok =
        runQuiet(cmd, [...args, 'rebuild', '--release', `--runtime=${runtime}`, `--target=${target}`, `--arch=${arch}`, `--dist-url=${distUrl}`], work, env) &&
        existsSync(built)
      if (ok) ok = verify(built)
    }
    if (!ok) {
      throw new Error(
        `could not get better-sqlite3 for ${runtime} ${target}: no prebuilt binary could be downloaded and compiling failed. ` +
          'Install build tools (Python 3, make, a C++ compiler) or check the network, then try again.'
      )
    }
    const tmp = `${outFile}.tmp-${process.pid}`
    copyFileSync(built, tmp)
    renameSync(tmp, outFile)
    writeFileSync(stampFile, JSON.stringify(stamp, null, 2) + '\n')
    say(`better-sqlite3 for ${runtime} ${target} is ready: ${relative(ROOT, outFile)}`)
    return outFile
  } finally {
    rmSync(workRoot, { recursive: true, force: true })
  }
}
