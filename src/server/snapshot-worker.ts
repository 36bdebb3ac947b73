/**
 * The snapshot worker (a worker thread of `hallq server`, started by snapshot-writer.ts on the first
 * snapshot due). It keeps its own copy of the hall's state, folded from the durable log through its own
 * read-only connection, and on each request catches up to the log's end, serialises that state and
 * writes it to the snapshot file with the digest of the event at its seq. None of it runs on the
 * server's event loop (issue 12: done there, a big day's snapshot held every command 25-30 ms).
 *
 * workerData: { logPath, snapshotPath }. Messages in: { type: 'snapshot' } | { type: 'close' }.
 * Messages out: SnapshotWorkerReply (snapshot-writer.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HallqError } from '../../drivers/common/error.js';
import { apply, emptyState, type HallEvent, type HallState } from '../core/index.js';
import { EventLog, replay, SnapshotFile } from '../store/index.js';
import type { SnapshotWorkerReply } from './snapshot-writer.js';

const data = workerData as { logPath?: unknown; snapshotPath?: unknown } | undefined;
const port = parentPort;
const send = (m: SnapshotWorkerReply) => port?.postMessage(m);

interface Held {
  log: EventLog<HallEvent>;
  file: SnapshotFile;
  state: HallState;
}
let held: Held | undefined;

function open(logPath: string, snapshotPath: string): Held {
  const log = EventLog.open<HallEvent>(logPath, { readonly: true });
  try {
    const file = SnapshotFile.openForWriting(snapshotPath);
    const side = () => {
      const found = SnapshotFile.latestFor(snapshotPath, log);
      return found.kind === 'found' ? found : undefined;
    };
    const { state } = replay(log, emptyState, apply, { fromSnapshot: (s) => s as HallState, sideSnapshot: side });
    return { log, file, state };
  } catch (e) {
    log.close();
    throw e;
  }
}

function snapshot(): void {
  if (typeof data?.logPath !== 'string' || typeof data.snapshotPath !== 'string') throw new HallqError('INTERNAL', 'snapshot worker started without its paths');
  const t0 = performance.now();
  held ??= open(data.logPath, data.snapshotPath);
  for (const e of held.log.iterate(held.state.seq)) apply(held.state, e);
  const seq = held.state.seq;
  const digest = held.log.eventDigest(seq);
  // An empty log has nothing to snapshot; a log that lost the event just read is the server's to report.
  if (digest === undefined) return send({ type: 'skipped', seq });
  const json = JSON.stringify(held.state);
  held.file.save(seq, digest, json);
  send({ type: 'saved', seq, bytes: json.length, ms: performance.now() - t0 });
}

function close(): void {
  held?.file.close();
  held?.log.close();
  held = undefined;
  port?.close();
}

port?.on('message', (m: unknown) => {
  const type = typeof m === 'object' && m !== null && 'type' in m ? m.type : undefined;
  if (type === 'close') return close();
  if (type !== 'snapshot') return send({ type: 'failed', code: 'INTERNAL', message: `snapshot worker: unknown message ${String(type)}` });
  try {
    snapshot();
  } catch (e) {
    // The copy may be half-folded: the next request starts again from the files.
    held?.file.close();
    held?.log.close();
    held = undefined;
    send({ type: 'failed', code: e instanceof HallqError ? e.code : 'STORE_IO', message: e instanceof Error ? e.message : String(e) });
  }
});
