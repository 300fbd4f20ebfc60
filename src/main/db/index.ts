export { openDatabase, findMigrationsFolder, type Db, type OpenOptions } from './open'
export type { MigrationReport } from './migrate'
export * as schema from './schema'
export { createWriteLane, deskSide, releaseWriterTurn, writerSide, writeInLane, type DeskLaneSide, type LaneSide, type WriterLaneSide } from './write-lane'
