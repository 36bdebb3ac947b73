import { isHallqError, type ErrorCode, type HallqError } from '../common/error.js';
import { hex, type Logger } from '../common/logger.js';
import { Listeners } from '../common/transport.js';
import type { BusPort, BusPriority, ReplyFramer } from '../rs485/bus-port.js';
import { DEFAULT_DELIVERY, initialDelivery, isIdle, stepDelivery, type DeliveryEvent, type DeliveryOptions, type DeliveryState, type ScreenHealth, type WriteReason } from './delivery.js';
import { layoutKey, layoutScreen, testPatternLayout, type ScreenContent, type ScreenLayout } from './layout.js';
import { ChangeGate, screenPriority, type WindowScreen } from './window-screen.js';

const TEST_PATTERN_KEY = '\u0000test-pattern';

/** How a protocol recognises and judges the screen's answer to one frame. */
export interface ReplyRule {
  reply: ReplyFramer;
  /** The bus's judgement of a framed reply; never throws. */
  judge: (reply: Buffer) => ErrorCode | undefined;
}

/**
 * How a screen keeps its present text delivered (drivers/led-screen/README.md, Delivery and health): `redrawMs`
 * (default 60 s; 0 = never) draws an idle screen again with its present text that long after it last confirmed it.
 */
export interface UpkeepOptions extends Partial<DeliveryOptions> {
  /** Status poll of an idle screen every probeMs, where the protocol has a query (BX: ping); 0 = never. Default 30 s. */
  probeMs?: number;
}

export const DEFAULT_PROBE_MS = 30_000;

/** A status poll waits behind calls and refreshes, with the keypads' polls (a write again is a refresh, 1). */
const PROBE_PRIORITY: BusPriority = 2;

/**
 * The periodic redraw of an idle screen is owed nothing: it waits behind calls and refreshes, in turn with the
 * keypads' polls (FIFO within a priority), so the redraws of a whole line falling due together never hold a
 * keypad's poll for more than one exchange; a write again after a failure, or for a screen that answered again,
 * is a refresh (1).
 */
function writePriority(why: WriteReason): BusPriority {
  return why === 'redraw' ? 2 : screenPriority(false);
}

/**
 * What both screen protocols share: render content to a layout, send only changes (the change gate),
 * one exchange on the bus per write with the urgent priority for the called window and a coalescing
 * key per screen, and the delivery of the present text (delivery.ts): a write the screen did not confirm
 * is written again, with backoff, while it is still the present text; an idle screen is polled where the
 * protocol can. A protocol supplies its frame, its reply rule, its poll frame and how to name a failure.
 */
export abstract class BusScreen<R extends ReplyRule = ReplyRule> implements WindowScreen {
  private readonly gate = new ChangeGate();
  private readonly healthChanged = new Listeners<[ScreenHealth]>();
  private readonly delivery: DeliveryOptions;
  private readonly probeMs: number;
  private state: DeliveryState = initialDelivery;
  /** The layout of the present text, to write it again. */
  private presentLayout: ScreenLayout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private redrawTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  protected constructor(
    private readonly bus: BusPort,
    protected readonly log: Logger,
    private readonly opts: { key: string; id: number; label: string; maxLineChars?: number; timeoutMs?: number; retries?: number; upkeep?: UpkeepOptions },
  ) {
    const u = opts.upkeep ?? {};
    this.delivery = { offlineAfter: u.offlineAfter ?? DEFAULT_DELIVERY.offlineAfter, retry: u.retry ?? DEFAULT_DELIVERY.retry, redrawMs: u.redrawMs ?? DEFAULT_DELIVERY.redrawMs };
    this.probeMs = u.probeMs ?? DEFAULT_PROBE_MS;
  }

  show(content: ScreenContent, opts: { urgent: boolean }): Promise<void> {
    const layout = layoutScreen(content, this.opts.maxLineChars === undefined ? {} : { maxLineChars: this.opts.maxLineChars });
    const key = layoutKey(layout);
    this.presentLayout = layout;
    this.step({ type: 'asked', key, confirmed: this.gate.shows(key) });
    return this.gate.run(key, opts.urgent, () => this.write(layout, key, opts.urgent));
  }

  testPattern(): Promise<void> {
    return this.gate.run(TEST_PATTERN_KEY, false, () => this.write(testPatternLayout(this.opts.id), TEST_PATTERN_KEY, false));
  }

  forget(): void {
    this.gate.forget();
  }

  get health(): ScreenHealth {
    return this.state.health;
  }

  onHealth(listener: (health: ScreenHealth) => void): () => void {
    return this.healthChanged.add(listener);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.probeTimer);
    clearTimeout(this.redrawTimer);
  }

  /** The bytes show() would send for this layout (pure; for tests and the technician's dry run). */
  abstract frameFor(layout: ScreenLayout): Buffer;

  /** undefined: the screen sends no reply to this frame (a group address, a controller set not to answer). */
  protected abstract replyRule(frame: Buffer): R | undefined;

  /** The error to throw for a failed write (the bus's HallqError, with this screen's name added); `rule` is this write's. */
  protected abstract failure(err: HallqError, rule: R | undefined): Error;

  /** A status query the screen answers without changing what it shows (BX ping), or undefined: the protocol has none. */
  protected abstract probeFrame(): Buffer | undefined;

  /**
   * `again`: the present text written by the driver itself (delivery.ts WriteReason: after a failure or for a screen
   * that answered again at the refresh priority, a redraw with the keypads' polls; once: the backoff repeats it).
   */
  private async write(layout: ScreenLayout, key: string, urgent: boolean, again?: WriteReason): Promise<void> {
    const frame = this.frameFor(layout);
    this.log.debug({ frame: hex(frame), urgent, ...(again ? { again: true, why: again } : {}) }, `${this.opts.label} write`);
    const rule = this.replyRule(frame);
    try {
      await this.exchange(frame, rule, again ? writePriority(again) : screenPriority(urgent), again ? 0 : (this.opts.retries ?? 1));
    } catch (err) {
      const code = isHallqError(err) ? err.code : 'INTERNAL';
      this.log.warn({ code, ...(again ? { again: true, why: again } : {}) }, `${this.opts.label} screen write failed`);
      this.step({ type: 'written', key, outcome: { ok: false, code } });
      throw isHallqError(err) ? this.failure(err, rule) : err;
    }
    this.step({ type: 'written', key, outcome: { ok: true } });
  }

  /** `key`: the bus replaces a queued exchange with the same key; a poll has its own, so it never stands in for a text. */
  private exchange(frame: Buffer, rule: R | undefined, priority: BusPriority, retries: number, key = this.opts.key): Promise<Buffer | undefined> {
    return this.bus.exchange({
      frame,
      ...(rule
        ? {
            reply: rule.reply,
            check: (reply: Buffer) => {
              this.log.debug({ reply: hex(reply) }, `${this.opts.label} reply`);
              return rule.judge(reply);
            },
          }
        : {}),
      timeoutMs: this.opts.timeoutMs ?? 300,
      retries,
      priority,
      key,
    });
  }

  private step(e: DeliveryEvent): void {
    const { state, actions } = stepDelivery(this.state, e, this.delivery);
    this.state = state;
    for (const a of actions) {
      switch (a.type) {
        case 'write': {
          const layout = this.presentLayout;
          if (!layout || this.stopped) break;
          // The screen may have lost it (a poll went unanswered, power off and on): the gate must send it, not take
          // it as shown. Through the gate all the same: a write of the same text already on its way is shared, not doubled.
          this.gate.forget();
          this.gate.run(a.key, false, () => this.write(layout, a.key, false, a.why)).catch(() => undefined);
          break;
        }
        case 'retry-in':
          clearTimeout(this.retryTimer);
          if (this.stopped) break;
          this.retryTimer = setTimeout(() => this.step({ type: 'retry-due' }), a.ms);
          this.retryTimer.unref();
          break;
        case 'cancel-retry':
          clearTimeout(this.retryTimer);
          break;
        case 'redraw-in':
          clearTimeout(this.redrawTimer);
          if (this.stopped) break;
          this.redrawTimer = setTimeout(() => this.step({ type: 'redraw-due' }), a.ms);
          this.redrawTimer.unref();
          break;
        case 'cancel-redraw':
          clearTimeout(this.redrawTimer);
          break;
        case 'health':
          this.healthChanged.emit(a.health);
          break;
      }
    }
    this.armProbe();
  }

  /** A poll of the idle screen after probeMs without an exchange of its own; none while a text is owed (its writes ask). */
  private armProbe(): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    const frame = this.probeMs > 0 && !this.stopped && isIdle(this.state) ? this.probeFrame() : undefined;
    if (!frame) return;
    this.probeTimer = setTimeout(() => void this.probe(frame), this.probeMs);
    this.probeTimer.unref();
  }

  private async probe(frame: Buffer): Promise<void> {
    if (!isIdle(this.state) || this.stopped) return;
    this.log.debug({ frame: hex(frame) }, `${this.opts.label} probe`);
    try {
      await this.exchange(frame, this.replyRule(frame), PROBE_PRIORITY, 0, `${this.opts.key}#probe`);
    } catch (err) {
      const code = isHallqError(err) ? err.code : 'INTERNAL';
      this.log.warn({ code }, `${this.opts.label} screen did not answer its status poll`);
      this.step({ type: 'probed', outcome: { ok: false, code } });
      return;
    }
    this.step({ type: 'probed', outcome: { ok: true } });
  }
}
