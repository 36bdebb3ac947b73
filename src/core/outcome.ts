import type { Lang } from './model.js';
import { rejectionMessages, type RejectionCode } from './rejections.js';

/** The answer to a command. A repeated command id gets the same answer again. */
export type Outcome =
  | { ok: true; ticketId?: string; info?: InfoCode }
  | {
      ok: false;
      code: RejectionCode;
      message: Lang;
      detail?: string;
      /**
       * The detail is the hall's own values (a ticket id and its status, numbers, windows, services of
       * the config), made by the core, not an echo of what the sender wrote: it may be shown as it is.
       * Absent (every echo, and every outcome of a log written before it existed): the detail is worded
       * like any refused value where it leaves the server (src/bus/public-outcome.ts).
       */
      detailOwn?: true;
    };

/** Successful outcomes that did nothing visible. */
export type InfoCode = 'queue-empty' | 'already-open' | 'already-paused' | 'not-paused' | 'appointment-late' | 'island-renumbered';

/** A refusal; its detail (when given) echoes the sender's input. */
export function rejected(code: RejectionCode, detail?: string): Outcome {
  return detail === undefined ? { ok: false, code, message: rejectionMessages[code] } : { ok: false, code, message: rejectionMessages[code], detail };
}

/** A refusal whose detail is the hall's own values only (a ticket id that exists, its status, a window number): never an echo of the input. */
export function rejectedOwn(code: RejectionCode, detail: string): Outcome {
  return { ok: false, code, message: rejectionMessages[code], detail, detailOwn: true };
}
