import type { CommandOf } from './commands.js';
import { accept, reject, rejectOwn, ticketStands, type Decision } from './decision.js';
import type { HallConfig } from './model.js';
import type { HallState, Ticket } from './state.js';
import { maskNumbersInText } from './mask.js';
import { own } from './own.js';

/**
 * 好差评: the citizen rates on the keypad facing them; staff may never rate for the citizen
 * (the source is set by the edge from the device the command came from, not by the sender).
 */

/** The ticket a rating at this window would attach to: the one being served, or the last one served within the time limit. */
function ratable(state: HallState, config: HallConfig, window: number, now: number): Ticket | 'expired' | undefined {
  const win = own(state.windows, String(window));
  if (!win) return undefined;
  const current = win.current === undefined ? undefined : own(state.tickets, win.current);
  if (current && (current.status === 'called' || current.status === 'serving')) return current;
  const last = win.lastServed;
  if (!last) return undefined;
  const t = own(state.tickets, last.ticketId);
  if (!t) return undefined;
  if (now - last.at > config.policy.ratingTimeoutSeconds * 1000) return 'expired';
  return t;
}

/**
 * Why a window has nothing to rate: closed (worded as every key on a closed window is) or simply no
 * service lately. A closed window that served someone within the rating timeout still takes the rating.
 */
function nothingToRate(state: HallState, window: number): 'window-closed' | 'rating-nothing' {
  return (own(state.windows, String(window))?.status ?? 'closed') === 'closed' ? 'window-closed' : 'rating-nothing';
}

export function decideRequestRating(state: HallState, config: HallConfig, cmd: CommandOf<'RequestRating'>, now: number): Decision {
  const t = ratable(state, config, cmd.window, now);
  if (t === undefined) return reject(nothingToRate(state, cmd.window));
  if (t === 'expired') return reject('rating-expired');
  if (Object.values(state.ratings).some((r) => r.ticketId === t.id)) return reject('rating-duplicate');
  return accept([{ type: 'RatingRequested', window: cmd.window, ticketId: t.id }], t.id);
}

export function decideRate(state: HallState, config: HallConfig, cmd: CommandOf<'Rate'>, now: number): Decision {
  if (cmd.source !== 'rating-device') return reject('rating-source');
  const t = ratable(state, config, cmd.window, now);
  if (t === undefined) return reject(nothingToRate(state, cmd.window));
  if (t === 'expired') return reject('rating-expired');
  const id = `R-${t.id}`;
  if (own(state.ratings, id)) return reject('rating-duplicate');
  const staffId = own(state.windows, String(cmd.window))?.lastServed?.ticketId === t.id ? own(state.windows, String(cmd.window))?.lastServed?.staffId : t.staffId;
  return accept(
    [
      {
        type: 'RatingRecorded',
        rating: { id, ticketId: t.id, number: t.number, serviceId: t.serviceId, window: cmd.window, grade: cmd.grade, at: now, ...(staffId === undefined ? {} : { staffId }) },
      },
    ],
    t.id,
  );
}

/** Longest comment kept from the off-site rating page. */
export const RATING_COMMENT_MAX = 200;

/**
 * 离场评价 (Songjiang §6.6.1.1): the citizen who left without rating rates from the SMS link. Bound
 * like a keypad rating to the ticket, the window that served it and that window's staff; once per
 * ticket whichever way (the same rating id); only a served ticket, only until the link's expiry.
 */
export function decideRateOffsite(state: HallState, cmd: CommandOf<'RateOffsite'>, now: number): Decision {
  if (cmd.source !== 'offsite-link') return reject('rating-source');
  const t = own(state.tickets, cmd.ticketId);
  // Yesterday's tickets are gone from the state: the link ends with the day at the latest.
  if (!t) return reject('rating-expired');
  if (now > cmd.expiresAt) return reject('rating-expired');
  if (t.status !== 'done' || t.window === undefined) return rejectOwn('rating-not-served', ticketStands(t));
  const id = `R-${t.id}`;
  if (own(state.ratings, id)) return reject('rating-duplicate');
  // Numbers a citizen typed (their phone, an ID) are kept masked only (DESIGN §8).
  const comment = maskNumbersInText((cmd.comment ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim()).slice(0, RATING_COMMENT_MAX);
  return accept(
    [
      {
        type: 'RatingRecorded',
        rating: {
          id,
          ticketId: t.id,
          number: t.number,
          serviceId: t.serviceId,
          window: t.window,
          grade: cmd.grade,
          at: now,
          channel: 'offsite',
          ...(t.staffId === undefined ? {} : { staffId: t.staffId }),
          ...(comment === '' ? {} : { comment }),
        },
      },
    ],
    t.id,
  );
}

/**
 * A follow-up record of a bad rating (Songjiang §6.6.1.3): first the reply (回复, closes it), then at
 * most one determination: a rectification (整改) or a not-true determination (不属实认定, with its reason).
 */
export function decideFollowUp(state: HallState, cmd: CommandOf<'FollowUp'>): Decision {
  const r = own(state.ratings, cmd.ratingId);
  if (!r) return reject('unknown-rating', cmd.ratingId);
  const f = r.followUp;
  if (!f) return reject('follow-up-not-bad');
  const kind = cmd.kind ?? 'reply';
  const note = maskNumbersInText(cmd.note.trim());
  const reason = maskNumbersInText((cmd.reason ?? '').trim());
  if (kind === 'reply') {
    if (f.status !== 'open') return reject('follow-up-closed');
  } else {
    if (!f.reply && f.status === 'open') return reject('follow-up-reply-first');
    if (f.rectification || f.untrue) return reject('follow-up-determined');
    if (kind === 'untrue' && reason === '') return reject('follow-up-reason');
  }
  if (note === '') return reject('follow-up-note');
  return accept([
    {
      type: 'RatingFollowedUp',
      ratingId: r.id,
      note,
      kind,
      ...(kind === 'untrue' ? { reason } : {}),
      ...(cmd.staffId === undefined ? {} : { staffId: cmd.staffId }),
    },
  ]);
}
