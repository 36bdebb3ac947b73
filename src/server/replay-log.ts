import type { Logger } from '../../drivers/common/logger.js';
import { apply, emptyState, type HallEvent, type HallState } from '../core/index.js';
import { replay, SnapshotFile, type EventLog, type ReplayResult } from '../store/index.js';

/**
 * The hall's state from the durable log: the newest snapshot (the log's own table's, or the snapshot
 * file's at `snapshotPath` (`<log>.snapshots`) when it is of this log's history and newer) plus the
 * events after it. Used by the engine (its start, a rebuild after a failed command or append) and by
 * the snapshot worker (its first fold).
 *
 * - `log`: open, read-only or not; `snapshotPath`: undefined for a log that is not a file (the log's own
 *   table only).
 * - `logger`: where the snapshot file's problems are warned of; the file never fails the replay
 *   (SnapshotFile.latestFor does not throw): unreadable → "snapshot file unreadable; replaying without
 *   it" ({ file, reason }); rows of another history passed over → "snapshots of another history of the
 *   log passed over (a restored backup?)" ({ file, skipped }). The snapshot worker passes silentLogger:
 *   the engine has warned of the same file at its start.
 * - Returns ReplayResult<HallState>: { state, lastSeq, replayed (events applied after the snapshot),
 *   snapshotSeq (the snapshot it started from, undefined without one) }.
 * - Throws the log's HallqErrors: STORE_CORRUPT (a gap, an unreadable row or snapshot of the log's own
 *   table, a snapshot past the log's end), STORE_IO (the log cannot be read).
 */
export function replayLog(log: EventLog<HallEvent>, snapshotPath: string | undefined, logger: Logger): ReplayResult<HallState> {
  const sideSnapshot = () => {
    if (snapshotPath === undefined) return undefined;
    const found = SnapshotFile.latestFor(snapshotPath, log);
    if (found.kind === 'unreadable') logger.warn({ file: snapshotPath, reason: found.reason }, 'snapshot file unreadable; replaying without it');
    if ((found.kind === 'unmatched' || found.kind === 'found') && found.skipped > 0) logger.warn({ file: snapshotPath, skipped: found.skipped }, 'snapshots of another history of the log passed over (a restored backup?)');
    return found.kind === 'found' ? found : undefined;
  };
  return replay(log, emptyState, apply, { fromSnapshot: (s) => s as HallState, sideSnapshot });
}
