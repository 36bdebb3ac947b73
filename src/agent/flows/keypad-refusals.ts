import { Listeners } from '../../../drivers/common/transport.js';
import type { KeyName } from '../../../drivers/keypad/codec.js';
import type { Outcome } from '../../core/index.js';

/** What a caller keypad reported, as the caller flow reads it: a key, a number typed and enter, a grade, or a frame that names nothing. */
export type KeypadInput = KeyName | 'login' | 'rating' | 'unrecognised';

/** A refusal: its code and the words staff read, Chinese and English (as the core's). */
export type Refusal = Extract<Outcome, { ok: false }>;

/** A keypad input the caller flow answered itself with a refusal, sending no command for it. */
export interface KeyRefused {
  window: number;
  input: KeypadInput;
  outcome: Refusal;
}

/**
 * The caller flow's own refusals (src/agent/flows/caller.ts): a key it sends no command for (a staff
 * number nobody has, a transfer with nobody being served, a key with no function) is refused, never
 * dropped: the keypad beeps, the log says the code, and listeners hear it (the demo's console echoes it).
 * One per agent, kept across a reload of its devices.
 */
export class KeypadRefusals {
  private readonly listeners = new Listeners<[KeyRefused]>();

  on(fn: (r: KeyRefused) => void): () => void {
    return this.listeners.add(fn);
  }

  emit(r: KeyRefused): void {
    this.listeners.emit(r);
  }
}
