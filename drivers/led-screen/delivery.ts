/**
 * Delivery of a screen's present text, and the screen's health (pure). A screen only answers when it is
 * written to (or, BX, pinged), so its health is the outcome of its last exchanges, and a write it did not
 * confirm is not given up: the present text (the newest asked for, never an older one) is written again after
 * a pause that grows with each failure in a row, until the screen confirms it or a newer text replaces it.
 */
import type { ErrorCode } from '../common/error.js';

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
  | { type: 'retry-due' };

export type DeliveryAction =
  /** Write the present text again, at the refresh priority. */
  | { type: 'write'; key: string }
  | { type: 'retry-in'; ms: number }
  | { type: 'cancel-retry' }
  /** Said after every exchange's outcome, changed or not (a listener may have set its own view meanwhile). */
  | { type: 'health'; health: ScreenHealth };

export interface DeliveryOptions {
  /** Exchanges in a row that the screen did not confirm before it is offline (default 3). */
  offlineAfter: number;
  /** Pause before the first write again, doubling per failure in a row up to maxMs. */
  retry: { initialMs: number; maxMs: number };
}

export const DEFAULT_DELIVERY: DeliveryOptions = { offlineAfter: 3, retry: { initialMs: 1000, maxMs: 15_000 } };

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
  switch (e.type) {
    case 'asked': {
      // A newer text replaces the pending one: the pause for the older is dropped, the caller's write goes out.
      const actions: DeliveryAction[] = s.delivery.type === 'retrying' ? [{ type: 'cancel-retry' }] : [];
      return { state: { ...s, present: e.key, delivery: e.confirmed ? { type: 'confirmed' } : { type: 'pending' } }, actions };
    }
    case 'written':
    case 'probed': {
      const mine = e.type === 'probed' || e.key === s.present;
      if (e.outcome.ok) {
        const health: ScreenHealth = { state: 'ok' };
        // A confirmed older text proves the screen alive, not that it shows the present one.
        if (e.type === 'probed' || !mine) return { state: { ...s, health }, actions: [{ type: 'health', health }] };
        const actions: DeliveryAction[] = s.delivery.type === 'retrying' ? [{ type: 'cancel-retry' }, { type: 'health', health }] : [{ type: 'health', health }];
        return { state: { ...s, health, delivery: { type: 'confirmed' } }, actions };
      }
      const health = failed(s.health, e.outcome.code, o);
      // An unanswered poll: the screen may have lost power, and its text with it.
      if (!mine || s.present === undefined) return { state: { ...s, health }, actions: [{ type: 'health', health }] };
      const attempt = failuresOf(health);
      return {
        state: { ...s, health, delivery: { type: 'retrying', attempt } },
        actions: [{ type: 'retry-in', ms: retryDelayMs(attempt, o) }, { type: 'health', health }],
      };
    }
    case 'retry-due':
      if (s.delivery.type !== 'retrying' || s.present === undefined) return { state: s, actions: [] };
      return { state: { ...s, delivery: { type: 'pending' } }, actions: [{ type: 'write', key: s.present }] };
  }
}

/** Nothing owed: the present text is confirmed, so a status poll (where the protocol has one) is all the screen needs. */
export function isIdle(s: DeliveryState): boolean {
  return s.present !== undefined && s.delivery.type === 'confirmed';
}
