// The delivery machine (drivers/led-screen/delivery.ts) over any order of asks, outcomes, pauses and redraws:
// only the present text is ever written again, health follows the failures in a row, the pauses are bounded,
// an idle screen is redrawn from its last confirmation and never while a write is owed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialDelivery, retryDelayMs, stepDelivery, type DeliveryAction, type DeliveryEvent, type DeliveryOptions, type DeliveryState, type Outcome } from '../../../drivers/led-screen/delivery.js';

const o: DeliveryOptions = { offlineAfter: 3, retry: { initialMs: 1000, maxMs: 15_000 }, redrawMs: 60_000 };
const keys = ['A', 'B', 'C'];
const outcome: fc.Arbitrary<Outcome> = fc.oneof(fc.constant<Outcome>({ ok: true }), fc.constantFrom<Outcome>({ ok: false, code: 'DEVICE_TIMEOUT' }, { ok: false, code: 'DEVICE_NAK' }));
const event: fc.Arbitrary<DeliveryEvent> = fc.oneof(
  fc.record({ type: fc.constant('asked' as const), key: fc.constantFrom(...keys), confirmed: fc.boolean() }),
  fc.record({ type: fc.constant('written' as const), key: fc.constantFrom(...keys), outcome }),
  fc.record({ type: fc.constant('probed' as const), outcome }),
  fc.constant<DeliveryEvent>({ type: 'retry-due' }),
  fc.constant<DeliveryEvent>({ type: 'redraw-due' }),
);

function run(events: DeliveryEvent[], check: (before: DeliveryState, e: DeliveryEvent, after: DeliveryState, actions: DeliveryAction[]) => void, opts: DeliveryOptions = o): DeliveryState {
  let s = initialDelivery;
  for (const e of events) {
    const { state, actions } = stepDelivery(s, e, opts);
    check(s, e, state, actions);
    s = state;
  }
  return s;
}

describe('screen delivery machine', () => {
  it('writes again only the present text: when a pause after its failure is over, when it is due for a redraw, or when a failing screen answers with something else', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        run(events, (before, e, after, actions) => {
          for (const a of actions) {
            if (a.type !== 'write') continue;
            expect(a.key).toBe(before.present);
            expect(a.key).toBe(after.present);
            expect(after.delivery.type).toBe('pending');
            switch (a.why) {
              case 'retry':
                expect(e.type).toBe('retry-due');
                expect(before.delivery.type).toBe('retrying');
                break;
              case 'redraw':
                expect(e.type).toBe('redraw-due');
                expect(before.delivery.type).toBe('confirmed');
                break;
              case 'answered':
                expect(e.type === 'probed' || (e.type === 'written' && e.key !== before.present)).toBe(true);
                expect(e.type !== 'retry-due' && e.type !== 'redraw-due' && e.type !== 'asked' && e.outcome.ok).toBe(true);
                expect(['failing', 'offline']).toContain(before.health.state);
                expect(before.delivery.type).not.toBe('pending');
                break;
            }
          }
        });
      }),
    );
  });

  it('a newer text asked for drops the pause of the older one', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        run(events, (before, e, after, actions) => {
          if (e.type !== 'asked') return;
          expect(after.present).toBe(e.key);
          expect(after.delivery.type).toBe(e.confirmed ? 'confirmed' : 'pending');
          expect(actions.some((a) => a.type === 'cancel-retry')).toBe(before.delivery.type === 'retrying');
          // Nothing older can come out of the next pause: there is none until a write of this text fails.
          expect(stepDelivery(after, { type: 'retry-due' }, o).actions).toEqual([]);
        });
      }),
    );
  });

  it('health: ok after a confirmed exchange, failing then offline after offlineAfter unconfirmed in a row, said after every outcome', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        let inARow = 0;
        run(events, (_before, e, after, actions) => {
          if (e.type !== 'written' && e.type !== 'probed') {
            expect(actions.some((a) => a.type === 'health')).toBe(false);
            return;
          }
          inARow = e.outcome.ok ? 0 : inARow + 1;
          const expected = inARow === 0 ? 'ok' : inARow >= o.offlineAfter ? 'offline' : 'failing';
          expect(after.health.state).toBe(expected);
          expect(actions.filter((a) => a.type === 'health')).toEqual([{ type: 'health', health: after.health }]);
        });
      }),
    );
  });

  it('pauses double per failure in a row, from initialMs, never beyond maxMs', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 80 }), (events) => {
        let inARow = 0;
        run(events, (_before, e, _after, actions) => {
          if (e.type === 'written' || e.type === 'probed') inARow = e.outcome.ok ? 0 : inARow + 1;
          for (const a of actions) {
            if (a.type !== 'retry-in') continue;
            expect(a.ms).toBe(Math.min(o.retry.maxMs, o.retry.initialMs * 2 ** (inARow - 1)));
            expect(a.ms).toBeLessThanOrEqual(o.retry.maxMs);
          }
        });
      }),
    );
    expect([1, 2, 3, 4, 5, 6, 100].map((n) => retryDelayMs(n, o))).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
  });

  it('a confirmed present text is owed nothing; an unanswered poll or write of it is written again', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), fc.constantFrom(...keys), (events, key) => {
        const s = run([...events, { type: 'asked', key, confirmed: false }, { type: 'written', key, outcome: { ok: true } }], () => undefined);
        expect(s.delivery).toEqual({ type: 'confirmed' });
        expect(stepDelivery(s, { type: 'retry-due' }, o).actions).toEqual([]);
        const lost = stepDelivery(s, { type: 'probed', outcome: { ok: false, code: 'DEVICE_TIMEOUT' } }, o);
        expect(lost.actions[0]).toEqual({ type: 'retry-in', ms: o.retry.initialMs });
        expect(stepDelivery(lost.state, { type: 'retry-due' }, o).actions).toEqual([{ type: 'write', key, why: 'retry' }]);
      }),
    );
  });

  it('a redraw is never due while a write of the present text is on its way or waiting out a pause', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        run(events, (before, e, after, actions) => {
          if (after.delivery.type !== 'confirmed') {
            expect(stepDelivery(after, { type: 'redraw-due' }, o)).toEqual({ state: after, actions: [] });
            expect(actions.some((a) => a.type === 'redraw-in')).toBe(false);
            // The timer of a confirmed text is stopped when a write is owed.
            if (before.delivery.type === 'confirmed' && before.present !== undefined) expect(actions).toContainEqual({ type: 'cancel-redraw' });
          }
          // Timed from the last confirmation of the present text: a poll answered, or another text confirmed, does not restart it.
          const confirmsPresent = (e.type === 'written' && e.outcome.ok && e.key === after.present) || (e.type === 'asked' && after.delivery.type === 'confirmed' && !(before.present === e.key && before.delivery.type === 'confirmed'));
          expect(actions.filter((a) => a.type === 'redraw-in')).toEqual(confirmsPresent ? [{ type: 'redraw-in', ms: o.redrawMs }] : []);
        });
      }),
    );
  });

  it('redrawMs 0: nothing is ever redrawn', () => {
    const never: DeliveryOptions = { ...o, redrawMs: 0 };
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        run(
          events,
          (_before, _e, after, actions) => {
            expect(actions.some((a) => a.type === 'redraw-in' || (a.type === 'write' && a.why === 'redraw'))).toBe(false);
            expect(stepDelivery(after, { type: 'redraw-due' }, never).actions).toEqual([]);
          },
          never,
        );
      }),
    );
  });

  it('after any events, a screen powered off and on with nothing new asked for is written its present text again (its exchanges confirmed, its timers run)', () => {
    // The shell of bus-screen.ts: a timer fires only when armed; a write on its way lands.
    const shellOf = () => ({ retry: false, redraw: false });
    const track = (sh: { retry: boolean; redraw: boolean }, e: DeliveryEvent, actions: DeliveryAction[]) => {
      if (e.type === 'retry-due') sh.retry = false;
      if (e.type === 'redraw-due') sh.redraw = false;
      for (const a of actions) {
        if (a.type === 'retry-in') sh.retry = true;
        if (a.type === 'cancel-retry') sh.retry = false;
        if (a.type === 'redraw-in') sh.redraw = true;
        if (a.type === 'cancel-redraw') sh.redraw = false;
      }
    };
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), (events, polls) => {
        const sh = shellOf();
        let s = initialDelivery;
        for (const e of events) {
          // Timers fire only when armed.
          if ((e.type === 'retry-due' && !sh.retry) || (e.type === 'redraw-due' && !sh.redraw)) continue;
          const r = stepDelivery(s, e, o);
          track(sh, e, r.actions);
          s = r.state;
        }
        const present = s.present;
        if (present === undefined) return;
        // Power off and on here: the screen is blank; its pings are answered (they say nothing of its text).
        for (const poll of polls) {
          const before = s;
          let e: DeliveryEvent;
          if (poll && s.delivery.type === 'confirmed') e = { type: 'probed', outcome: { ok: true } };
          else if (s.delivery.type === 'pending') e = { type: 'written', key: present, outcome: { ok: true } }; // a write that went out before the power cut
          else if (s.delivery.type === 'retrying') {
            expect(sh.retry).toBe(true);
            e = { type: 'retry-due' };
          } else {
            expect(sh.redraw).toBe(true);
            e = { type: 'redraw-due' };
          }
          const r = stepDelivery(s, e, o);
          track(sh, e, r.actions);
          s = r.state;
          if (r.actions.some((a) => a.type === 'write' && a.key === present)) return;
          expect(before.present).toBe(present);
        }
        // Four steps at most: (a probe,) the write on its way lands, the timer fires: it is written.
        const last = stepDelivery(s, s.delivery.type === 'retrying' ? { type: 'retry-due' } : { type: 'redraw-due' }, o);
        expect(last.actions).toContainEqual(expect.objectContaining({ type: 'write', key: present }));
      }),
    );
  });

  it('a failing screen that answers, but not with the present text, is written it at once', () => {
    let s = stepDelivery(initialDelivery, { type: 'asked', key: 'A', confirmed: false }).state;
    s = stepDelivery(s, { type: 'written', key: 'A', outcome: { ok: false, code: 'DEVICE_TIMEOUT' } }, o).state;
    expect(s.delivery).toEqual({ type: 'retrying', attempt: 1 });
    // An older text's write, or a poll, confirmed in the pause: the screen is back, the pause is dropped.
    for (const e of [{ type: 'written', key: 'B', outcome: { ok: true } }, { type: 'probed', outcome: { ok: true } }] as const) {
      const r = stepDelivery(s, e, o);
      expect(r.actions).toEqual([{ type: 'cancel-retry' }, { type: 'write', key: 'A', why: 'answered' }, { type: 'health', health: { state: 'ok' } }]);
      expect(r.state.delivery).toEqual({ type: 'pending' });
    }
    // A healthy screen's poll answered changes nothing.
    const up = stepDelivery(s, { type: 'written', key: 'A', outcome: { ok: true } }, o);
    expect(up.actions).toEqual([{ type: 'cancel-retry' }, { type: 'health', health: { state: 'ok' } }, { type: 'redraw-in', ms: o.redrawMs }]);
    expect(stepDelivery(up.state, { type: 'probed', outcome: { ok: true } }, o).actions).toEqual([{ type: 'health', health: { state: 'ok' } }]);
  });
});
