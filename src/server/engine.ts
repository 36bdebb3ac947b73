import { silentLogger, type Logger } from '../../drivers/common/logger.js';
import { HallqError } from '../../drivers/common/error.js';
import { execute, type Command, type HallConfig, type HallEvent, type HallState, type Outcome } from '../core/index.js';
import { dirname } from 'node:path';
import { EventLog, snapshotFilePath, tightenExisting } from '../store/index.js';
import { DiskSpaceWatch, type DiskSpace } from '../store/disk-space.js';
import { logHead } from '../bus/log-head.js';
import { replayLog } from './replay-log.js';
import { warnUncallable } from './uncallable-warning.js';
import { SnapshotWriter, type SnapshotSaved } from './snapshot-writer.js';

export interface Handled {
  outcome: Outcome;
  /** Durable before this returns; empty for a repeated command. */
  events: HallEvent[];
  duplicate: boolean;
}

/** Events between snapshots, at least. */
const SNAPSHOT_EVERY = 2000;
/**
 * And at least one event per this many bytes of the last snapshot's JSON (issue 12). Saving a snapshot
 * costs in proportion to its size (a big day's state is 2 MB: ~50-90 ms of JSON and SQLite), so a fixed
 * interval made it a growing share of every command's CPU through the day (~150 us per command by
 * the commands bench's fourth round). Replaying one event costs about what parsing 250 bytes of the
 * snapshot does (~5 us), so with this interval the events after the newest snapshot take at most
 * about as long to replay at a start as the snapshot takes to load, and a snapshot costs each event
 * a bounded share whatever the state's size.
 */
const SNAPSHOT_BYTES_PER_EVENT = 250;

/** Events to append before the next snapshot, after one of `bytes` bytes of JSON. */
export function eventsBetweenSnapshots(bytes: number): number {
  return Math.max(SNAPSHOT_EVERY, Math.ceil(bytes / SNAPSHOT_BYTES_PER_EVENT));
}

/**
 * The durable appends so far: transactions, the commands in them and the time they took (seconds, the
 * fsync included). For /metrics (`hallq_appends_total`, `hallq_append_seconds_total`: a slow disk shows
 * there first) and the benchmarks (issue 12: the share of the event loop spent waiting for the disk).
 */
export interface AppendTotals {
  transactions: number;
  commands: number;
  seconds: number;
}

/**
 * Appends failing now (a full disk, a read-only or failing file): since when (epoch ms), how many, and
 * why in words (src/store/errors.ts). /readyz answers 503 `store-failing` while it lasts; the first
 * failure is logged at error, the next ones not again until an append works (then once, with the count).
 */
export interface StoreFailure {
  since: number;
  failures: number;
  reason: string;
  reasonZh: string;
}

/**
 * The snapshot file (and its -wal, -shm) found readable by others is made private before it is read at
 * the start, as the log was by its open: the worker would tighten it only at the next snapshot it writes,
 * 2,000 events or more later. One that cannot be (another user's) is warned of: it only saves start time.
 */
function tightenSnapshotFile(path: string, logger: Logger): void {
  try {
    tightenExisting(path);
  } catch (e) {
    logger.warn({ file: path, reason: e instanceof Error ? e.message : String(e) }, 'snapshot file readable by others and could not be made private; chmod 600 it');
  }
}

/** Unrecorded refusals remembered in memory only, so a client's resend gets the same answer. */
const REFUSALS_KEPT = 1000;

/**
 * The core hosted on the event log: a command's events and outcome are appended in one durable
 * transaction before anyone hears of them. One engine per hall, one writer per log file.
 */
export class HallEngine {
  private sinceSnapshot = 0;
  /** Events until the next snapshot: SNAPSHOT_EVERY, or more after a big one (SNAPSHOT_BYTES_PER_EVENT). */
  private snapshotEvery = SNAPSHOT_EVERY;
  /** Refusals about unknown ids (never stored, core/execute.ts unrecordedRefusals), newest last, bounded. */
  private readonly refused = new Map<string, Outcome>();
  /** Durable appends so far (AppendTotals). */
  readonly appends: AppendTotals = { transactions: 0, commands: 0, seconds: 0 };
  /** Set while appends fail (StoreFailure), cleared by the next one that works. */
  storeFailure: StoreFailure | undefined;
  private readonly appended = new Set<(events: HallEvent[]) => void>();
  private readonly snapshotsSaved = new Set<(s: SnapshotSaved) => void>();
  /** Writes snapshots off the event loop into `<log>.snapshots`; undefined for a log that is not a file. */
  private readonly writer: SnapshotWriter | undefined;
  /**
   * Whether the log had run a hall day when this engine opened it (its replayed state had a day), before
   * anything this start writes (a new config, island leases): what the key files were made for.
   */
  readonly openedWithHistory: boolean;
  /** The free space under the log's folder (DiskSpaceWatch); undefined for a log that is not a file. */
  private readonly diskWatch: DiskSpaceWatch | undefined;
  private constructor(
    readonly log: EventLog<HallEvent>,
    public state: HallState,
    private readonly logger: Logger,
    private readonly snapshotPath: string | undefined,
    diskLowBytes: number | undefined,
  ) {
    this.writer = snapshotPath === undefined ? undefined : new SnapshotWriter({ logPath: log.path, snapshotPath }, logger, { saved: (s) => this.snapshotSaved(s) });
    this.openedWithHistory = state.day !== '';
    this.diskWatch = snapshotPath === undefined || diskLowBytes === undefined ? undefined : new DiskSpaceWatch(dirname(log.path), diskLowBytes, logger, { store: 'event log', key: 'server.diskLowMegabytes' });
  }

  /**
   * `diskLowBytes`: below this much free space under the log, /readyz says `disk-low` before an append
   * fails (server.diskLowMegabytes, which the server passes); without it, no watch (tools, tests).
   */
  static open(path: string, config: HallConfig, logger: Logger, now: number, opts: { diskLowBytes?: number } = {}): HallEngine {
    const log = EventLog.open<HallEvent>(path, { logger });
    const snapshotPath = snapshotFilePath(path);
    if (snapshotPath !== undefined) tightenSnapshotFile(snapshotPath, logger);
    const { state, replayed, snapshotSeq } = replayLog(log, snapshotPath, logger);
    const engine = new HallEngine(log, state, logger, snapshotPath, opts.diskLowBytes);
    logger.info({ seq: state.seq, replayed, snapshotSeq }, 'event log replayed');
    // The log records the config it was run with; a changed file is a new HallConfigured event.
    if (JSON.stringify(state.config) !== JSON.stringify(config)) engine.handle({ id: `configure-${state.seq + 1}-${now}`, type: 'Configure', config, source: 'system' }, now);
    warnUncallable(engine.state, logger);
    return engine;
  }

  handle(cmd: Command, now: number): Handled {
    const [r] = this.handleBatch([cmd], now);
    if (r instanceof Error) throw r;
    if (!r) throw new HallqError('INTERNAL', 'no result for the command');
    return r;
  }

  /**
   * Group commit (issue 12): runs the commands in order, each on the state the ones before it left,
   * and appends all their events and outcomes in ONE durable transaction, so a burst costs one fsync.
   * Nothing is returned, so nobody is answered, before that commit ("durable before acknowledged").
   * Results are in the order of `cmds`. A command that throws gets a HallqError (the commands before it
   * are committed first, then the state is rebuilt from the log and the rest run on it); a failed
   * append gives every command of the batch its HallqError and rebuilds the state from what is durable.
   */
  handleBatch(cmds: readonly Command[], now: number): (Handled | HallqError)[] {
    const results: (Handled | HallqError)[] = [];
    let pending: { index: number; events: HallEvent[]; outcome: Outcome; id: string }[] = [];
    const commit = () => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      const t0 = performance.now();
      try {
        this.log.appendBatch(batch.map((p) => ({ events: p.events, command: { id: p.id, outcome: p.outcome } })));
        this.appends.transactions += 1;
        this.appends.commands += batch.length;
        this.appends.seconds += (performance.now() - t0) / 1000;
      } catch (e) {
        const err = e instanceof HallqError ? e : new HallqError('STORE_IO', 'append failed', {}, { cause: e });
        // The state ran ahead of the log: rebuild it from what is durable, then report. Once per episode
        // in the log: a full disk fails every command, and a line (and a warning of the rebuild) each
        // filled what was left of the journal's disk.
        const was = this.storeFailure;
        this.rebuild(was ? silentLogger : this.logger);
        const zh = err.details?.['messageZh'];
        this.storeFailure = was ? { ...was, failures: was.failures + 1 } : { since: now, failures: 1, reason: err.message, reasonZh: typeof zh === 'string' ? zh : err.message };
        if (!was) this.logger.error({ code: err.code, reason: err.message, commands: batch.length }, 'append failed; state rebuilt from the log; commands are refused until an append works again (not logged again until then)');
        for (const p of batch) results[p.index] = err;
        return;
      }
      if (this.storeFailure) {
        this.logger.info({ failures: this.storeFailure.failures, sinceMs: now - this.storeFailure.since }, 'appends work again');
        this.storeFailure = undefined;
      }
      const events = batch.flatMap((p) => p.events);
      this.last = events.at(-1) ?? this.last;
      for (const p of batch) results[p.index] = { outcome: p.outcome, events: p.events, duplicate: false };
      for (const fn of this.appended) fn(events);
      this.sinceSnapshot += events.length;
      if (this.sinceSnapshot >= this.snapshotEvery) {
        this.sinceSnapshot = 0;
        if (this.writer?.working) this.writer.request();
        else this.snapshotInline();
      }
    };
    // The batch's stored outcomes in one query. A command earlier in this batch is not in the store
    // yet: the state's own outcomes (execute's duplicate check) answer its repeat. After a commit in
    // the middle of the batch (a command threw), the rest are looked up one by one again.
    const known = this.log.commandOutcomes(cmds.map((c) => c.id));
    let committedEarly = false;
    cmds.forEach((cmd, index) => {
      const stored = committedEarly ? this.log.commandOutcome(cmd.id) : known.get(cmd.id);
      if (stored !== undefined) return void (results[index] = { outcome: stored as Outcome, events: [], duplicate: true });
      const refused = this.refused.get(cmd.id);
      if (refused !== undefined) return void (results[index] = { outcome: refused, events: [], duplicate: true });
      let r: ReturnType<typeof execute>;
      try {
        r = execute(this.state, cmd, now);
      } catch (e) {
        // The command may have half-applied: keep what came before it, then rebuild from the log.
        commit();
        committedEarly = true;
        this.rebuild();
        this.logger.error({ err: e, commandId: cmd.id }, 'command failed; state rebuilt from the log');
        return void (results[index] = e instanceof HallqError ? e : new HallqError('INTERNAL', 'the command failed', {}, { cause: e }));
      }
      if (r.duplicate) return void (results[index] = { outcome: r.outcome, events: [], duplicate: true });
      if (!r.recorded) {
        this.refused.set(cmd.id, r.outcome);
        if (this.refused.size > REFUSALS_KEPT) this.refused.delete(this.refused.keys().next().value as string);
        return void (results[index] = { outcome: r.outcome, events: [], duplicate: false });
      }
      pending.push({ index, events: r.events, outcome: r.outcome, id: cmd.id });
    });
    commit();
    return results;
  }

  /** The free space under the log now (logged once per low episode); undefined for a log that is not a file. */
  disk(): DiskSpace | undefined {
    return this.diskWatch?.check();
  }

  private rebuild(logger: Logger = this.logger): void {
    this.state = replayLog(this.log, this.snapshotPath, logger).state;
  }

  /** Without a worker (a log that is not a file, or the worker failed): into the log's own table, in the event loop. */
  private snapshotInline(): void {
    const t0 = performance.now();
    const bytes = this.log.saveSnapshot(this.state.seq, this.state);
    this.snapshotSaved({ where: 'log', seq: this.state.seq, bytes, ms: performance.now() - t0 });
  }

  private snapshotSaved(s: SnapshotSaved): void {
    this.snapshotEvery = eventsBetweenSnapshots(s.bytes);
    for (const fn of this.snapshotsSaved) fn(s);
  }

  /** Each snapshot once saved, where and how long it took (benches, tests). */
  onSnapshotSaved(fn: (s: SnapshotSaved) => void): () => void {
    this.snapshotsSaved.add(fn);
    return () => this.snapshotsSaved.delete(fn);
  }

  /** Every batch of events once it is durable (live pages listen here). */
  onAppended(fn: (events: HallEvent[]) => void): () => void {
    this.appended.add(fn);
    return () => this.appended.delete(fn);
  }

  eventsAfter(seq: number, limit = 1000): HallEvent[] {
    return this.log.read(seq, limit);
  }

  /** The last event committed (its identity is the status's `head`); read from the log once, then kept by each commit. */
  private last: HallEvent | undefined;

  /**
   * The identity of the log's event at the state's seq (src/bus/log-head.ts), for the server's status:
   * agents compare it with their own, so a restored or replaced database is told from the history they
   * hold. Undefined for an empty log, or when the log cannot be read now.
   */
  head(): string | undefined {
    const seq = this.state.seq;
    if (seq === 0) return undefined;
    if (this.last?.seq !== seq) {
      try {
        this.last = this.log.read(seq - 1, 1)[0];
      } catch {
        return undefined;
      }
    }
    return this.last ? logHead(this.last) : undefined;
  }

  /** False once close() ran: /readyz answers 503 then. */
  isOpen(): boolean {
    return this.open;
  }

  /** Closes the log; `whenClosed()` resolves once the snapshot worker has closed its connections too. */
  close(): void {
    this.open = false;
    this.closing = this.writer?.close() ?? Promise.resolve();
    this.log.close();
  }

  /** Resolves once close() ran and the snapshot worker (if one was started) has ended. */
  whenClosed(): Promise<void> {
    return this.closing ?? Promise.reject(new HallqError('INTERNAL', 'whenClosed() before close()'));
  }

  private open = true;
  private closing: Promise<void> | undefined;
}
