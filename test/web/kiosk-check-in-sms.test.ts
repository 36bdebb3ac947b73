import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import type { EscPosPrinter } from '../../drivers/printer/driver.js';
import { KioskFlow } from '../../src/agent/flows/kiosk.js';
import { CardSlot, startKioskHttp } from '../../src/agent/kiosk-http.js';
import type { AgentLink } from '../../src/agent/link.js';
import { codeHash } from '../../src/bus/person.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { launchChromium } from '../helpers/browser.js';
import { freePort } from '../helpers/mosquitto.js';
import { hallClock, startAgent, startServer, tempDb, wireConfig, type ServerRig } from '../wire/rig.js';

const KEY = Buffer.from('the-hall-id-hash-key-for-this-test');

/**
 * A check-in by code at a kiosk whose printer is out, in a hall that sends SMS (the #13 tryout's R3): the
 * SMS ticket needs a phone, but a code with no booking is told at once, before the citizen types a phone
 * for nothing; a code with a booking goes on to the phone step. The agent answers phone-required only
 * after it found the booking, which is what the page asks first.
 */
describe('appointment check-in with the printer out and SMS on', () => {
  let broker: EmbeddedBroker | undefined;
  let server: ServerRig | undefined;
  let link: AgentLink | undefined;
  let kioskHttp: Awaited<ReturnType<typeof startKioskHttp>> | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let base = '';
  const checkIns: unknown[] = [];
  const printer = { health: 'out', print: () => Promise.reject(new Error('the printer is out: nothing may print')) };

  beforeAll(async () => {
    const clock = hallClock();
    broker = await startEmbeddedBroker();
    server = await startServer(broker.url, tempDb(), clock);
    expect(server.mqtt.run({ id: 'configure-sms', type: 'Configure', config: { ...wireConfig, smsEnabled: true }, source: 'system' }).ok).toBe(true);
    const person = { idHash: 'hash-of-a-card', idMasked: '1101**********002X' };
    const appointment = { id: 'ap-code', serviceId: 'A', slotStart: clock() + 5 * 60_000, slotEnd: clock() + 35 * 60_000, person, codeHash: codeHash('QX7K2M', KEY) };
    expect(server.mqtt.run({ id: 'book-ap-code', type: 'BookAppointment', appointment }).ok).toBe(true);
    link = await startAgent(broker.url, 'kiosk-1');
    await link.reach(server.engine.state.seq);
    const kiosk = new KioskFlow(link, printer as unknown as EscPosPrinter, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock });
    const port = await freePort();
    kioskHttp = await startKioskHttp(link, kiosk, new CardSlot(), { host: '127.0.0.1', port, statusBaseUrl: 'http://hall.test', idHashKey: KEY }, silentLogger);
    base = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
    page = await (await browser.newContext({ hasTouch: true, viewport: { width: 1080, height: 1920 } })).newPage();
    page.on('request', (r) => {
      if (r.url().endsWith('/kiosk/api/check-in')) checkIns.push(JSON.parse(r.postData() ?? 'null'));
    });
    await page.goto(`http://hall.test:${port}/kiosk`);
    await page.waitForSelector('#printer:not(.hidden)');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (kioskHttp) {
      const h = kioskHttp;
      h.closeAllConnections();
      await new Promise<void>((r) => h.close(() => r()));
    }
    await link?.stop();
    await server?.stop();
    await broker?.close();
  });

  const checkInByCode = async (code: string) => {
    await page.tap('#checkin');
    await page.waitForSelector('#checkin-step:not(.hidden)');
    await page.fill('#checkin-input', code);
    await page.tap('#checkin-go');
    await page.waitForSelector('#error:not(.hidden), #phone-step:not(.hidden)');
  };

  it('the agent: a code with no booking is 404 before the phone is asked for; a booked one is 400 phone-required', async () => {
    const post = async (body: unknown) => {
      const res = await fetch(`${base}/kiosk/api/check-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code };
    };
    expect(await post({ code: 'NOSUCH1', smsOnly: true })).toEqual({ status: 404, code: 'unknown-appointment' });
    expect(await post({ code: 'QX7K2M', smsOnly: true })).toEqual({ status: 400, code: 'phone-required' });
    // Nothing was checked in by either.
    expect(server?.engine.state.appointments['ap-code']?.status).toBe('booked');
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
    expect(server?.engine.state.appointments['ap-code']?.status).toBe('checked-in');
  });
});
