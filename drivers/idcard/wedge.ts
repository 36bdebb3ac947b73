/**
 * Keyboard-wedge readers type the 18-character ID number and Enter. This assembles keystrokes
 * into numbers. Pure: the caller passes the time of each key, so tests need no clock.
 * The check digit is not validated here (src/core owns GB 11643); only the shape is.
 */

export type WedgeOutput =
  | { type: 'id-number'; idNumber: string }
  /** Enter after something that is not an ID number; the content is withheld (it may be personal). */
  | { type: 'rejected'; length: number };

export interface WedgeOptions {
  /** Keys further apart than this belong to different inputs (default 300 ms: a reader types far faster than a person). */
  idleMs?: number;
  /** Input longer than this is junk and is cut (default 64). */
  maxLength?: number;
}

const ID_SHAPE = /^\d{17}[\dX]$/;
const ENTER = new Set(['Enter', 'NumpadEnter', '\r', '\n']);

export class WedgeLineAssembler {
  private buffer = '';
  private lastAt: number | undefined;
  private readonly idleMs: number;
  private readonly maxLength: number;

  constructor(options: WedgeOptions = {}) {
    this.idleMs = options.idleMs ?? 300;
    this.maxLength = options.maxLength ?? 64;
  }

  /** Characters held so far. */
  get pending(): number {
    return this.buffer.length;
  }

  /**
   * One keystroke: a single character, or a key name such as 'Enter' (DOM KeyboardEvent.key).
   * Other key names (Shift, …) are ignored.
   */
  key(key: string, at: number): WedgeOutput | undefined {
    if (this.lastAt !== undefined && at - this.lastAt > this.idleMs) this.buffer = '';
    this.lastAt = at;
    if (ENTER.has(key)) {
      const line = this.buffer;
      this.buffer = '';
      if (line.length === 0) return undefined;
      return ID_SHAPE.test(line) ? { type: 'id-number', idNumber: line } : { type: 'rejected', length: line.length };
    }
    if ([...key].length !== 1) return undefined;
    if (this.buffer.length < this.maxLength) this.buffer += key === 'x' ? 'X' : key;
    return undefined;
  }

  /** A run of characters arriving together (a tty in raw mode), all stamped `at`. */
  text(text: string, at: number): WedgeOutput[] {
    const out: WedgeOutput[] = [];
    for (const ch of text) {
      const r = this.key(ch, at);
      if (r) out.push(r);
    }
    return out;
  }

  /** Drops partial input if the reader has been idle; call from a timer so stale input never lingers. */
  expire(now: number): void {
    if (this.lastAt !== undefined && now - this.lastAt > this.idleMs) {
      this.buffer = '';
      this.lastAt = undefined;
    }
  }
}
