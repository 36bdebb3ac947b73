import type { Logger } from '../../drivers/common/logger.js';
import { HallqError } from '../../drivers/common/error.js';
import { apply, emptyState, execute, type Command, type HallConfig, type HallEvent, type HallState, type Outcome } from '../core/index.js';
import { EventLog, replay } from '../store/index.js';

export interface Handled {
  outcome: Outcome;
  /** Durable before this returns; empty for a repeated command. */
  events: HallEvent[];
  duplicate: boolean;
}

const SNAPSHOT_EVERY = 2000;
/** Unrecorded refusals remembered in memory only, so a client's resend gets the same answer. */
const REFUSALS_KEPT = 1000;

/**
 * The core hosted on the event log: a command's events and outcome are appended in one durable
 * transaction before anyone hears of them. One engine per hall, one writer per log file.
 */
export class HallEngine {
  private sinceSnapshot = 0;
  /** Refusals about unknown ids (never stored, core/execute.ts unrecordedRefusals), newest last, bounded. */
  private readonly refused = new Map<string, Outcome>();
  private readonly appended = new Set<(events: HallEvent[]) => void>();
  private constructor(
    readonly log: EventLog<HallEvent>,
    public state: HallState,
    private readonly logger: Logger,
  ) {}

  static open(path: string, config: HallConfig, logger: Logger, now: number): HallEngine {
    const log = EventLog.open<HallEvent>(path, { logger });
    const { state, replayed } = replay(log, emptyState, apply, { fromSnapshot: (s) => s as HallState });
    const engine = new HallEngine(log, state, logger);
    logger.info({ seq: state.seq, replayed }, 'event log replayed');
    // The log records the config it was run with; a changed file is a new HallConfigured event.
    if (JSON.stringify(state.config) !== JSON.stringify(config)) engine.handle({ id: `configure-${state.seq + 1}-${now}`, type: 'Configure', config, source: 'system' }, now);
    return engine;
  }

  handle(cmd: Command, now: number): Handled {
    const stored = this.log.commandOutcome(cmd.id);
    if (stored !== undefined) return { outcome: stored as Outcome, events: [], duplicate: true };
    const refused = this.refused.get(cmd.id);
    if (refused !== undefined) return { outcome: refused, events: [], duplicate: true };
    const r = execute(this.state, cmd, now);
    if (r.duplicate) return { outcome: r.outcome, events: [], duplicate: true };
    if (!r.recorded) {
      this.refused.set(cmd.id, r.outcome);
      if (this.refused.size > REFUSALS_KEPT) this.refused.delete(this.refused.keys().next().value as string);
      return { outcome: r.outcome, events: [], duplicate: false };
    }
    try {
      this.log.append(r.events, { id: cmd.id, outcome: r.outcome });
    } catch (e) {
      // The state ran ahead of the log: rebuild it from what is durable, then report.
      this.state = replay(this.log, emptyState, apply, { fromSnapshot: (s) => s as HallState }).state;
      this.logger.error({ err: e, commandId: cmd.id }, 'append failed; state rebuilt from the log');
      throw e instanceof HallqError ? e : new HallqError('STORE_IO', 'append failed', {}, { cause: e });
    }
    for (const fn of this.appended) fn(r.events);
    this.sinceSnapshot += r.events.length;
    if (this.sinceSnapshot >= SNAPSHOT_EVERY) {
      this.log.saveSnapshot(this.state.seq, this.state);
      this.sinceSnapshot = 0;
    }
    return { outcome: r.outcome, events: r.events, duplicate: false };
  }

  /** Every batch of events once it is durable (live pages listen here). */
  onAppended(fn: (events: HallEvent[]) => void): () => void {
    this.appended.add(fn);
    return () => this.appended.delete(fn);
  }

  eventsAfter(seq: number, limit = 1000): HallEvent[] {
    return this.log.read(seq, limit);
  }

  /** False once close() ran: /readyz answers 503 then. */
  isOpen(): boolean {
    return this.open;
  }

  close(): void {
    this.open = false;
    this.log.close();
  }

  private open = true;
}
