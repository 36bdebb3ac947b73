import { describe, expect, it } from 'vitest';
import { rejectionMessages } from '../../src/core/index.js';
import { Hall, hallConfig, monday } from './fixtures.js';

const person = (idHash: string, birthDate = '19800101') => ({ idHash, idMasked: '1101**********0011', idValid: true, birthDate });

describe('issuing tickets', () => {
  it('numbers each service with its prefix and three digits, and resets them each day', () => {
    const h = new Hall();
    expect(h.number(h.issue('A'))).toBe('A001');
    expect(h.number(h.issue('B'))).toBe('B001');
    expect(h.number(h.issue('A'))).toBe('A002');
    const waitingYesterday = Object.keys(h.state.tickets);
    h.now = monday('09:00', '2026-11-24');
    const t = h.issue('A');
    expect(h.number(t)).toBe('A001');
    expect(t).toBe('20261124-A001');
    const started = h.events('DayStarted').at(-1);
    expect(started?.day).toBe('2026-11-24');
    expect(started?.expired.sort()).toEqual(waitingYesterday.sort());
    expect(Object.keys(h.state.tickets)).toEqual([t]);
  });

  it('enforces the daily quota with a reason code and a zh/en message', () => {
    const h = new Hall();
    for (let i = 0; i < 5; i++) h.issue('C', { person: person(`p${i}`) });
    const r = h.run({ type: 'IssueTicket', serviceId: 'C', person: person('p9') });
    expect(r.outcome).toEqual({ ok: false, code: 'quota-reached', message: rejectionMessages['quota-reached'] });
    expect(r.events.map((e) => e.type)).toEqual(['CommandRejected']);
    expect(h.state.counters.C).toBe(5);
  });

  it('refuses outside hours, after the issuing cutoff, on weekends and holidays; works a 调休 Sunday', () => {
    const h = new Hall();
    const code = (at: number, serviceId = 'A') => {
      const r = h.run({ type: 'IssueTicket', serviceId, delivery: 'none' }, at);
      return r.outcome.ok ? 'ok' : r.outcome.code;
    };
    expect(code(monday('08:29'))).toBe('outside-hours');
    expect(code(monday('08:30'))).toBe('ok');
    expect(code(monday('16:29'))).toBe('ok');
    expect(code(monday('16:30'))).toBe('issuing-stopped');
    expect(code(monday('17:00'))).toBe('outside-hours');
    expect(code(monday('10:00', '2026-11-28'))).toBe('hall-closed'); // Saturday
    expect(code(monday('10:00', '2026-11-29'))).toBe('ok'); // Sunday worked
    expect(code(monday('10:00', '2026-12-25'))).toBe('hall-closed'); // holiday
    // C has its own hours, 09:00–12:00, and needs an ID card
    expect(h.run({ type: 'IssueTicket', serviceId: 'C', person: person('x') }, monday('12:10', '2026-12-01')).outcome).toMatchObject({ code: 'outside-hours' });
  });

  it('requires and validates the ID card where the service says so', () => {
    const h = new Hall();
    expect(h.run({ type: 'IssueTicket', serviceId: 'C' }).outcome).toMatchObject({ ok: false, code: 'id-required' });
    expect(h.run({ type: 'IssueTicket', serviceId: 'C', person: { ...person('x'), idValid: false } }).outcome).toMatchObject({ ok: false, code: 'id-invalid' });
    expect(h.run({ type: 'IssueTicket', serviceId: 'X' }).outcome).toMatchObject({ ok: false, code: 'unknown-service' });
  });

  it('allows one open ticket per ID per service and caps tickets per ID per day', () => {
    const h = new Hall(hallConfig({ policy: { perId: { maxOpenPerService: 1, dailyCap: 2 } } }));
    h.open(1);
    const first = h.issue('A', { person: person('alice') });
    expect(h.run({ type: 'IssueTicket', serviceId: 'A', person: person('alice') }).outcome).toMatchObject({ code: 'per-id-open' });
    h.issue('B', { person: person('alice') });
    expect(h.callNext(1)).toBe(first);
    h.ok({ type: 'Complete', window: 1 });
    // A is no longer open, but the daily cap of 2 is reached
    expect(h.run({ type: 'IssueTicket', serviceId: 'A', person: person('alice') }).outcome).toMatchObject({ code: 'per-id-daily' });
    h.issue('A', { person: person('bob') });
  });

  it('gives the priority class from the age rule or the green channel', () => {
    const h = new Hall();
    const old = h.issue('A', { person: person('o', '19500101') });
    const young = h.issue('A', { person: person('y', '19900101') });
    const green = h.issue('A', { priority: true });
    expect(h.state.tickets[old]?.class).toBe('priority');
    expect(h.state.tickets[young]?.class).toBe('normal');
    expect(h.state.tickets[green]?.class).toBe('priority');
  });

  it('never lets a voided number wait or be called, and does not call a ticket before its print is confirmed', () => {
    const h = new Hall();
    h.open(1);
    const printed = h.ok({ type: 'IssueTicket', serviceId: 'A', delivery: 'print' })!;
    const failed = h.ok({ type: 'IssueTicket', serviceId: 'A', delivery: 'print' })!;
    expect(h.callNext(1)).toBeUndefined(); // nothing confirmed yet
    h.ok({ type: 'PrintFailed', ticketId: failed, reason: 'paper-out' });
    h.ok({ type: 'PrintConfirmed', ticketId: printed });
    expect(h.state.tickets[failed]?.status).toBe('voided');
    expect(h.events('NotificationDue').filter((e) => e.ticketId === failed)).toEqual([]);
    expect(h.callNext(1)).toBe(printed);
    expect(h.callNext(1)).toBeUndefined();
    expect(h.run({ type: 'PrintConfirmed', ticketId: failed }).outcome).toMatchObject({ code: 'bad-ticket-state' });
    // the voided number is not reused
    expect(h.number(h.issue('A'))).toBe('A003');
  });

  it('answers a repeated command id with the first answer and changes nothing', () => {
    const h = new Hall();
    const first = h.run({ id: 'k1', type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
    const seq = h.state.seq;
    const again = h.run({ id: 'k1', type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
    expect(again.duplicate).toBe(true);
    expect(again.outcome).toEqual(first.outcome);
    expect(again.events).toEqual([]);
    expect(h.state.seq).toBe(seq);
    // a rejected command is remembered too (C needs an ID card)…
    const r1 = h.run({ id: 'k2', type: 'IssueTicket', serviceId: 'C' });
    expect(r1.outcome).toMatchObject({ ok: false, code: 'id-required' });
    expect(h.run({ id: 'k2', type: 'IssueTicket', serviceId: 'A' }).outcome).toEqual(r1.outcome);
    // …except a refusal about an unknown id: no event, nothing remembered, nothing changed.
    const before = structuredClone(h.state);
    const r2 = h.run({ id: 'k3', type: 'IssueTicket', serviceId: 'nope' });
    expect(r2.outcome).toMatchObject({ ok: false, code: 'unknown-service' });
    expect(r2.events).toEqual([]);
    expect(h.state).toEqual(before);
  });
});
