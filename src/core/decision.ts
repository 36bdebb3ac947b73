import type { EventBody } from './events.js';
import { rejected, rejectedOwn, type InfoCode, type Outcome } from './outcome.js';
import type { RejectionCode } from './rejections.js';

/** What a command decides: the events to append and the answer to give. */
export interface Decision {
  events: EventBody[];
  outcome: Outcome;
}

/** A refusal; its detail (when given) echoes the command's input (an id that does not exist, text it carried). */
export function reject(code: RejectionCode, detail?: string): Decision {
  return { events: [], outcome: rejected(code, detail) };
}

/** A refusal whose detail is made of the hall's own values (rejectedOwn). */
export function rejectOwn(code: RejectionCode, detail: string): Decision {
  return { events: [], outcome: rejectedOwn(code, detail) };
}

/** A ticket's refusal detail: its id and where it stands (`20261123-A012 is done`), both the hall's own. */
export function ticketStands(t: { id: string; status: string }): string {
  return `${t.id} is ${t.status}`;
}

export function accept(events: EventBody[], ticketId?: string, info?: InfoCode): Decision {
  return { events, outcome: { ok: true, ...(ticketId === undefined ? {} : { ticketId }), ...(info === undefined ? {} : { info }) } };
}
