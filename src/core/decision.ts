import type { EventBody } from './events.js';
import { rejected, type InfoCode, type Outcome } from './outcome.js';
import type { RejectionCode } from './rejections.js';

/** What a command decides: the events to append and the answer to give. */
export interface Decision {
  events: EventBody[];
  outcome: Outcome;
}

export function reject(code: RejectionCode, detail?: string): Decision {
  return { events: [], outcome: rejected(code, detail) };
}

export function accept(events: EventBody[], ticketId?: string, info?: InfoCode): Decision {
  return { events, outcome: { ok: true, ...(ticketId === undefined ? {} : { ticketId }), ...(info === undefined ? {} : { info }) } };
}
