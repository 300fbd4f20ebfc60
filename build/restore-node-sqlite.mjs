// After `electron-builder` (npmRebuild) has rebuilt better-sqlite3 in place for Electron, put the
// Node build back so `npm test` and `npm run serve` keep working (see scripts/native.mjs).
import { ensureNodeSqlite } from '../scripts/native.mjs'

if (!ensureNodeSqlite()) {
  console.error('could not restore the Node build of better-sqlite3; run `npm rebuild better-sqlite3`')
  process.exit(1)
}
