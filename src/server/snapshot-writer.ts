import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../drivers/common/logger.js';

/** What the snapshot worker answers (snapshot-worker.ts). `ms`: from the request to the row committed. */
export type SnapshotWorkerReply =
  | { type: 'saved'; seq: number; bytes: number; ms: number }
  | { type: 'skipped'; seq: number }
  | { type: 'failed'; code: string; message: string };

/** A snapshot written: where (`file`: the snapshot file, by the worker; `log`: the log's own table, inline), its seq, size (bytes of JSON) and time (ms). */
export interface SnapshotSaved {
  where: 'file' | 'log';
  seq: number;
  bytes: number;
  ms: number;
}

/**
 * The worker's module next to this one: the .js of the build; under tsx (development, tests) the .ts
 * source, loaded by a two-line bootstrap that registers tsx in the worker first (Node 20 does not apply
 * an `--import` loader given in a worker's execArgv to its entry).
 */
function startWorker(workerData: unknown): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./snapshot-worker.js', here), { workerData });
  // tsx's ESM api (its package.json maps `tsx/esm/api` for `import` to this file; require() would get the CommonJS one).
  const api = pathToFileURL(join(dirname(createRequire(here).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL('./snapshot-worker.ts', here).href;
  return new Worker(`import(${JSON.stringify(api)}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(entry)}));`, { eval: true, workerData });
}

/**
 * Asks the snapshot worker (started on the first request, unref'd: it never keeps the process up) for a
 * snapshot and reports each one saved. One at a time: a request while one is being written is one more
 * right after it. When the worker fails (cannot write its file, died), that is logged once, `working`
 * turns false and no request reaches it again: the engine then snapshots into the log as before.
 */
export class SnapshotWriter {
  #worker: Worker | undefined;
  #busy = false;
  #again = false;
  #failed = false;
  #closing = false;
  /** Resolves when the worker has ended (at once while none was started); kept from its start, so a worker that already failed and ended is not waited for again. */
  #ended: Promise<void> = Promise.resolve();

  constructor(
    private readonly paths: { logPath: string; snapshotPath: string },
    private readonly logger: Logger,
    private readonly hooks: { saved: (s: SnapshotSaved) => void },
  ) {}

  /** True until the worker has failed. */
  get working(): boolean {
    return !this.#failed;
  }

  request(): void {
    if (this.#failed || this.#closing) return;
    if (this.#busy) return void (this.#again = true);
    this.#busy = true;
    (this.#worker ??= this.#start()).postMessage({ type: 'snapshot' });
  }

  /** Resolves when the worker has ended. Before the first request it is an already resolved promise: a worker started later has its own. */
  get ended(): Promise<void> {
    return this.#ended;
  }

  /**
   * Lets a snapshot being written finish in the worker, which then closes its files and ends. The promise
   * resolves when it has ended (at once without a worker): until then it holds a connection to the log.
   */
  close(): Promise<void> {
    this.#closing = true;
    this.#worker?.postMessage({ type: 'close' });
    return this.#ended;
  }

  #start(): Worker {
    const worker = startWorker(this.paths);
    this.#ended = new Promise<void>((res) => worker.once('exit', () => res()));
    worker.unref();
    worker.on('message', (m: SnapshotWorkerReply) => this.#answer(m));
    worker.on('error', (err) => this.#fail('INTERNAL', err.message));
    worker.on('exit', (code) => {
      if (!this.#closing) this.#fail('INTERNAL', `the snapshot worker ended (exit code ${code})`);
    });
    return worker;
  }

  #answer(m: SnapshotWorkerReply): void {
    this.#busy = false;
    if (m.type === 'failed') return this.#fail(m.code, m.message);
    if (m.type === 'saved') {
      this.logger.debug({ seq: m.seq, bytes: m.bytes, ms: Math.round(m.ms) }, 'snapshot saved by the worker');
      this.hooks.saved({ where: 'file', seq: m.seq, bytes: m.bytes, ms: m.ms });
    }
    if (this.#again) {
      this.#again = false;
      this.request();
    }
  }

  #fail(code: string, message: string): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#busy = false;
    this.logger.warn({ code, reason: message, file: this.paths.snapshotPath }, 'snapshot worker failed; snapshots are written into the event log from now on, in the event loop');
    void this.#worker?.terminate();
  }
}
