import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HallqError } from '../../drivers/common/error.js';
import { codeHash } from '../../src/bus/person.js';
import { startKioskRig, type KioskRig } from '../helpers/kiosk-rig.js';

const KEY = Buffer.from('the-hall-id-hash-key-for-this-test');

/**
 * A check-in by code at a kiosk whose printer is out, in a hall that sends SMS (the #13 tryout's R3): the
 * SMS ticket needs a phone, but a code with no booking is told at once, before the citizen types a phone
 * for nothing; a code with a booking goes on to the phone step. The agent answers phone-required only
 * after it found the booking, which is what the page asks first.
 */
describe('appointment check-in with the printer out and SMS on', () => {
  let rig: KioskRig | undefined;
  let page: Page;
  const checkIns: unknown[] = [];
  // Out at first (the SMS steps); later up, and its next print jams once (the paper-jam retry).
  const printer = { health: 'out', jams: 0, print: () => (printer.health === 'ok' && printer.jams-- <= 0 ? Promise.resolve({ confirmation: 'device' }) : Promise.reject(new HallqError('PAPER_OUT', 'paper ran out mid-ticket'))) };

  beforeAll(async () => {
    const person = { idHash: 'hash-of-a-card', idMasked: '1101**********002X' };
    rig = await startKioskRig({
      smsEnabled: true,
      printer,
      idHashKey: KEY,
      book: (server, clock) => {
        const appointment = { id: 'ap-code', serviceId: 'A', slotStart: clock() + 5 * 60_000, slotEnd: clock() + 35 * 60_000, person, codeHash: codeHash('QX7K2M', KEY) };
        expect(server.mqtt.run({ id: 'book-ap-code', type: 'BookAppointment', appointment }).ok).toBe(true);
        const jam = { ...appointment, id: 'ap-jam', person: { ...person, idHash: 'hash-of-another-card' }, codeHash: codeHash('PAPER7', KEY) };
        expect(server.mqtt.run({ id: 'book-ap-jam', type: 'BookAppointment', appointment: jam }).ok).toBe(true);
      },
    });
    page = await rig.page();
    page.on('request', (r) => {
      if (r.url().endsWith('/kiosk/api/check-in')) checkIns.push(JSON.parse(r.postData() ?? 'null'));
    });
    await page.goto(rig.pageUrl);
    await page.waitForSelector('#printer:not(.hidden)');
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
  });

  /** The kiosk's check-in API as the page calls it: status and body. */
  const postCheckIn = async (body: unknown) => {
    const res = await fetch(`${rig?.base ?? ''}/kiosk/api/check-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { number?: string; error?: { code: string; message: string; messageZh: string } } };
  };

  const checkInByCode = async (code: string) => {
    await page.tap('#checkin');
    await page.waitForSelector('#checkin-step:not(.hidden)');
    await page.fill('#checkin-input', code);
    await page.tap('#checkin-go');
    await page.waitForSelector('#error:not(.hidden), #phone-step:not(.hidden)');
  };

  it('the agent: a code with no booking is 404 before the phone is asked for; a booked one is 400 phone-required', async () => {
    const codeOf = async (body: unknown) => {
      const r = await postCheckIn(body);
      return { status: r.status, code: r.body.error?.code };
    };
    expect(await codeOf({ code: 'NOSUCH1', smsOnly: true })).toEqual({ status: 404, code: 'unknown-appointment' });
    expect(await codeOf({ code: 'QX7K2M', smsOnly: true })).toEqual({ status: 400, code: 'phone-required' });
    // Nothing was checked in by either.
    expect(rig?.server.engine.state.appointments['ap-code']?.status).toBe('booked');
  });

  it('the page: a wrong code is said at once, with no phone step', async () => {
    checkIns.length = 0;
    await checkInByCode('NOSUCH1');
    expect(await page.isVisible('#phone-step')).toBe(false);
    expect(await page.textContent('#error-text')).toContain('没有今日的预约');
    expect(checkIns).toEqual([{ code: 'NOSUCH1', smsOnly: true }]);
    await page.tap('#error-back');
  });

  it('the page: a booked code goes on to the phone step, and the phone typed there finishes the check-in by SMS', async () => {
    checkIns.length = 0;
    await checkInByCode('QX7K2M');
    expect(await page.isVisible('#phone-step')).toBe(true);
    expect(await page.textContent('#take')).toContain('短信取号');
    expect(checkIns).toEqual([{ code: 'QX7K2M', smsOnly: true }]);
    for (const d of '13812345678') await page.tap(`#pad button[aria-label="${d}"]`);
    await page.tap('#take');
    await page.waitForSelector('#result:not(.hidden), #error:not(.hidden)');
    expect(checkIns).toEqual([{ code: 'QX7K2M', smsOnly: true }, { code: 'QX7K2M', phone: '13812345678', smsOnly: true }]);
    expect(await page.textContent('#result-head')).toContain('短信');
    expect(rig?.server.engine.state.appointments['ap-code']?.status).toBe('checked-in');
  });

  it('the agent: checked in before is its number, not "no appointment"; a check-in whose print jammed can be done again', async () => {
    const hall = rig!;
    const post = postCheckIn;
    // Checked in by SMS above: a second check-in by the same code is told its number, in both languages.
    const number = hall.server.engine.state.tickets[hall.server.engine.state.appointments['ap-code']?.ticketId ?? '']?.number ?? '';
    expect(number).toMatch(/^A\d{3}$/);
    const twice = await post({ code: 'qx7k2m' });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'appointment-checked-in' });
    expect(twice.body.error?.message).toContain(number);
    expect(twice.body.error?.messageZh).toContain(`您的号码是 ${number}`);
    // The printer back, its paper jams mid-ticket once: that ticket is voided, the booking stays usable.
    printer.health = 'ok';
    printer.jams = 1;
    await hall.link.reach(hall.server.engine.state.seq);
    const jammed = await post({ code: 'PAPER7' });
    expect(jammed.status).toBe(503);
    await hall.link.reach(hall.server.engine.state.seq);
    const jammedTicket = hall.server.engine.state.appointments['ap-jam']?.ticketId ?? '';
    expect(hall.server.engine.state.tickets[jammedTicket]?.status).toBe('voided');
    const retried = await post({ code: 'PAPER7' });
    expect(retried.status).toBe(200);
    expect(retried.body.number).toMatch(/^A\d{3}$/);
    expect(hall.server.engine.state.appointments['ap-jam']?.ticketId).not.toBe(jammedTicket);
  });
});
