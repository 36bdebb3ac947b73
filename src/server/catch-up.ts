import type { HallEvent } from '../core/index.js';
import { fillPage, jsonBytes, RESERVE } from '../bus/paging.js';

/**
 * The two answers that grow with the day, cut to fit the message cap (docs/mqtt.md, "Paging").
 * The rest of an answer (its id, status and the other fields) is bounded by RESERVE.
 */

export { RESERVE, StatePager, type StatePart } from '../bus/paging.js';

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

/** Catch-up requests (events, state) one agent may have waiting for their answer; one more is refused `BUSY`. */
export const CATCH_UP_WAITING = 4;

/**
 * The answers that grow with the day (events pages, state parts), made one at a time on later turns
 * of the event loop (setImmediate between two), taking the agents in turn: an agent asking for many
 * at once gets its answers no faster, and commands, HTTP and the other agents' answers run between
 * them. The agent's link asks for one at a time; a request that would make more than `perClient`
 * waiting for one agent is refused (add returns 'full': answer it BUSY). A repeat of a request id
 * still waiting (the link's resend after its timeout) is not queued twice: the first's answer answers it.
 */
export class CatchUpQueue {
  /** Per agent, its waiting answers in arrival order; the Map's order is the turn (an agent served goes last). */
  private readonly lanes = new Map<string, { id: string; answer: () => void }[]>();
  private scheduled = false;

  constructor(private readonly perClient = CATCH_UP_WAITING) {}

  add(client: string, id: string, answer: () => void): 'queued' | 'repeat' | 'full' {
    const lane = this.lanes.get(client) ?? [];
    if (lane.some((j) => j.id === id)) return 'repeat';
    if (lane.length >= this.perClient) return 'full';
    lane.push({ id, answer });
    this.lanes.set(client, lane);
    this.schedule();
    return 'queued';
  }

  /** Forgets every waiting answer (the server stops: the agents ask again). */
  clear(): void {
    this.lanes.clear();
  }

  private schedule(): void {
    if (this.scheduled || this.lanes.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.next();
    });
  }

  /** One answer, of the agent whose turn it is; the rest on a later turn of the loop. */
  private next(): void {
    const first = this.lanes.entries().next();
    if (first.done) return;
    const [client, lane] = first.value;
    const job = lane.shift();
    this.lanes.delete(client);
    if (lane.length > 0) this.lanes.set(client, lane);
    try {
      job?.answer();
    } finally {
      this.schedule();
    }
  }
}
