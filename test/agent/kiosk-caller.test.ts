import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import type { Keypad, KeypadEvent } from '../../drivers/keypad/driver.js';
import { attachCaller } from '../../src/agent/flows/caller.js';
import { KioskFlow } from '../../src/agent/flows/kiosk.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import type { AgentLink } from '../../src/agent/link.js';
import { hallClock, startAgent, startServer, tempDb, type ServerRig } from '../wire/rig.js';

/** A keypad stand-in that emits what a real one would, for the caller flow's key → command mapping. */
function fakeKeypad() {
  const listeners = new Set<(e: KeypadEvent) => void>();
  let beeps = 0;
  const keypad = {
    on: (fn: (e: KeypadEvent) => void) => (listeners.add(fn), () => listeners.delete(fn)),
    beep: () => ((beeps += 1), Promise.resolve()),
    startRating: () => Promise.resolve(),
  } as unknown as Keypad;
  return { keypad, emit: (e: KeypadEvent) => listeners.forEach((fn) => fn(e)), beeps: () => beeps };
}

describe('kiosk and caller flows over the wire', () => {
  let broker: EmbeddedBroker;
  let server: ServerRig;
  let link: AgentLink;
  const clock = hallClock();
  beforeAll(async () => {
    broker = await startEmbeddedBroker();
    server = await startServer(broker.url, tempDb(), clock);
    // caller-1 has a kiosk and window 7's keypad (test/wire/rig.ts).
    link = await startAgent(broker.url, 'caller-1');
  });
  afterAll(async () => {
    await link.stop();
    await server.stop();
    await broker.close();
  });

  it('checks a card with an appointment in instead of issuing a plain ticket', async () => {
    const person = { idHash: 'hash-of-card-1', idMasked: '1101**********002X', nameMasked: '张*华' };
    // Booking is staff's (HTTP), never an agent's: straight into the server here.
    const booked = server.mqtt.run({ id: 'book-ap-1', type: 'BookAppointment', appointment: { id: 'ap-1', serviceId: 'A', slotStart: clock() - 5 * 60_000, slotEnd: clock() + 25 * 60_000, person } });
    expect(booked.ok).toBe(true);
    const kiosk = new KioskFlow(link, undefined, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock });
    expect(await kiosk.issue({ serviceId: 'A', smsOnly: true })).toMatchObject({ ok: false, code: 'phone-required' });
    const walkIn = await kiosk.issue({ serviceId: 'A', smsOnly: true, phoneMasked: '139****5678' });
    const r = await kiosk.issue({ serviceId: 'A', smsOnly: true, person: { ...person, idValid: true } });
    expect(r.ok && walkIn.ok).toBe(true);
    if (!r.ok) return;
    await link.reach(server.engine.state.seq);
    expect(link.replica.state.tickets[r.ticketId]).toMatchObject({ class: 'appointment', appointmentId: 'ap-1' });
    // On time, so it is first in line although the walk-in came earlier.
    expect(r.position).toBe(1);
  });

  it("with the printer out, says the hall's own refusal first (no desk visit for a ticket the hall would not give), else the printer", async () => {
    const printer = { health: 'out' } as unknown as ConstructorParameters<typeof KioskFlow>[1];
    const kiosk = new KioskFlow(link, printer, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock });
    await link.reach(server.engine.state.seq);
    const seq = server.engine.state.seq;
    expect(await kiosk.issue({ serviceId: 'no-such-service' })).toMatchObject({ ok: false, code: 'unknown-service' });
    expect(await kiosk.issue({ serviceId: 'A' })).toMatchObject({ ok: false, code: 'printer-unavailable' });
    // Nothing was sent: the server's log did not move.
    expect(server.engine.state.seq).toBe(seq);
  });

  it('maps keypad keys to commands for its window, including transfer to a window by number', async () => {
    const k = fakeKeypad();
    const off = attachCaller(link, 7, k.keypad, (n) => (n === '7' ? 's7' : undefined), silentLogger);
    const next = (pred: () => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => (pred() ? resolve() : undefined);
        const unsub = link.onEvent(() => {
          if (pred()) {
            unsub();
            resolve();
          }
        });
        check();
      });
    expect((await link.send({ type: 'IssueTicket', serviceId: 'B', delivery: 'none' })).ok).toBe(true);
    k.emit({ type: 'login', staffNumber: '7' });
    await next(() => link.replica.state.windows['7']?.status === 'open');
    k.emit({ type: 'key', key: 'call' });
    await next(() => link.replica.state.windows['7']?.current !== undefined);
    const ticketId = link.replica.state.windows['7']?.current ?? '';
    // Transfer: the key, then window 8 and enter (digits + enter arrive as a "login" event).
    k.emit({ type: 'key', key: 'transfer' });
    k.emit({ type: 'login', staffNumber: '8' });
    await next(() => link.replica.state.tickets[ticketId]?.targetWindow === 8);
    expect(link.replica.state.tickets[ticketId]).toMatchObject({ status: 'waiting', targetWindow: 8, transfers: 1 });
    k.emit({ type: 'key', key: 'pause' });
    await next(() => link.replica.state.windows['7']?.status === 'paused');
    // An unknown staff number beeps and opens nothing.
    k.emit({ type: 'login', staffNumber: '99' });
    expect(k.beeps()).toBe(1);
    off();
  });
});
