// `npm run bench [-- --size N --json PATH --skip-browser --build]`: the performance benchmark
// (test/bench/main.ts, run with tsx). Builds out/ first when it is missing (or with --build): the
// desk process and the renderer are measured from the build, the core services from src/.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { BUILD_OUTPUTS, ROOT, build, buildIsStale, run, say } from './lib.mjs'

const args = process.argv.slice(2)
const forceBuild = args.includes('--build')
const passOn = args.filter((a) => a !== '--build')
const appRootArg = passOn.findIndex((a) => a === '--app-root' || a.startsWith('--app-root='))

if (appRootArg < 0) {
  const missing = BUILD_OUTPUTS.some((p) => !existsSync(join(ROOT, p)))
  if (missing || forceBuild) {
    say(missing ? 'building (out/ is missing) ...' : 'building ...')
    const code = await build({ stdoutToStderr: true })
    if (code !== 0) {
      say(`the build failed (exit ${code})`)
      process.exit(code)
    }
  } else if (buildIsStale()) {
    say('note: out/ is older than src/; the desk process and renderer figures measure that build (add --build to rebuild first)')
  }
}

process.exit(await run(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'bench', 'main.ts'), ...passOn]))
