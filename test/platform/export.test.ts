import { afterAll, describe, expect, it } from 'vitest';
import type { CommandBody } from '../../src/core/index.js';
import { FakePlatform, type Fault } from './fake-platform.js';
import { attempt, dirs, drain, platformRig, SECRET } from './rig.js';

/**
 * The export outbox against a fake platform that checks signatures, drops requests before and after
 * storing them, answers 5xx and goes away for an hour: in the end the platform holds every exported
 * event exactly once by key, each ticket's events in the order they happened, with valid signatures.
 */
describe('platform export', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
    dirs.cleanup();
  });

  async function setup(platform: Record<string, unknown> = {}) {
    const fake = await new FakePlatform(SECRET).start();
    closers.push(() => fake.close());
    const rig = platformRig({ platform: { export: { url: `${fake.url}/events`, backoffSeconds: 5, maxBackoffSeconds: 600, ...platform } } });
    closers.push(() => rig.close());
    rig.service.start();
    return { fake, rig };
  }

  /** A morning at two windows: issues, calls, completions, a no-show, a cancellation, ratings. */
  function morning(run: (c: CommandBody) => unknown, tickets = 12): void {
    const cmd = (c: Record<string, unknown>) => run(c as unknown as CommandBody);
    cmd({ type: 'OpenWindow', window: 1, staffId: 's1', source: 'caller-keypad' });
    cmd({ type: 'OpenWindow', window: 2, staffId: 's2', source: 'caller-keypad' });
    for (let i = 0; i < tickets; i++) cmd({ type: 'IssueTicket', serviceId: i % 2 ? 'A' : 'B', delivery: 'none', source: 'kiosk', phoneMasked: '139****5678' });
    for (let i = 0; i < tickets / 2 - 1; i++) {
      const w = (i % 2) + 1;
      cmd({ type: 'CallNext', window: w, source: 'caller-keypad' });
      if (i === 3) {
        cmd({ type: 'NoShow', window: w, source: 'caller-keypad' });
        continue;
      }
      cmd({ type: 'Complete', window: w, source: 'caller-keypad' });
      cmd({ type: 'RequestRating', window: w, source: 'caller-keypad' });
      cmd({ type: 'Rate', window: w, grade: i === 2 ? 'dissatisfied' : 'very-satisfied', source: 'rating-device' });
    }
  }

  function checkExactlyOnce(fake: FakePlatform, rig: ReturnType<typeof platformRig>): void {
    const rows = rig.service.outbox!.all();
    expect(rows.every((r) => r.state === 'delivered')).toBe(true);
    const keys = rows.map((r) => `wire-hall:${r.seq}`);
    // Every event exactly once by key: the platform's set equals the outbox's, nothing extra.
    expect([...fake.events.keys()].sort()).toEqual([...keys].sort());
    expect(new Set(fake.deliveries)).toEqual(new Set(keys));
    expect(fake.badSignatures).toEqual([]);
    // Each ticket's events arrive in seq order (the first copy of each key, in arrival order).
    const byTicket = new Map<string, number[]>();
    for (const e of fake.events.values()) if (e.ticket) byTicket.set(e.ticket.id, [...(byTicket.get(e.ticket.id) ?? []), e.seq]);
    for (const seqs of byTicket.values()) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // And the log's own events: what the hall did is what the platform has.
    const log = rig.engine.eventsAfter(0, 100_000);
    const exported = log.filter((e) => ['TicketIssued', 'TicketCalled', 'ServiceCompleted', 'TicketNoShow', 'TicketCancelled', 'RatingRecorded', 'RatingFollowedUp'].includes(e.type));
    expect(exported.map((e) => `wire-hall:${e.seq}`).sort()).toEqual([...keys].sort());
  }

  it('drops, duplicates and 5xx: every event ends at the platform exactly once by key, in order per ticket', async () => {
    const { fake, rig } = await setup();
    // A fixed, busy fault pattern: roughly half the attempts go wrong one way or another.
    const pattern: Fault[] = ['ok', 'drop-before', 'ok', 'drop-after', 'error-500', 'ok', 'drop-after', 'ok', 'drop-before'];
    fake.faults = Array.from({ length: 300 }, (_, i) => pattern[i % pattern.length]!);
    morning(rig.run);
    const t = rig.engine.state.tickets;
    const waiting = Object.values(t).find((x) => x.status === 'waiting');
    rig.run({ type: 'Cancel', ticketId: waiting!.id, reason: 'left', source: 'admin' } as CommandBody);
    const bad = Object.values(rig.engine.state.ratings).find((r) => r.grade === 'dissatisfied');
    expect(rig.run({ type: 'FollowUp', ratingId: bad!.id, note: '已回访', source: 'admin' } as CommandBody).ok).toBe(true);
    const results = await drain(rig);
    expect(results.filter((r) => r.outcome === 'retry').length).toBeGreaterThan(5);
    expect(fake.deliveries.length).toBeGreaterThan(fake.events.size); // duplicates really were sent …
    checkExactlyOnce(fake, rig); // … and the platform still holds each once
    const types = new Set([...fake.events.values()].map((e) => e.type));
    expect(types).toEqual(new Set(['ticket.issued', 'ticket.called', 'ticket.completed', 'ticket.noShow', 'ticket.cancelled', 'rating.recorded', 'rating.followedUp']));
    const followUp = [...fake.events.values()].find((e) => e.type === 'rating.followedUp')!;
    expect(followUp.data).toMatchObject({ ratingId: bad!.id, rating: { grade: 'dissatisfied', ticketId: bad!.ticketId } });
    expect(followUp.ticket?.id).toBe(bad!.ticketId);
    expect(rig.service.status().export).toMatchObject({ pending: 0, rejected: 0 });
  }, 120_000);

  it('the platform down for an hour of simulated time: the backlog grows and ages on /metrics, retries back off, all arrive after', async () => {
    const { fake, rig } = await setup();
    fake.down = true;
    const start = rig.t.now;
    rig.run({ type: 'OpenWindow', window: 1, staffId: 's1', source: 'caller-keypad' } as CommandBody);
    // A ticket every minute for an hour; each retry that falls due is let happen (the clock stands in for waiting).
    const due = () => (rig.service.outbox!.head()?.nextAttemptAt ?? Infinity) <= rig.t.now;
    for (let m = 0; m < 60; m++) {
      rig.t.now = start + m * 60_000;
      rig.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none', source: 'kiosk' } as CommandBody);
      while (due()) await attempt(rig);
    }
    rig.t.now = start + 3600_000;
    while (due()) await attempt(rig);
    rig.t.now = start + 3600_000;
    const stats = rig.service.outbox!.stats();
    expect(stats.pending).toBe(60);
    expect(stats.oldestAgeSeconds).toBe(3600);
    const metrics = rig.service.metricsText();
    expect(metrics).toContain('hallq_platform_backlog 60\n');
    expect(metrics).toContain('hallq_platform_backlog_age_seconds 3600\n');
    // Backoff 5 s doubling, capped at 600 s: about a dozen attempts in an hour, not one per kick.
    expect(fake.requests).toBeGreaterThanOrEqual(8);
    expect(fake.requests).toBeLessThanOrEqual(16);
    expect(fake.events.size).toBe(0);
    fake.down = false;
    await drain(rig);
    checkExactlyOnce(fake, rig);
    expect(rig.service.metricsText()).toContain('hallq_platform_backlog 0\n');
  }, 120_000);

  it('masks personal data by default and sends none with personalData: none', async () => {
    const masked = await setup();
    morning(masked.rig.run, 2);
    await drain(masked.rig);
    const issued = [...masked.fake.events.values()].find((e) => e.type === 'ticket.issued')!;
    expect(issued.ticket?.phoneMasked).toBe('139****5678');
    const none = await setup({ personalData: 'none' });
    morning(none.rig.run, 2);
    await drain(none.rig);
    expect(none.fake.rawBodies.some((b) => b.includes('phoneMasked') || b.includes('person') || b.includes('idHash'))).toBe(false);
  }, 120_000);

  it('a restart resends what was not acknowledged and catches up events appended while the link was down', async () => {
    const { fake, rig } = await setup();
    fake.faults = ['ok', 'ok', 'drop-after'];
    morning(rig.run, 4);
    await fake.until(() => fake.requests >= 3);
    await rig.service.stop();
    // Events appended with the link stopped: the cursor in the outbox file brings them in at the next start.
    rig.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none', source: 'kiosk' } as CommandBody);
    const { PlatformService } = await import('../../src/server/platform/platform-service.js');
    const again = PlatformService.open({ ...rig.service.o });
    closers.push(() => again.stop());
    again.start();
    await drain({ ...rig, service: again });
    checkExactlyOnce(fake, { ...rig, service: again });
    expect(fake.deliveries.length).toBe(fake.events.size + 1); // the one stored but unanswered came again
  }, 120_000);
});
