import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { KioskFlow } from '../../src/agent/flows/kiosk.js';
import { startEmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { smsSchema } from '../../src/config/schema.js';
import { epochOf } from '../../src/core/index.js';
import { startSms, type SmsService } from '../../src/server/sms/sms-service.js';
import type { DeliveryResult } from '../../src/server/sms/delivery.js';
import { launchChromium } from '../helpers/browser.js';
import { startAgent, startServer, tempDb } from '../wire/rig.js';
import { modemInbox } from './fixtures.js';

const PHONE = '13912345678';
const SECOND = '13800000001';

/**
 * 离场评价 (Songjiang §6.6.1.1) from the server's side to the citizen's phone: a served ticket not rated
 * on the keypad gets the ratingLink SMS (real AtModem ↔ modem emulator over a pty) once the keypad's
 * time has passed; the page behind the link (Chromium) rates once, bound to the window and staff.
 */
describe('the off-site rating link', () => {
  const stops: (() => Promise<void>)[] = [];
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    for (const stop of stops.reverse()) await stop();
  });

  it('SMS with the link after the service; the page submits once; a keypad-rated ticket gets none', async () => {
    const logs: LogRecord[] = [];
    const log = recordingLogger(logs);
    const base = epochOf('2026-11-23', 600, 480);
    const start = Date.now();
    let offset = 0;
    const clock = () => base + (Date.now() - start) + offset;
    const broker = await startEmbeddedBroker();
    stops.push(() => broker.close());
    const database = tempDb();
    const server = await startServer(broker.url, database, clock, logs);
    stops.push(() => server.stop());
    const port = new URL(server.baseUrl).port;
    const inbox = await modemInbox(log);
    stops.push(() => inbox.close());
    const config = smsSchema.parse({ provider: 'modem', modem: { path: inbox.pty.host, baudRate: 115200 }, ratingLink: { baseUrl: `http://hall.test:${port}`, validMinutes: 30 } });
    const sms: SmsService | undefined = startSms({ config, database, engine: server.engine, mqtt: server.mqtt, clock, logger: log });
    if (!sms) throw new Error('sms off');
    stops.push(() => sms.stop());
    const results: DeliveryResult[] = [];
    sms.delivery.onResult((r) => results.push(r));

    // kiosk-1 holds window 2's caller and rating keypads (test/wire/rig.ts).
    const agent = await startAgent(broker.url, 'kiosk-1', logs);
    stops.push(() => agent.stop());
    const kiosk = new KioskFlow(agent, undefined, { statusBaseUrl: 'http://hall.test', logger: log, clock });
    const send = async (cmd: Parameters<typeof agent.send>[0]) => expect((await agent.send(cmd)).ok).toBe(true);
    await send({ type: 'OpenWindow', window: 2, staffId: 's2', source: 'caller-keypad' });
    const serve = async (phone: string) => {
      const t = await kiosk.issue({ serviceId: 'A', smsOnly: true, phone });
      if (!t.ok) throw new Error(t.code);
      await send({ type: 'CallNext', window: 2, source: 'caller-keypad' });
      await send({ type: 'Complete', window: 2, source: 'caller-keypad' });
      return t.ticketId;
    };
    /** Resolves when the row's fate is known (sent or dropped: under load a notice may find the ticket already done). */
    const settled = (ticketId: string, reason: string) =>
      new Promise<void>((resolve) => {
        const done = () => results.some((r) => r.ticketId === ticketId && r.reason === reason && r.outcome !== 'retry');
        if (done()) return resolve();
        const off = sms.delivery.onResult(() => {
          if (!done()) return;
          off();
          resolve();
        });
      });
    const mine = await serve(PHONE);
    await Promise.all([settled(mine, 'issued'), settled(mine, 'called')]);
    const before = inbox.received.length;
    expect(sms.outbox.get(mine, 'rating-link')).toMatchObject({ state: 'pending' });

    // The keypad's time to rate (120 s) passes: the link is sent, once.
    offset += 121_000;
    sms.delivery.kick();
    await settled(mine, 'rating-link');
    const [linkSms] = (await inbox.arrived(before + 1)).slice(before);
    expect(linkSms?.phone).toBe(`+86${PHONE}`);
    const match = /^【联调大厅】您办理的(A\d{3})（社保）已办结，请对本次服务进行评价：(http:\/\/hall\.test:\d+\/r\/(\S+)) （30分钟内有效）$/.exec(linkSms?.text ?? '');
    expect(match, linkSms?.text).not.toBeNull();
    const [, number, link = '', token = ''] = match ?? [];

    // The page: no personal data, five grades, an optional comment, submitted once.
    browser = await launchChromium();
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors: string[] = [];
    phone.on('pageerror', (e) => errors.push(e.message));
    await phone.goto(link);
    await phone.waitForSelector(`#about:text("${number} · 社保 · 2号窗口")`);
    expect(await phone.locator('[data-grade]').count()).toBe(5);
    const body = (await phone.textContent('body')) ?? '';
    for (const secret of [PHONE, '139****5678', 's2']) expect(body).not.toContain(secret);
    await phone.click('[data-grade="dissatisfied"]');
    await phone.fill('#comment', '等候时间太长');
    await phone.click('#submit');
    await phone.waitForSelector('#result:text("感谢您的评价 · Thank you for rating")');
    await phone.reload();
    await phone.waitForSelector('#result:text("您已评价，感谢您的反馈 · Already rated, thank you")');
    const again = await phone.evaluate(async (tk) => (await fetch(`/api/rating/${tk}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grade":"very-satisfied"}' })).json(), token);
    expect(again).toMatchObject({ error: { code: 'rating-duplicate' } });
    const rated = server.engine.eventsAfter(0).filter((e) => e.type === 'RatingRecorded');
    expect(rated).toMatchObject([{ rating: { ticketId: mine, window: 2, staffId: 's2', grade: 'dissatisfied', channel: 'offsite', comment: '等候时间太长' } }]);

    // Staff can never submit it: with a staff session cookie the route refuses before it looks.
    const staff = await fetch(`${server.baseUrl}/api/rating/${token}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: 'hallq_session=x' }, body: '{"grade":"satisfied"}' });
    expect(staff.status).toBe(403);

    // A ticket rated on the keypad within its time gets no link.
    const second = await serve(SECOND);
    await send({ type: 'RequestRating', window: 2, source: 'caller-keypad' });
    await send({ type: 'Rate', window: 2, grade: 'satisfied', source: 'rating-device' });
    offset += 121_000;
    const dropped = settled(second, 'rating-link');
    sms.delivery.kick();
    await dropped;
    expect(results.find((r) => r.ticketId === second && r.reason === 'rating-link')).toMatchObject({ outcome: 'dropped', code: 'ALREADY_RATED' });

    // The link expires: after 30 minutes the page says so.
    offset += 31 * 60_000;
    const expired = await fetch(`${server.baseUrl}/api/rating/${token}`);
    expect(await expired.json()).toMatchObject({ expired: true, rated: true });
    expect(errors).toEqual([]);
    expect(JSON.stringify(logs)).not.toContain(PHONE);
  }, 240_000);
});
