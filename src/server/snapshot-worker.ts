/**
 * The snapshot worker (a worker thread of `hallq server`, started by snapshot-writer.ts on the first
 * snapshot due). It keeps its own copy of the hall's state, folded from the durable log through its own
 * read-only connection, and on each request catches up to the log's end, serialises that state and
 * writes it to the snapshot file with the digest of the event at its seq. None of it runs on the
 * server's event loop (issue 12: done there, a big day's snapshot held every command 25-30 ms).
 *
 * It holds the log and the snapshot file open only while it writes a snapshot, and runs at the lowest CPU
 * priority (nice 19, this thread alone: src/ops/thread-priority.ts): on a small server box a snapshot's
 * 60-120 ms of JSON and SQLite is work no one waits for, so it takes what the event loop, the broker and
 * the agents' traffic leave. (In the server bench the commands that arrive meanwhile are still answered
 * about twice as slowly at the median, with or without it: docs/ARCHITECTURE.md, issue 12.)
 *
 * workerData: { logPath, snapshotPath }. Messages in: { type: 'snapshot' } | { type: 'close' }.
 * Messages out: SnapshotWorkerReply (snapshot-writer.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HallqError } from '../../drivers/common/error.js';
import { silentLogger } from '../../drivers/common/logger.js';
import { apply, type HallEvent, type HallState } from '../core/index.js';
import { EventLog, SnapshotFile } from '../store/index.js';
import { lowerThreadPriority } from '../ops/thread-priority.js';
import { replayLog } from './replay-log.js';
import type { SnapshotWorkerReply } from './snapshot-writer.js';

lowerThreadPriority();

const data = workerData as { logPath?: unknown; snapshotPath?: unknown } | undefined;
const port = parentPort;
const send = (m: SnapshotWorkerReply) => port?.postMessage(m);

/**
 * The state folded so far. The files are opened for each snapshot and closed after it: between snapshots
 * the worker holds no connection, so the server's own close of the log is its last (SQLite checkpoints
 * the WAL into the file then), and a snapshot file deleted meanwhile is made again.
 */
let folded: HallState | undefined;

function snapshot(): void {
  if (typeof data?.logPath !== 'string' || typeof data.snapshotPath !== 'string') throw new HallqError('INTERNAL', 'snapshot worker started without its paths');
  const t0 = performance.now();
  const snapshotPath = data.snapshotPath;
  const log = EventLog.open<HallEvent>(data.logPath, { readonly: true });
  try {
    // Quiet about an unreadable snapshot file or another history's rows: the engine warned of them at its start.
    folded ??= replayLog(log, snapshotPath, silentLogger).state;
    const state = folded;
    for (const e of log.iterate(state.seq)) apply(state, e);
    const seq = state.seq;
    const digest = log.eventDigest(seq);
    // An empty log has nothing to snapshot; a log that lost the event just read is the server's to report.
    if (digest === undefined) return send({ type: 'skipped', seq });
    const json = JSON.stringify(state);
    const file = SnapshotFile.openForWriting(snapshotPath);
    try {
      file.save(seq, digest, json);
    } finally {
      file.close();
    }
    send({ type: 'saved', seq, bytes: json.length, ms: performance.now() - t0 });
  } finally {
    log.close();
  }
}

port?.on('message', (m: unknown) => {
  const type = typeof m === 'object' && m !== null && 'type' in m ? m.type : undefined;
  if (type === 'close') return port?.close();
  if (type !== 'snapshot') return send({ type: 'failed', code: 'INTERNAL', message: `snapshot worker: unknown message ${String(type)}` });
  try {
    snapshot();
  } catch (e) {
    // The copy may be half-folded: the next request starts again from the files.
    folded = undefined;
    send({ type: 'failed', code: e instanceof HallqError ? e.code : 'STORE_IO', message: e instanceof Error ? e.message : String(e) });
  }
});
