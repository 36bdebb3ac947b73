import { isHallqError, type ErrorCode, type HallqError } from '../common/error.js';
import { hex, type Logger } from '../common/logger.js';
import type { BusPort, ReplyFramer } from '../rs485/bus-port.js';
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
 * What both screen protocols share: render content to a layout, send only changes (the change gate),
 * one exchange on the bus per write with the urgent priority for the called window and a coalescing
 * key per screen. A protocol supplies its frame, its reply rule and how to name a failure.
 */
export abstract class BusScreen<R extends ReplyRule = ReplyRule> implements WindowScreen {
  private readonly gate = new ChangeGate();

  protected constructor(
    private readonly bus: BusPort,
    protected readonly log: Logger,
    private readonly opts: { key: string; id: number; label: string; maxLineChars?: number; timeoutMs?: number; retries?: number },
  ) {}

  show(content: ScreenContent, opts: { urgent: boolean }): Promise<void> {
    const layout = layoutScreen(content, this.opts.maxLineChars === undefined ? {} : { maxLineChars: this.opts.maxLineChars });
    return this.gate.run(layoutKey(layout), opts.urgent, () => this.write(layout, opts.urgent));
  }

  testPattern(): Promise<void> {
    return this.gate.run(TEST_PATTERN_KEY, false, () => this.write(testPatternLayout(this.opts.id), false));
  }

  forget(): void {
    this.gate.forget();
  }

  /** The bytes show() would send for this layout (pure; for tests and the technician's dry run). */
  abstract frameFor(layout: ScreenLayout): Buffer;

  /** undefined: the screen sends no reply to this frame (a group address, a controller set not to answer). */
  protected abstract replyRule(frame: Buffer): R | undefined;

  /** The error to throw for a failed write (the bus's HallqError, with this screen's name added); `rule` is this write's. */
  protected abstract failure(err: HallqError, rule: R | undefined): Error;

  private async write(layout: ScreenLayout, urgent: boolean): Promise<void> {
    const frame = this.frameFor(layout);
    this.log.debug({ frame: hex(frame), urgent }, `${this.opts.label} write`);
    const rule = this.replyRule(frame);
    try {
      await this.bus.exchange({
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
        retries: this.opts.retries ?? 1,
        priority: screenPriority(urgent),
        key: this.opts.key,
      });
    } catch (err) {
      this.log.warn({ code: isHallqError(err) ? err.code : 'INTERNAL' }, `${this.opts.label} screen write failed`);
      throw isHallqError(err) ? this.failure(err, rule) : err;
    }
  }
}
