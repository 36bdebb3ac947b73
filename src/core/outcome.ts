import type { Lang } from './model.js';
import { rejectionMessages, type RejectionCode } from './rejections.js';

/** The answer to a command. A repeated command id gets the same answer again. */
export type Outcome =
  | { ok: true; ticketId?: string; info?: InfoCode }
  | { ok: false; code: RejectionCode; message: Lang; detail?: string };

/** Successful outcomes that did nothing visible. */
export type InfoCode = 'queue-empty' | 'already-open' | 'already-paused' | 'not-paused' | 'appointment-late' | 'island-renumbered';

export function rejected(code: RejectionCode, detail?: string): Outcome {
  return detail === undefined ? { ok: false, code, message: rejectionMessages[code] } : { ok: false, code, message: rejectionMessages[code], detail };
}
