/**
 * What both screen emulators share: the view ("what the screen shows now"), its change event,
 * and the run-time faults (a slow reply becomes a DelayedReply for the line to honour).
 */
import { silentLogger, type Logger } from '../common/logger.js';
import { Listeners } from '../common/transport.js';
import type { DelayedReply } from '../rs485/bus-device.js';
import type { ShownColour } from './layout.js';

export type ScreenFault =
  | { type: 'none' }
  /** The screen hears but never answers (and shows nothing: it is as good as dead). */
  | { type: 'no-reply' }
  /** The screen shows the text but its reply is corrupted on the way back. */
  | { type: 'bad-reply-checksum' }
  /** The screen says our frame was corrupt (external call: return code 01; BX: error 05). */
  | { type: 'nak-checksum' }
  /** The screen says packets came out of order (external call: 02; BX: error 16, file block number). */
  | { type: 'nak-sequence' }
  /** The screen shows the text and answers after delayMs (later than the driver's timeout = a timeout). */
  | { type: 'slow-reply'; delayMs: number }
  /**
   * The screen loses power (its RS-485 line stays up): dark at once, it hears nothing and says nothing, and a
   * reply it was sending stops where it got to (the line emulator asks powerEpoch()). Any other fault set
   * afterwards powers it up again: blank (its text was in RAM), with a fresh receiver (a frame begun while it
   * was off is not taken).
   */
  | { type: 'power-off' };

export type ShownEffect = 'static' | 'scroll-left' | 'other';

export interface ScreenView {
  /** Decoded text, colour codes removed. */
  text: string;
  runs: Array<{ colour: ShownColour; text: string }>;
  effect: ShownEffect;
  /** How many texts the screen accepted since it started. */
  updates: number;
}

export const BLANK_VIEW: ScreenView = { text: '', runs: [], effect: 'static', updates: 0 };

export abstract class ScreenEmulatorBase {
  abstract readonly name: string;
  protected fault: ScreenFault = { type: 'none' };
  private current: ScreenView = BLANK_VIEW;
  private readonly changed = new Listeners<[ScreenView]>();
  /** Frames addressed to this screen, as heard (for tests and the technician's log). */
  received = 0;

  constructor(protected readonly log: Logger = silentLogger) {}

  private powerUps = 0;

  /** Switch a fault on or off at run time. */
  setFault(fault: ScreenFault): void {
    const wasOff = this.fault.type === 'power-off';
    this.fault = fault;
    this.log.info({ emulator: this.name, fault: fault.type }, 'screen emulator fault set');
    if (fault.type === 'power-off' && !wasOff) this.blank();
    if (fault.type !== 'power-off' && wasOff) {
      this.powerUps++;
      this.powerUp();
    }
  }

  /** Which power-up the screen is in (0 from the start), undefined while it has no power (EmulatedBusDevice). */
  powerEpoch(): number | undefined {
    return this.fault.type === 'power-off' ? undefined : this.powerUps;
  }

  /** No power: nothing is heard (the framer is reset at power-up). */
  protected get powered(): boolean {
    return this.fault.type !== 'power-off';
  }

  /** Powered up again: the receiver starts fresh, partial commands are gone. */
  protected abstract powerUp(): void;

  get view(): ScreenView {
    return this.current;
  }

  /** Fires when what the screen shows changes. Returns an unsubscribe function. */
  onChange(listener: (view: ScreenView) => void): () => void {
    return this.changed.add(listener);
  }

  /** Resolves on the next change of what the screen shows. */
  nextChange(): Promise<ScreenView> {
    return new Promise((resolve) => {
      const off = this.onChange((v) => {
        off();
        resolve(v);
      });
    });
  }

  protected display(view: Omit<ScreenView, 'updates'>): void {
    const next = { ...view, updates: this.current.updates + 1 };
    const same = next.text === this.current.text && next.effect === this.current.effect && JSON.stringify(next.runs) === JSON.stringify(this.current.runs);
    this.current = next;
    // Screen text stays at debug: it may hold (masked) names.
    this.log.debug({ emulator: this.name, text: next.text, effect: next.effect }, 'screen shows');
    if (!same) this.changed.emit(next);
  }

  /** A dark panel: no text, no change counted as accepted. */
  private blank(): void {
    this.current = { ...BLANK_VIEW, updates: this.current.updates };
    this.changed.emit(this.current);
  }

  /** Apply the slow-reply fault. */
  protected answer(replies: Buffer[]): Array<Buffer | DelayedReply> {
    const f = this.fault;
    return f.type === 'slow-reply' ? replies.map((bytes) => ({ bytes, delayMs: f.delayMs })) : replies;
  }
}
