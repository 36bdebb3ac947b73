import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { findAppointment } from '../../src/agent/flows/appointment-lookup.js';
import { platformSchema, smsSchema } from '../../src/config/schema.js';
import { residentIdCheckChar, type CommandBody, type HallEvent } from '../../src/core/index.js';
import { createHttpApp } from '../../src/http/app.js';
import { registerPlatformRoutes } from '../../src/server/platform/routes.js';
import type { DeliveryResult } from '../../src/server/sms/delivery.js';
import { SmsService } from '../../src/server/sms/sms-service.js';
import { FakeSender } from '../sms/fake-sender.js';
import { MONDAY_10 } from '../sms/fixtures.js';
import { FakePlatform, signFor } from './fake-platform.js';
import { dirs, platformRig, SECRET } from './rig.js';

const id18 = (first17: string) => first17 + residentIdCheckChar(first17);
const at = (hhmm: string) => new Date(`2026-11-23T${hhmm}:00+08:00`).toISOString().replace('.000Z', 'Z');
const MIN = 60_000;

/**
 * Appointments from the platform, pushed (a signed POST through the real route) and pulled (a signed
 * GET of the fake platform): idempotent by the platform's id, cancellations and changes applied as
 * core events, found at the kiosk by card, phone or code under the existing on-time rules, and the
 * §4.7.3 reminder SMS sent exactly once — never after a check-in or a cancellation.
 */
describe('appointment import and reminders', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
    dirs.cleanup();
  });

  it('push, pull, the same twice, a cancellation, a change, check-in rules and one reminder each', async () => {
    const fake = await new FakePlatform(SECRET).start();
    closers.push(() => fake.close());
    const dir = dirs.make();
    const keyFile = join(dir, 'idhash.key');
    writeFileSync(keyFile, 'the-hall-id-hash-key-0123456789abcdef\n', { mode: 0o600 });
    const sender = new FakeSender();
    const rig = platformRig({
      dir,
      platform: { appointments: { idHashKeyFile: keyFile, pullUrl: `${fake.url}/appointments`, reminderMinutes: 20 } },
      sms: (engine, clock, path) => SmsService.open({ config: smsSchema.parse({}), database: path, engine, clock, logger: silentLogger, sender: { sender, close: async () => {} } }),
    });
    closers.push(() => rig.close());
    const sms = rig.sms!;
    sms.start();
    const key = Buffer.from('the-hall-id-hash-key-0123456789abcdef\n');
    rig.run({ type: 'OpenWindow', window: 1, staffId: 's1', source: 'caller-keypad' } as CommandBody);

    const app = createHttpApp({ logger: silentLogger });
    await registerPlatformRoutes(app, rig.service, async () => {});
    closers.push(() => app.close());
    const push = (body: unknown, headers?: Record<string, string>) => {
      const raw = JSON.stringify(body);
      return app.inject({ method: 'POST', url: '/api/platform/appointments', payload: raw, headers: { 'content-type': 'application/json', ...(headers ?? signFor(SECRET, rig.t.now, raw)) } });
    };
    const events = (): HallEvent[] => rig.engine.eventsAfter(0, 10_000);
    const ofType = (t: string) => events().filter((e) => e.type === t);

    const a1 = { id: 'P-1', serviceId: 'A', slotStart: at('12:00'), slotEnd: at('12:30'), idNumber: id18('11010519491231002'), name: '张三', phone: '13912345678', code: 'AB12CD' };
    const a2 = { id: 'P-2', serviceId: 'A', slotStart: at('11:00'), slotEnd: at('11:30'), idNumber: id18('11010519800101001'), phone: '13800000002' };
    const a3 = { id: 'P-3', serviceId: 'A', slotStart: at('13:00'), slotEnd: at('13:30'), idNumber: id18('11010519900101003'), phone: '13800000003' };

    // Push, then the same push again: booked once.
    const first = await push({ appointments: [a1, a2, a3] });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ results: [{ id: 'P-1', result: 'booked' }, { id: 'P-2', result: 'booked' }, { id: 'P-3', result: 'booked' }] });
    // A signed body that is not JSON (issue 13): where it broke, never a slice of it (it carries ID numbers).
    const broken = `{"appointments": [{"idNumber": "${a1.idNumber}",}]}`;
    const bad = await app.inject({ method: 'POST', url: '/api/platform/appointments', payload: broken, headers: { 'content-type': 'application/json', ...signFor(SECRET, rig.t.now, broken) } });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { error: { message: string } }).error.message).toBe(`the body is not valid JSON: line 1, column ${broken.indexOf(',}') + 2}: found "}", expected a key in double quotes (a comma may not come before })`);
    expect(bad.body).not.toContain(a1.idNumber);
    const seq = rig.engine.state.seq;
    expect((await push({ appointments: [a1, a2, a3] })).json()).toEqual({ results: ['P-1', 'P-2', 'P-3'].map((id) => ({ id, result: 'unchanged' })) });
    expect(rig.engine.state.seq).toBe(seq);
    expect(ofType('AppointmentBooked')).toHaveLength(3);
    // No raw personal data in the log: masked and keyed hashes only.
    const log = JSON.stringify(events());
    for (const raw of [a1.idNumber, '13912345678', 'AB12CD', '张三']) expect(log).not.toContain(raw);

    // Unsigned, wrongly signed, stale: refused, nothing applied.
    const raw = JSON.stringify({ appointments: [{ ...a1, id: 'P-9' }] });
    expect((await push({ appointments: [{ ...a1, id: 'P-9' }] }, {})).json().error.code).toBe('signature-missing');
    expect((await push({ appointments: [{ ...a1, id: 'P-9' }] }, signFor('another secret of the same length!!!', rig.t.now, raw))).json().error.code).toBe('signature-invalid');
    expect((await push({ appointments: [{ ...a1, id: 'P-9' }] }, signFor(SECRET, rig.t.now - 10 * MIN, raw))).statusCode).toBe(401);
    expect((await push({ appointments: [{ ...a1, idNumber: 'x' }] })).statusCode).toBe(400);
    expect(rig.engine.state.seq).toBe(seq);

    // Pull: one unchanged, one cancelled, one moved to 14:00, one new (no phone: no reminder).
    const a4 = { id: 'P-4', serviceId: 'B', slotStart: at('15:00'), slotEnd: at('15:30'), idNumber: id18('11010519700101004') };
    fake.appointments = [a1, { ...a2, status: 'cancelled' }, { ...a3, slotStart: at('14:00'), slotEnd: at('14:30') }, a4];
    expect(await rig.service.pull()).toEqual([
      { id: 'P-1', result: 'unchanged' },
      { id: 'P-2', result: 'cancelled' },
      { id: 'P-3', result: 'changed' },
      { id: 'P-4', result: 'booked' },
    ]);
    expect(fake.badSignatures).toEqual([]);
    expect(ofType('AppointmentCancelled')).toMatchObject([{ appointmentId: 'P-2' }]);
    expect(ofType('AppointmentChanged')).toMatchObject([{ appointmentId: 'P-3', slotStart: Date.parse(at('14:00')) }]);
    const seq2 = rig.engine.state.seq;
    await rig.service.pull();
    expect(rig.engine.state.seq).toBe(seq2);
    expect(rig.service.status().appointments).toMatchObject({ imported: 4, pullFailures: 0 });

    // The kiosk finds them by code (any case), phone and card hash; not the cancelled one.
    const state = rig.engine.state;
    expect(findAppointment(state, key, { code: 'ab12cd' })?.id).toBe('P-1');
    expect(findAppointment(state, key, { phone: '13800000003' })?.id).toBe('P-3');
    expect(findAppointment(state, key, { idHash: state.appointments['P-4']!.person.idHash })?.id).toBe('P-4');
    expect(findAppointment(state, key, { phone: '13800000002' })).toBeUndefined();
    expect(findAppointment(state, key, { code: 'WRONG1' })).toBeUndefined();

    // Reminders (20 minutes before): P-1 at 11:40; P-2 was cancelled; P-3 moved to 13:40.
    const sendDue = async (): Promise<DeliveryResult[]> => {
      const due = sms.outbox.all().filter((r) => r.state === 'pending' && r.nextAttemptAt <= rig.t.now).length;
      const got: DeliveryResult[] = [];
      if (due === 0) return got;
      await new Promise<void>((resolve) => {
        const off = sms.delivery.onResult((r) => {
          got.push(r);
          if (got.length === due) {
            off();
            resolve();
          }
        });
        sms.delivery.kick();
      });
      return got;
    };
    rig.t.now = Date.parse(at('11:39'));
    expect((await sendDue()).map((r) => [r.ticketId, r.outcome, 'code' in r ? r.code : ''])).toEqual([['appointment:P-2', 'dropped', 'APPOINTMENT_CLOSED']]);
    expect(sender.calls).toHaveLength(0);
    rig.t.now = Date.parse(at('11:40'));
    expect((await sendDue()).map((r) => [r.ticketId, r.outcome])).toEqual([['appointment:P-1', 'sent']]);
    expect(sender.calls.map((c) => [c.msg.phone, c.msg.template, c.msg.text])).toEqual([['13912345678', 'appointmentReminder', '【联调大厅】您预约的社保业务将于12:00开始，请按时到大厅，凭身份证、手机号或预约码签到。']]);

    // Too early to check in (30 minutes before is the rule); on time gives an appointment ticket.
    rig.t.now = Date.parse(at('11:20'));
    expect(rig.run({ type: 'CheckIn', appointmentId: 'P-1', delivery: 'none', source: 'kiosk' } as CommandBody)).toMatchObject({ ok: false, code: 'appointment-too-early' });
    rig.t.now = Date.parse(at('11:45'));
    const ok = rig.run({ type: 'CheckIn', appointmentId: 'P-1', delivery: 'none', source: 'kiosk' } as CommandBody);
    expect(ok.ok).toBe(true);
    expect(rig.engine.state.tickets[ok.ok ? ok.ticketId! : '']?.class).toBe('appointment');
    // Checked in already: the same appointment pushed again with a new slot changes nothing and sends nothing.
    expect((await push({ appointments: [{ ...a1, slotStart: at('12:30'), slotEnd: at('13:00') }] })).json().results[0].result).toBe('unchanged');

    // P-3 checks in at 13:35, before its reminder falls due at 13:40: no reminder.
    rig.t.now = Date.parse(at('13:35'));
    expect(rig.run({ type: 'CheckIn', appointmentId: 'P-3', delivery: 'none', source: 'kiosk' } as CommandBody).ok).toBe(true);
    rig.t.now = Date.parse(at('13:40'));
    expect((await sendDue()).map((r) => [r.ticketId, r.outcome, 'code' in r ? r.code : ''])).toEqual([['appointment:P-3', 'dropped', 'APPOINTMENT_CLOSED']]);
    rig.t.now = Date.parse(at('23:00'));
    await sendDue();
    expect(sender.calls).toHaveLength(1);
    expect(sms.outbox.all().filter((r) => r.reason === 'reminder').map((r) => [r.ticketId, r.state])).toEqual([
      ['appointment:P-1', 'sent'],
      ['appointment:P-2', 'dropped'],
      ['appointment:P-3', 'dropped'],
    ]);
    expect(MONDAY_10).toBeLessThan(Date.parse(at('11:00')));
  }, 120_000);

  it('config errors name the key path: an unreadable idHashKeyFile, a bad export URL', () => {
    expect(() => platformRig({ platform: { appointments: { idHashKeyFile: '/nonexistent/idhash.key' } } })).toThrow(expect.objectContaining({ code: 'CONFIG_NOT_FOUND', details: expect.objectContaining({ path: 'platform.appointments.idHashKeyFile' }) }));
    const bad = platformSchema.safeParse({ export: { url: 'not a url' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['export', 'url']);
  });
});
