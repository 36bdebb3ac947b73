import { describe, expect, it } from 'vitest';
import { eventSchema } from '../../src/bus/event-schema.js';
import { apply, emptyState, type HallEvent } from '../../src/core/index.js';
import { Hall } from './fixtures.js';

/**
 * issue 13: a ticket records the agent whose kiosk issued it (`kioskAgent`, set from the authenticated
 * identity by whoever runs the core), and only that agent settles its print: another agent's
 * PrintConfirmed could revive a never-printed number first in the queue, its PrintFailed void a
 * citizen's printed ticket. Tickets without the record (staff-issued, logs from before) settle as before.
 */
describe('only the issuing kiosk agent settles a print', () => {
  const printed = (h: Hall, kioskAgent?: string) => h.issue('A', { delivery: 'print', ...(kioskAgent ? { kioskAgent } : {}) });

  it('the ticket records its kiosk agent; another agent, or none, is refused and nothing is recorded; the issuer is taken', () => {
    const h = new Hall();
    const t = printed(h, 'kiosk-a');
    expect(h.state.tickets[t]).toMatchObject({ status: 'issued', kioskAgent: 'kiosk-a' });
    for (const cmd of [
      { type: 'PrintConfirmed' as const, ticketId: t, kioskAgent: 'kiosk-b' },
      { type: 'PrintFailed' as const, ticketId: t, reason: 'paper out', kioskAgent: 'kiosk-b' },
      { type: 'PrintConfirmed' as const, ticketId: t },
    ]) {
      const before = h.log.length;
      const r = h.run(cmd);
      expect(r.outcome).toMatchObject({ ok: false, code: 'print-other-kiosk', detail: `${t} was issued by agent kiosk-a`, detailOwn: true });
      expect(r.events).toEqual([]);
      expect(h.log.length).toBe(before);
      expect(h.state.tickets[t]?.status).toBe('issued');
    }
    expect(h.run({ type: 'PrintConfirmed', ticketId: t, kioskAgent: 'kiosk-a' }).outcome).toEqual({ ok: true, ticketId: t });
    expect(h.state.tickets[t]?.status).toBe('waiting');
  });

  it('an SMS-only ticket its kiosk withdraws is voided while nobody has called it; by no other agent, and never once called', () => {
    const h = new Hall();
    const sms = () => h.issue('A', { delivery: 'sms', kioskAgent: 'kiosk-a', phoneMasked: '139****5678' });
    const t = sms();
    expect(h.state.tickets[t]?.status).toBe('waiting');
    expect(h.run({ type: 'PrintFailed', ticketId: t, reason: 'kiosk-timeout', kioskAgent: 'kiosk-b' }).outcome).toMatchObject({ ok: false, code: 'print-other-kiosk' });
    expect(h.run({ type: 'PrintFailed', ticketId: t, reason: 'kiosk-timeout', kioskAgent: 'kiosk-a' }).outcome).toEqual({ ok: true, ticketId: t });
    expect(h.state.tickets[t]?.status).toBe('voided');
    // Out of the queue: the next call takes the next ticket.
    const u = sms();
    h.ok({ type: 'OpenWindow', window: 1, staffId: 's1' });
    expect(h.run({ type: 'CallNext', window: 1 }).outcome).toMatchObject({ ok: true, ticketId: u });
    // Called once (then back in the queue or not), the citizen holds it: no withdrawal.
    expect(h.run({ type: 'PrintFailed', ticketId: u, reason: 'kiosk-timeout', kioskAgent: 'kiosk-a' }).outcome).toMatchObject({ ok: false, code: 'bad-ticket-state' });
    // A printed ticket that waits is the paper's: no withdrawal either.
    const p = h.issue('A', { delivery: 'print', kioskAgent: 'kiosk-a' });
    h.ok({ type: 'PrintConfirmed', ticketId: p, kioskAgent: 'kiosk-a' });
    expect(h.run({ type: 'PrintFailed', ticketId: p, reason: 'kiosk-timeout', kioskAgent: 'kiosk-a' }).outcome).toMatchObject({ ok: false, code: 'bad-ticket-state' });
  });

  it('a check-in records its kiosk agent too', () => {
    const h = new Hall();
    const slot = h.now + 10 * 60_000;
    h.ok({ type: 'BookAppointment', appointment: { id: 'ap-1', serviceId: 'A', slotStart: slot, slotEnd: slot + 30 * 60_000, person: { idHash: 'h'.repeat(64), idMasked: '1101**********002X' } } });
    const r = h.run({ type: 'CheckIn', appointmentId: 'ap-1', delivery: 'print', kioskAgent: 'kiosk-b' });
    const t = r.outcome.ok ? String(r.outcome.ticketId) : '';
    expect(h.state.tickets[t]?.kioskAgent).toBe('kiosk-b');
    expect(h.run({ type: 'PrintFailed', ticketId: t, reason: 'jam', kioskAgent: 'kiosk-a' }).outcome).toMatchObject({ ok: false, code: 'print-other-kiosk' });
  });

  it('a ticket voided by the print-confirm timeout is revived only by its own kiosk agent', () => {
    const h = new Hall();
    const t = printed(h, 'kiosk-a');
    h.ok({ type: 'Tick' }, h.now + 3_600_000);
    expect(h.state.tickets[t]?.status).toBe('voided');
    expect(h.run({ type: 'PrintConfirmed', ticketId: t, kioskAgent: 'kiosk-b' }).outcome).toMatchObject({ ok: false, code: 'print-other-kiosk' });
    expect(h.state.tickets[t]?.status).toBe('voided');
    expect(h.run({ type: 'PrintConfirmed', ticketId: t, kioskAgent: 'kiosk-a' }).outcome).toEqual({ ok: true, ticketId: t });
    expect(h.state.tickets[t]?.status).toBe('waiting');
  });

  it('a ticket without the record (a log written before it, or issued by staff) settles from any kiosk agent, as before', () => {
    const h = new Hall();
    const t = printed(h);
    // The log as an older hallq wrote it: the TicketIssued event without kioskAgent, read back through the event schema.
    const old = h.log.map((e) => eventSchema.parse(JSON.parse(JSON.stringify(e))) as HallEvent);
    expect(old.find((e) => e.type === 'TicketIssued')).not.toHaveProperty('ticket.kioskAgent');
    const state = emptyState();
    for (const e of old) apply(state, e);
    expect(state.tickets[t]).toMatchObject({ status: 'issued' });
    expect(h.run({ type: 'PrintConfirmed', ticketId: t, kioskAgent: 'kiosk-b' }).outcome).toEqual({ ok: true, ticketId: t });
  });
});
