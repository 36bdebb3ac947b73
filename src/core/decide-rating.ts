import type { CommandOf } from './commands.js';
import { accept, reject, type Decision } from './decision.js';
import type { HallConfig } from './model.js';
import type { HallState, Ticket } from './state.js';
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

export function decideRequestRating(state: HallState, config: HallConfig, cmd: CommandOf<'RequestRating'>, now: number): Decision {
  const t = ratable(state, config, cmd.window, now);
  if (t === undefined) return reject('rating-nothing');
  if (t === 'expired') return reject('rating-expired');
  if (Object.values(state.ratings).some((r) => r.ticketId === t.id)) return reject('rating-duplicate');
  return accept([{ type: 'RatingRequested', window: cmd.window, ticketId: t.id }], t.id);
}

export function decideRate(state: HallState, config: HallConfig, cmd: CommandOf<'Rate'>, now: number): Decision {
  if (cmd.source !== 'rating-device') return reject('rating-source');
  const t = ratable(state, config, cmd.window, now);
  if (t === undefined) return reject('rating-nothing');
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

export function decideFollowUp(state: HallState, cmd: CommandOf<'FollowUp'>): Decision {
  const r = own(state.ratings, cmd.ratingId);
  if (!r) return reject('unknown-rating', cmd.ratingId);
  if (r.followUp?.status !== 'open') return reject('follow-up-closed');
  return accept([{ type: 'RatingFollowedUp', ratingId: r.id, note: cmd.note }]);
}
