/**
 * Delivery of a screen's present text, and the screen's health (pure). A screen only answers when it is
 * written to (or, BX, pinged), so its health is the outcome of its last exchanges, and a write it did not
 * confirm is not given up: the present text (the newest asked for, never an older one) is written again after
 * a pause that grows with each failure in a row, until the screen confirms it or a newer text replaces it.
 * A screen that confirmed its present text is drawn again with it every `redrawMs` from that confirmation
 * (a controller powered off and on between two status polls comes back blank, and a ping that it answers
 * says nothing of what it shows), and one that answers again after failures is drawn again at once when what
 * it confirmed was not the present text.
 */
import type { ErrorCode } from '../common/error.js';
import { SCREEN_REDRAW_SECONDS } from './protocol-schemas.js';

export type ScreenHealth =
  | { state: 'unknown' }
  | { state: 'ok' }
  /** Fewer than `offlineAfter` exchanges in a row unconfirmed: the present text is being written again. */
  | { state: 'failing'; code: ErrorCode; failures: number }
  | { state: 'offline'; code: ErrorCode; failures: number };

export type Delivery =
  /** The screen confirmed the present text (or none was asked for yet). */
  | { type: 'confirmed' }
  /** A write of the present text is on its way. */
  | { type: 'pending' }
  /** The present text was not confirmed: it is written again when the pause is over. */
  | { type: 'retrying'; attempt: number };

export interface DeliveryState {
  /** The key of the newest text asked for (layout.ts layoutKey). */
  present: string | undefined;
  delivery: Delivery;
  health: ScreenHealth;
}

export type Outcome = { ok: true } | { ok: false; code: ErrorCode };

export type DeliveryEvent =
  /** show(): the newest text; `confirmed` when the screen is known to show it already (nothing is written). */
  | { type: 'asked'; key: string; confirmed: boolean }
  /** A write of `key` ended (a show, a retry or a test pattern). */
  | { type: 'written'; key: string; outcome: Outcome }
  /** A status poll of the idle screen ended. */
  | { type: 'probed'; outcome: Outcome }
  /** The pause after a failure is over. */
  | { type: 'retry-due' }
  /** redrawMs have passed since the screen confirmed its present text. */
  | { type: 'redraw-due' };

/**
 * Why the present text is written by the driver: `retry` after a pause that followed a failure; `answered`, the
 * screen answered again after failures but not with the present text; `redraw`, the periodic redraw of an idle screen.
 */
export type WriteReason = 'retry' | 'answered' | 'redraw';

export type DeliveryAction =
  /** Write the present text again (a retry or an answer at the refresh priority; a redraw with the keypads' polls). */
  | { type: 'write'; key: string; why: WriteReason }
  | { type: 'retry-in'; ms: number }
  | { type: 'cancel-retry' }
  /** (Re)start the redraw timer: redraw-due after ms. */
  | { type: 'redraw-in'; ms: number }
  | { type: 'cancel-redraw' }
  /** Said after every exchange's outcome, changed or not (a listener may have set its own view meanwhile). */
  | { type: 'health'; health: ScreenHealth };

export interface DeliveryOptions {
  /** Exchanges in a row that the screen did not confirm before it is offline (default 3). */
  offlineAfter: number;
  /** Pause before the first write again, doubling per failure in a row up to maxMs. */
  retry: { initialMs: number; maxMs: number };
  /** The present text written again this long after the screen last confirmed it, while nothing is owed; 0 = never (default 60 s). */
  redrawMs: number;
}

export const DEFAULT_REDRAW_MS = SCREEN_REDRAW_SECONDS * 1000;

export const DEFAULT_DELIVERY: DeliveryOptions = { offlineAfter: 3, retry: { initialMs: 1000, maxMs: 15_000 }, redrawMs: DEFAULT_REDRAW_MS };

export const initialDelivery: DeliveryState = { present: undefined, delivery: { type: 'confirmed' }, health: { state: 'unknown' } };

export function retryDelayMs(attempt: number, o: DeliveryOptions): number {
  return Math.min(o.retry.maxMs, o.retry.initialMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}

function failuresOf(h: ScreenHealth): number {
  return h.state === 'failing' || h.state === 'offline' ? h.failures : 0;
}

function failed(h: ScreenHealth, code: ErrorCode, o: DeliveryOptions): ScreenHealth {
  const failures = failuresOf(h) + 1;
  return failures >= o.offlineAfter ? { state: 'offline', code, failures } : { state: 'failing', code, failures };
}

export function stepDelivery(s: DeliveryState, e: DeliveryEvent, o: DeliveryOptions = DEFAULT_DELIVERY): { state: DeliveryState; actions: DeliveryAction[] } {
  const r = stepOwed(s, e, o);
  return { state: r.state, actions: [...r.actions, ...redrawTimer(s, e, r.state, o)] };
}

/** The redraw timer, from the change of delivery: started at a confirmation of the present text, stopped when it is owed. */
function redrawTimer(before: DeliveryState, e: DeliveryEvent, after: DeliveryState, o: DeliveryOptions): DeliveryAction[] {
  const confirmed = after.present !== undefined && after.delivery.type === 'confirmed';
  if (!confirmed) return before.delivery.type === 'confirmed' && before.present !== undefined ? [{ type: 'cancel-redraw' }] : [];
  if (o.redrawMs <= 0) return [];
  // Timed from the screen's last confirmation of the present text: a write of it confirmed, or a show() of the
  // text the screen is known to show when it was not the confirmed present one (an asked-for text already up
  // keeps the timer running from its own confirmation).
  const writtenNow = e.type === 'written' && e.outcome.ok && e.key === after.present;
  const takenAsShown = e.type === 'asked' && !(before.present === after.present && before.delivery.type === 'confirmed');
  return writtenNow || takenAsShown ? [{ type: 'redraw-in', ms: o.redrawMs }] : [];
}

function stepOwed(s: DeliveryState, e: DeliveryEvent, o: DeliveryOptions): { state: DeliveryState; actions: DeliveryAction[] } {
  switch (e.type) {
    case 'asked': {
      // A newer text replaces the pending one: the pause for the older is dropped, the caller's write goes out.
      const actions: DeliveryAction[] = s.delivery.type === 'retrying' ? [{ type: 'cancel-retry' }] : [];
      return { state: { ...s, present: e.key, delivery: e.confirmed ? { type: 'confirmed' } : { type: 'pending' } }, actions };
    }
    case 'written':
    case 'probed': {
      const mine = e.type === 'written' && e.key === s.present;
      if (e.outcome.ok) {
        const health: ScreenHealth = { state: 'ok' };
        if (!mine) {
          // A confirmed poll or older text proves the screen alive, not that it shows the present one. One that was
          // failing may have lost its text (power off and on): unless a write of the present text is on its way,
          // it is written at once, not after the rest of a pause.
          const wasFailing = s.health.state === 'failing' || s.health.state === 'offline';
          if (!wasFailing || s.present === undefined || s.delivery.type === 'pending') return { state: { ...s, health }, actions: [{ type: 'health', health }] };
          const cancel: DeliveryAction[] = s.delivery.type === 'retrying' ? [{ type: 'cancel-retry' }] : [];
          return { state: { ...s, health, delivery: { type: 'pending' } }, actions: [...cancel, { type: 'write', key: s.present, why: 'answered' }, { type: 'health', health }] };
        }
        const actions: DeliveryAction[] = s.delivery.type === 'retrying' ? [{ type: 'cancel-retry' }, { type: 'health', health }] : [{ type: 'health', health }];
        return { state: { ...s, health, delivery: { type: 'confirmed' } }, actions };
      }
      const health = failed(s.health, e.outcome.code, o);
      // An unanswered poll: the screen may have lost power, and its text with it.
      if ((e.type === 'written' && !mine) || s.present === undefined) return { state: { ...s, health }, actions: [{ type: 'health', health }] };
      const attempt = failuresOf(health);
      return {
        state: { ...s, health, delivery: { type: 'retrying', attempt } },
        actions: [{ type: 'retry-in', ms: retryDelayMs(attempt, o) }, { type: 'health', health }],
      };
    }
    case 'retry-due':
      if (s.delivery.type !== 'retrying' || s.present === undefined) return { state: s, actions: [] };
      return { state: { ...s, delivery: { type: 'pending' } }, actions: [{ type: 'write', key: s.present, why: 'retry' }] };
    case 'redraw-due':
      // Never while a write of the present text is on its way or waiting out a pause: that one draws it.
      if (s.delivery.type !== 'confirmed' || s.present === undefined || o.redrawMs <= 0) return { state: s, actions: [] };
      return { state: { ...s, delivery: { type: 'pending' } }, actions: [{ type: 'write', key: s.present, why: 'redraw' }] };
  }
}

/** Nothing owed: the present text is confirmed, so a status poll (where the protocol has one) is all the screen needs. */
export function isIdle(s: DeliveryState): boolean {
  return s.present !== undefined && s.delivery.type === 'confirmed';
}
