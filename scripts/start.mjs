// `npm start`: the Electron app, with a better-sqlite3 built for Electron (see native.mjs).
// Where the Electron binary was not downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD=1, some CI/sandboxes)
// it explains that and serves the same desk in the browser instead.
import { binOf, runForwarding, say, serveDesk } from './lib.mjs'
import { electronInfo, ensureElectronSqlite } from './native.mjs'

const electron = electronInfo()

if (electron.binary) {
  let binding
  try {
    binding = ensureElectronSqlite({ electronVersion: electron.version, electronBinary: electron.binary })
  } catch (err) {
    say(err.message)
    process.exit(1)
  }
  // `electron-vite preview` builds, then launches Electron on out/main/index.js.
  const previewArgs = ['preview']
  if (process.platform === 'linux' && process.getuid?.() === 0) {
    // Chromium refuses to start as root with its OS sandbox on (containers, some VMs).
    say('running as root: starting Electron without the Chromium OS sandbox (--no-sandbox)')
    previewArgs.push('--noSandbox')
  }
  runForwarding(process.execPath, [binOf('electron-vite'), ...previewArgs], {
    env: { ...process.env, ELECTRON_EXEC_PATH: electron.binary, ROLLCALL_SQLITE_BINDING: binding }
  })
} else {
  say(`cannot start the desktop app: ${electron.reason}.`)
  say('This happens when npm was told to skip the download (ELECTRON_SKIP_BINARY_DOWNLOAD=1) or could not')
  say('reach the Electron mirror. On a normal machine `npm install` downloads it and `npm start` opens the app.')
  say('Serving the same desk in your browser instead; open the address below (Ctrl+C stops it).')
  await serveDesk(process.argv.slice(2))
}
