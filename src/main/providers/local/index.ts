export { createLocalImport } from './import'
export { parseCsv, guessMapping } from './csv-roster'
export { createLocalProvider } from './provider'
