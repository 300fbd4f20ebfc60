export { createPrintService, printDocuments, type PrintService } from './service'
export { rowCode, parseRowCode } from './codes'
export { createPrintHandlers, type PrintCall, type PrintHandlers } from './handlers'
