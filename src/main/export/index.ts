export { createRosterExport, csvField, neutraliseFormula } from './roster-csv'
