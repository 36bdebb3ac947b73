// The delivery machine (drivers/led-screen/delivery.ts) over any order of asks, outcomes and pauses:
// only the present text is ever written again, health follows the failures in a row, the pauses are bounded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialDelivery, retryDelayMs, stepDelivery, type DeliveryEvent, type DeliveryOptions, type DeliveryState, type Outcome } from '../../../drivers/led-screen/delivery.js';

const o: DeliveryOptions = { offlineAfter: 3, retry: { initialMs: 1000, maxMs: 15_000 } };
const keys = ['A', 'B', 'C'];
const outcome: fc.Arbitrary<Outcome> = fc.oneof(fc.constant<Outcome>({ ok: true }), fc.constantFrom<Outcome>({ ok: false, code: 'DEVICE_TIMEOUT' }, { ok: false, code: 'DEVICE_NAK' }));
const event: fc.Arbitrary<DeliveryEvent> = fc.oneof(
  fc.record({ type: fc.constant('asked' as const), key: fc.constantFrom(...keys), confirmed: fc.boolean() }),
  fc.record({ type: fc.constant('written' as const), key: fc.constantFrom(...keys), outcome }),
  fc.record({ type: fc.constant('probed' as const), outcome }),
  fc.constant<DeliveryEvent>({ type: 'retry-due' }),
);

function run(events: DeliveryEvent[], check: (before: DeliveryState, e: DeliveryEvent, after: DeliveryState, actions: ReturnType<typeof stepDelivery>['actions']) => void): DeliveryState {
  let s = initialDelivery;
  for (const e of events) {
    const { state, actions } = stepDelivery(s, e, o);
    check(s, e, state, actions);
    s = state;
  }
  return s;
}

describe('screen delivery machine', () => {
  it('writes again only the present text, and only when a pause after its failure is over', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        run(events, (before, e, after, actions) => {
          for (const a of actions) {
            if (a.type !== 'write') continue;
            expect(e.type).toBe('retry-due');
            expect(before.delivery.type).toBe('retrying');
            expect(a.key).toBe(before.present);
            expect(a.key).toBe(after.present);
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
        expect(stepDelivery(lost.state, { type: 'retry-due' }, o).actions).toEqual([{ type: 'write', key }]);
      }),
    );
  });
});
