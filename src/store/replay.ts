import type { EventLog } from './event-log.js';
import { corrupt } from './errors.js';
import type { LogEvent } from './rows.js';

export interface ReplayOptions<S> {
  /**
   * Turns a stored snapshot (the JSON that was saved) back into a state. Without it snapshots are ignored and the
   * whole log is replayed: the store cannot know how to revive S (Maps, classes) from JSON.
   */
  fromSnapshot?: (snap: unknown) => S;
  /**
   * A snapshot kept outside the log (SnapshotFile.latestFor, already checked to belong to this log's
   * history); the newer of it and the log's own newest is used.
   */
  sideSnapshot?: () => { seq: number; state: unknown } | undefined;
}

export interface ReplayResult<S> {
  state: S;
  /** Seq of the last event applied (or of the snapshot if no event followed it); 0 for an empty log. */
  lastSeq: number;
  /** Events applied after the starting point. */
  replayed: number;
  /** The snapshot the replay started from, if one was used. */
  snapshotSeq: number | undefined;
}

/**
 * Rebuilds a state from the log: the newest snapshot (if fromSnapshot is given) plus every event after it, in
 * order. `apply` mutates the state in place. Gaps or unreadable rows surface as STORE_CORRUPT from the log.
 */
export function replay<S, E extends LogEvent>(
  log: EventLog<E>,
  init: () => S,
  apply: (s: S, e: E) => void,
  opts: ReplayOptions<S> = {},
): ReplayResult<S> {
  let state: S;
  let from = 0;
  let snapshotSeq: number | undefined;
  const inLog = opts.fromSnapshot === undefined ? undefined : log.latestSnapshot();
  const side = opts.fromSnapshot === undefined ? undefined : opts.sideSnapshot?.();
  const snap = side !== undefined && (inLog === undefined || side.seq > inLog.seq) ? side : inLog;
  if (snap !== undefined && opts.fromSnapshot !== undefined) {
    const end = log.lastSeq();
    // A snapshot beyond the events means events were lost after it was taken; replaying on would hide that.
    if (snap.seq > end) throw corrupt(`snapshot at seq ${snap.seq} is past the end of the log (${end})`, { seq: snap.seq, lastSeq: end });
    state = opts.fromSnapshot(snap.state);
    from = snap.seq;
    snapshotSeq = snap.seq;
  } else {
    state = init();
  }
  let lastSeq = from;
  let replayed = 0;
  for (const e of log.iterate(from)) {
    apply(state, e);
    lastSeq = e.seq;
    replayed++;
  }
  return { state, lastSeq, replayed, snapshotSeq };
}
