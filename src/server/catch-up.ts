import type { HallEvent, HallState } from '../core/index.js';
import { fillPage, jsonBytes, splitText } from '../bus/paging.js';

/**
 * The two answers that grow with the day, cut to fit the message cap (docs/mqtt.md, "Paging").
 * The rest of an answer (its id, status and the other fields) is bounded by RESERVE.
 */

/** Bytes kept for the answer around a chunk or a page: the request id (≤ 100 characters, each up to 6 bytes escaped) and the envelope. */
export const RESERVE = 1024;

export interface StatePart {
  seq: number;
  part: number;
  parts: number;
  chunk: string;
}

/**
 * The state's JSON, serialised once per seq and cut into parts of at most `maxBytes - RESERVE`
 * bytes each. Keeps the last few seqs, so an agent fetching parts while the hall moves on finishes
 * its snapshot; an older seq is gone and the agent starts again.
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

export interface EventsPage {
  events: HallEvent[];
  lastSeq: number;
  /** More events follow after the last one given: ask again from there. */
  more: boolean;
  /** The next event alone is larger than a message may be: load the state instead (type "state"). */
  resync: boolean;
}

/**
 * The events after `after`, read from `read` (at most `limit`), as many as fit in one answer of
 * `maxBytes` with RESERVE for its envelope. Whole events only, in seq order.
 */
export function eventsPage(read: (after: number, limit: number) => HallEvent[], after: number, limit: number, lastSeq: number, maxBytes: number): EventsPage {
  const events = read(after, limit);
  const envelope = jsonBytes({ events: [], lastSeq, more: false, resync: false }) + RESERVE;
  const n = fillPage(
    events.map((e) => jsonBytes(e)),
    envelope,
    maxBytes,
  );
  const given = events.slice(0, n);
  const next = (given.at(-1)?.seq ?? after) < lastSeq;
  return { events: given, lastSeq, more: next, resync: n === 0 && events.length > 0 };
}
