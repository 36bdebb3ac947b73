export type { LogEvent } from './rows.js';
export type { EventLogOptions } from './event-log.js';
export { EventLog, ITERATE_PAGE, SNAPSHOTS_KEPT } from './event-log.js';
export type { Migration } from './schema.js';
export { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
export type { ReplayOptions, ReplayResult } from './replay.js';
export { replay } from './replay.js';
export type { SideSnapshot } from './snapshot-file.js';
export { SnapshotFile, snapshotFilePath } from './snapshot-file.js';
