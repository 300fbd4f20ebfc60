export { createRosterExport, neutraliseFormula } from './roster-csv'
