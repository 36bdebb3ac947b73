import type { HallState } from '../core/index.js';

/**
 * Keeping every MQTT message below a byte cap (the broker drops a client that sends a packet above
 * its max_packet_size: config/mosquitto.conf sets 262144). Two tools: fill a page with whole items
 * by bytes, and cut a long JSON text into parts a receiver joins again. Sizes are UTF-8 bytes of
 * the JSON payload; the MQTT header and topic come on top, hence the default well under the cap.
 */

/** Default cap of one payload in bytes (128 KiB): half of the shipped broker's max_packet_size. */
export const DEFAULT_MAX_MESSAGE_BYTES = 131_072;
/** The smallest cap accepted: room for any single command, answer or view of a normal hall. */
export const MIN_MAX_MESSAGE_BYTES = 16_384;

/** UTF-8 bytes of the JSON text of `value`. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * How many of `itemBytes` (each item's JSON size, in order) fit in one page: an envelope of
 * `envelopeBytes` (the page with an empty list) plus the items and the commas between them,
 * at most `maxBytes` in all. 0 when even the first item does not fit.
 */
export function fillPage(itemBytes: readonly number[], envelopeBytes: number, maxBytes: number): number {
  let total = envelopeBytes;
  let n = 0;
  for (const b of itemBytes) {
    const next = total + b + (n > 0 ? 1 : 0);
    if (next > maxBytes) break;
    total = next;
    n++;
  }
  return n;
}

/** Bytes a code point takes inside a JSON string literal (escapes included). */
function escapedBytes(cp: number): number {
  if (cp === 0x22 || cp === 0x5c) return 2; // \" \\
  if (cp < 0x20) return cp === 0x08 || cp === 0x09 || cp === 0x0a || cp === 0x0c || cp === 0x0d ? 2 : 6;
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp >= 0xd800 && cp <= 0xdfff) return 6; // a lone surrogate: JSON.stringify writes \udxxx
  if (cp < 0x10000) return 3;
  return 4;
}

/**
 * Cuts `text` into parts whose JSON string literals (quotes excluded) are each at most
 * `maxBytes` UTF-8 bytes, never inside a code point; `parts.join('') === text`. At least one
 * part (an empty text gives ['']). Throws RangeError for maxBytes < 6 (one escaped character).
 */
export function splitText(text: string, maxBytes: number): string[] {
  if (!(maxBytes >= 6)) throw new RangeError(`splitText: maxBytes ${maxBytes} is below one escaped character`);
  const parts: string[] = [];
  let start = 0;
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    const b = escapedBytes(cp);
    if (bytes + b > maxBytes) {
      parts.push(text.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += b;
    i += width;
  }
  parts.push(text.slice(start));
  return parts;
}

/** Bytes kept for the answer around a chunk or a page: the request id (≤ 100 characters, each up to 6 bytes escaped) and the envelope. */
export const RESERVE = 1024;

export interface StatePart {
  seq: number;
  part: number;
  parts: number;
  chunk: string;
}

/**
 * The state's JSON, serialised once per seq and cut into parts of at most `maxBytes - RESERVE` bytes
 * each: the server's for an agent's catch-up, and the acting agent's for an agent that joins a running
 * island (README "Island mode"). Keeps the last few seqs, so an agent fetching parts while the hall
 * moves on finishes its snapshot; an older seq is gone and the agent starts again.
 */
export class StatePager {
  private readonly cache = new Map<number, string[]>();

  constructor(
    private readonly maxBytes: number,
    private readonly keep = 3,
  ) {}

  /** Part `part` of the state at `seq` (undefined: the current one). undefined when that seq is no longer kept, or the part does not exist. */
  part(state: HallState, part: number, seq?: number): StatePart | undefined {
    const at = seq ?? state.seq;
    let parts = this.cache.get(at);
    if (!parts && at === state.seq) {
      parts = splitText(JSON.stringify(state), this.maxBytes - RESERVE);
      this.cache.set(at, parts);
      for (const k of this.cache.keys()) if (this.cache.size > this.keep) this.cache.delete(k);
    }
    const chunk = parts?.[part];
    if (!parts || chunk === undefined) return undefined;
    return { seq: at, part, parts: parts.length, chunk };
  }
}
