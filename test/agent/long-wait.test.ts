/**
 * Long estimated waits (tryout: a ticket printed 预计等候约 5827 分钟). Up to two hours the wait is
 * told in minutes; past it 超过2小时 / over 2 h, on every surface that tells it: the paper (the
 * ESC/POS bytes as the printer emulator decodes them), the issued SMS's text, the status API and the
 * status page in Chromium. The raw minutes stay in the machine field `estimatedWaitMinutes`.
 *
 * One open window, busy with A001: a ticket at wait position k waits k service times of A, so A's mean
 * (reconfigured before each issue) sets the estimate exactly.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { KioskFlow } from '../../src/agent/flows/kiosk.js';
import type { AgentLink } from '../../src/agent/link.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import type { OutboxParams } from '../../src/server/sms/outbox.js';
import { DEFAULT_TEMPLATES, renderSms, smsVars } from '../../src/server/sms/templates.js';
import { openPtyPrinter, type PtyPrinter } from '../faults/pty-printer.js';
import { launchChromium } from '../helpers/browser.js';
import { hallClock, startAgent, startServer, tempDb, wireConfig, type ServerRig } from '../wire/rig.js';

// [estimated minutes, wait position, the ticket's and the SMS's sentence, the status page's words, the SMS's {wait}]
const CASES = [
  [119, 1, '预计等候约 119 分钟', { zh: '约 119 分钟', en: 'about 119 min' }, '119'],
  [120, 2, '预计等候约 120 分钟', { zh: '约 120 分钟', en: 'about 120 min' }, '120'],
  [121, 3, '预计等候超过2小时', { zh: '超过2小时', en: 'over 2 h' }, '超过120'],
  [5827, 4, '预计等候超过2小时', { zh: '超过2小时', en: 'over 2 h' }, '超过120'],
] as const;

describe('an estimated wait past two hours is told as 超过2小时 / over 2 h', () => {
  const clock = hallClock();
  let broker: EmbeddedBroker | undefined;
  let server: ServerRig | undefined;
  let link: AgentLink | undefined;
  let printer: PtyPrinter | undefined;
  let browser: Browser | undefined;
  let kiosk: KioskFlow;
  beforeAll(async () => {
    broker = await startEmbeddedBroker();
    server = await startServer(broker.url, tempDb(), clock);
    link = await startAgent(broker.url, 'kiosk-1');
    printer = await openPtyPrinter({ logger: silentLogger });
    kiosk = new KioskFlow(link, printer.printer, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock });
    browser = await launchChromium();
    const run = server.mqtt.run.bind(server.mqtt);
    expect(run({ id: 'open-1', type: 'OpenWindow', window: 1, staffId: 's1', source: 'system' }).ok).toBe(true);
    expect(run({ id: 'walk-in', type: 'IssueTicket', serviceId: 'A', delivery: 'none', source: 'system' }).ok).toBe(true);
    expect(run({ id: 'call-1', type: 'CallNext', window: 1, source: 'system' }).ok).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await link?.stop();
    await printer?.close();
    await server?.stop();
    await broker?.close();
  });

  it.each(CASES)('%s minutes (wait position %s): %s', async (minutes, position, sentence, words, bare) => {
    if (!server || !link || !printer || !browser) throw new Error('the rig did not start');
    const rig = server;
    const avgServiceMinutes = minutes / position;
    const configured = rig.mqtt.run({ id: `configure-${minutes}`, type: 'Configure', config: { ...wireConfig, services: wireConfig.services.map((s) => (s.id === 'A' ? { ...s, avgServiceMinutes } : s)) }, source: 'system' });
    expect(configured.ok).toBe(true);
    await link.reach(rig.engine.state.seq);

    const paper = printer.emulator.nextTicket();
    const r = await kiosk.issue({ serviceId: 'A' });
    if (!r.ok) throw new Error(`not issued: ${r.code}`);
    expect(r).toMatchObject({ position, estimatedWaitMinutes: minutes, estimatedWait: words });
    await kiosk.settled();

    // The paper, as the printer decoded it.
    const lines = (await paper).blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
    expect(lines).toContain(sentence);

    // The issued SMS, as the server words it from the notice it made.
    const notice = rig.engine.eventsAfter(0, 10_000).find((e) => e.type === 'NotificationDue' && e.ticketId === r.ticketId && e.reason === 'issued');
    if (notice?.type !== 'NotificationDue') throw new Error('no issued notice');
    const params: OutboxParams = { number: notice.number, serviceId: notice.serviceId, windows: notice.windows, ...(notice.position === undefined ? {} : { position: notice.position }), ...(notice.waitMinutes === undefined ? {} : { waitMinutes: notice.waitMinutes }) };
    const vars = smsVars(params, rig.engine.state);
    expect(renderSms(DEFAULT_TEMPLATES.issued, vars)).toContain(`，${sentence}，`);
    expect(renderSms('预计等候{wait}分钟', vars)).toBe(`预计等候${bare}分钟`);

    // The status API over HTTP: the words for display, the raw minutes for machines.
    const res = await fetch(`${rig.baseUrl}/api/status/${r.statusToken ?? ''}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ number: r.number, status: 'waiting', position, estimatedWaitMinutes: minutes, estimatedWait: words });

    // The status page behind the QR code, on a phone, in both languages.
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await page.goto(`${rig.baseUrl.replace('127.0.0.1', 'hall.test')}/s/${r.statusToken ?? ''}`);
      await page.waitForSelector(`#number:text-is("${r.number}")`);
      expect(await page.textContent('#wait')).toBe(words.zh);
      await page.click('#lang');
      await page.waitForSelector('html[lang="en"]');
      expect(await page.textContent('#wait')).toBe(words.en);
    } finally {
      await page.close();
    }
  }, 60_000);
});
