// `npm run serve -- [--port N] [--data-dir DIR]`: the desk in a browser, no Electron needed.
// Builds only when out/ is stale; stdout carries exactly the one "Rollcall desk at ..." line.
import { serveDesk } from './lib.mjs'

await serveDesk(process.argv.slice(2))
