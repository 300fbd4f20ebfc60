// Helpers shared by the npm scripts (plain Node ESM, no dependencies).
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const requireFromRoot = createRequire(join(ROOT, 'package.json'))
/** Who started us (npm's `sh -c`, a terminal shell, …); see runForwarding. */
const STARTED_BY = process.ppid

/** Messages from the scripts go to stderr, so stdout stays free for what the child prints. */
export function say(msg) {
  process.stderr.write(`[rollcall] ${msg}\n`)
}

/** The JS file behind a package's CLI, run with this very Node (no shell, no PATH lookups). */
export function binOf(pkg, name) {
  const pkgJson = requireFromRoot.resolve(`${pkg}/package.json`)
  const { bin } = JSON.parse(readFileSync(pkgJson, 'utf8'))
  const rel = typeof bin === 'string' ? bin : bin[name ?? Object.keys(bin)[0]]
  return join(dirname(pkgJson), rel)
}

/**
 * Runs a command to completion. `stdoutToStderr` keeps a child's chatter off our stdout.
 * Resolves with the exit code (a signal death counts as 128 + n, like a shell).
 */
export function run(cmd, args, { stdoutToStderr = false, env = process.env, cwd = ROOT } = {}) {
  return new Promise((resolveRun) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['inherit', stdoutToStderr ? process.stderr : 'inherit', 'inherit'] })
    child.on('error', (err) => {
      say(`could not run ${cmd}: ${err.message}`)
      resolveRun(127)
    })
    child.on('exit', (code, signal) => resolveRun(code ?? 128 + (signal ? (signalNumber(signal) ?? 1) : 1)))
  })
}

function signalNumber(signal) {
  return { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 }[signal]
}

/**
 * Runs a long-lived child (the desk) with stdio passed through, forwards SIGINT/SIGTERM/SIGHUP to
 * it, and exits this process with the child's exit code once it is gone.
 */
export function runForwarding(cmd, args, { env = process.env } = {}) {
  if (process.ppid !== STARTED_BY) process.exit(143) // orphaned while building: nobody is waiting
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: 'inherit' })
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => forward(signal))
  // `npm run` wraps us in `sh -c`; if that shell is killed (npm forwards SIGTERM to it, and dash
  // does not pass it on), we are orphaned: stop the desk too rather than leave it serving.
  const watch = setInterval(() => {
    if (process.ppid !== STARTED_BY) {
      clearInterval(watch)
      forward('SIGTERM')
    }
  }, 500)
  watch.unref()
  child.on('error', (err) => {
    say(`could not run ${cmd}: ${err.message}`)
    process.exit(127)
  })
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (signalNumber(signal) ?? 1)))
}

/** The command line that runs npm itself: the npm that started us if known, else `npm` on PATH. */
export function npmCommand(args) {
  const execpath = process.env.npm_execpath
  if (execpath && /\.[cm]?js$/.test(execpath) && existsSync(execpath)) return [process.execPath, [execpath, ...args]]
  return [process.platform === 'win32' ? 'npm.cmd' : 'npm', args]
}

function newestMtime(path) {
  if (!existsSync(path)) return 0
  const st = statSync(path)
  if (!st.isDirectory()) return st.mtimeMs
  let newest = st.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

/** What `electron-vite build` produces and what the desk needs from it. */
export const BUILD_OUTPUTS = ['out/main/index.js', 'out/main/serve.js', 'out/preload/index.cjs', 'out/renderer/index.html']
const BUILD_INPUTS = ['src', 'drizzle', 'electron.vite.config.ts', 'svelte.config.js', 'tsconfig.json', 'package.json']

/** True when out/ is missing a piece or is older than any source or migration file. */
export function buildIsStale() {
  const outputs = BUILD_OUTPUTS.map((p) => join(ROOT, p))
  if (!outputs.every((p) => existsSync(p))) return true
  const oldestOutput = Math.min(...outputs.map((p) => statSync(p).mtimeMs))
  const newestInput = Math.max(...BUILD_INPUTS.map((p) => newestMtime(join(ROOT, p))))
  return newestInput > oldestOutput
}

/** `electron-vite build`; its output goes to stderr when stdout must stay clean. */
export function build({ stdoutToStderr = false } = {}) {
  return run(process.execPath, [binOf('electron-vite'), 'build'], { stdoutToStderr })
}

/**
 * The browser desk: builds if out/ is stale (build output to stderr), then runs
 * `node out/main/serve.js <args>`, whose one stdout line is the desk's address.
 */
export async function serveDesk(args) {
  if (buildIsStale()) {
    say('building (out/ is missing or older than src/) ...')
    const code = await build({ stdoutToStderr: true })
    if (code !== 0) {
      say(`the build failed (exit ${code})`)
      process.exit(code)
    }
  }
  runForwarding(process.execPath, [join(ROOT, 'out', 'main', 'serve.js'), ...args])
}
