/**
 * issue 10, fault 4: with the broker down, `hallq server` starts and serves its HTTP side (display,
 * status, staff API), /readyz says degraded with the broker disconnected, and the reconnects are logged with an
 * exponential, capped, jittered backoff; when the broker comes, the server connects by itself.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultReconnect, reconnectDelay } from '../../src/bus/reconnect.js';
import { ProcessHall } from './daemon-process.js';

describe('reconnectDelay', () => {
  it('lies in [step/2, step] with step = min(max, initial·2^attempt), and never exceeds the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const step = Math.min(defaultReconnect.maxMs, defaultReconnect.initialMs * 2 ** Math.min(attempt, 30));
        const d = reconnectDelay(defaultReconnect, attempt, () => r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(step / 2));
        expect(d).toBeLessThanOrEqual(step);
        expect(d).toBeLessThanOrEqual(defaultReconnect.maxMs);
      }),
    );
  });
});

describe('fault 4: hallq server with the broker down', () => {
  let hall: ProcessHall | undefined;
  afterAll(async () => {
    await hall?.close();
  });

  it('serves the display, the status and the staff API, logs reconnects with backoff, and connects when the broker comes', async () => {
    // A broker's port, with nothing listening on it (yet).
    hall = await ProcessHall.open('nobroker');
    const broker = hall.broker;
    await broker.stop();
    const server = await hall.startServer();
    const base = hall.base;

    // Ready but degraded: the hall serves from its log while the broker is away.
    const health = await fetch(`${base}/readyz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, status: 'degraded', broker: 'disconnected' });
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect((await fetch(`${base}/api/hall`)).status).toBe(200);
    // Staff commands work: the log is the hall's truth, the broker only carries it.
    const issued = await hall.command({ id: 'nobroker-1', type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
    expect(issued.status).toBe(200);
    const state = await hall.state();
    expect(Object.keys(state.tickets)).toHaveLength(1);

    // Four reconnects, each logged with its backoff: growing steps, within [step/2, step].
    await server.says(/"attempt":4,/);
    const backoffs = server
      .output()
      .split('\n')
      .filter((l) => l.includes('reconnecting after backoff'))
      .map((l) => JSON.parse(l) as { attempt: number; backoffMs: number });
    expect(backoffs.slice(0, 4).map((b) => b.attempt)).toEqual([1, 2, 3, 4]);
    backoffs.slice(0, 4).forEach((b, i) => {
      const step = 500 * 2 ** i;
      expect(b.backoffMs).toBeGreaterThanOrEqual(step / 2);
      expect(b.backoffMs).toBeLessThanOrEqual(step);
    });

    await broker.restart();
    await server.says('connected to broker');
    const after = await fetch(`${base}/readyz`);
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ ok: true, status: 'ready', broker: 'connected' });
  }, 120_000);
});
