/**
 * The tryout's rush: five kiosk issues at once on an empty queue all printed 前面还有 0 人 and 即将叫号,
 * because each issue's figures counted only itself while the four others were still printing. Through
 * the real path (KioskFlow, AgentLink, the broker, MqttServer, the engine; the status page over HTTP):
 * the printer holds every paper until all five are being printed, so all five are issued before any
 * cut. Each paper must then say the people ahead it will have, the issued SMS the same, and the status
 * page, once the cuts are in (no call between), the same position and wait.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import type { PrintDocument } from '../../drivers/printer/document.js';
import type { EscPosPrinter } from '../../drivers/printer/driver.js';
import { KioskFlow } from '../../src/agent/flows/kiosk.js';
import type { AgentLink } from '../../src/agent/link.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import type { TicketView } from '../../src/core/index.js';
import { DEFAULT_TEMPLATES, renderSms, smsVars } from '../../src/server/sms/templates.js';
import { hallClock, startAgent, startServer, tempDb, type ServerRig } from '../wire/rig.js';

const RUSH = 5;
const WAIT = /即将叫号|预计等候约 \d+ 分钟|暂无开放窗口，开放后计算/;

/** What a paper or a message says: its number, the people ahead and the wait, as a citizen reads them. */
function read(text: string): { number: string | undefined; ahead: string | undefined; wait: string | undefined } {
  return { number: /\b(B\d{3})\b/.exec(text)?.[1], ahead: /前面还有 ?(\d+) ?人/.exec(text)?.[1], wait: WAIT.exec(text)?.[0] };
}

const paperText = (doc: PrintDocument) => doc.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');

describe('five kiosk issues at once', () => {
  let broker: EmbeddedBroker | undefined;
  let server: ServerRig | undefined;
  let link: AgentLink | undefined;
  afterAll(async () => {
    await link?.stop();
    await server?.stop();
    await broker?.close();
  });

  it('print 前面还有 0..4 人, and the issued SMS and the status page after the cuts say what each paper says', async () => {
    const clock = hallClock();
    broker = await startEmbeddedBroker();
    server = await startServer(broker.url, tempDb(), clock);
    link = await startAgent(broker.url, 'kiosk-1');
    const rig = server;
    expect(rig.mqtt.run({ id: 'open-1', type: 'OpenWindow', window: 1, staffId: 's1', source: 'system' }).ok).toBe(true);
    // The printer: no paper is cut before all five are on their way out (a gate, not a delay).
    const printed: PrintDocument[] = [];
    let release = () => {};
    const allIssued = new Promise<void>((resolve) => (release = resolve));
    const printer = {
      health: 'ok',
      print: async (doc: PrintDocument) => {
        printed.push(doc);
        if (printed.length === RUSH) release();
        await allIssued;
        return { confirmation: 'device' };
      },
    } as unknown as EscPosPrinter;
    const kiosk = new KioskFlow(link, printer, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock });
    const results = await Promise.all(Array.from({ length: RUSH }, () => kiosk.issue({ serviceId: 'B' })));
    await kiosk.settled();

    const answers = results.map((r) => (r.ok ? r : undefined));
    expect(answers.every((r) => r?.printed === true)).toBe(true);
    // Numbers are given in the server's order of the five issues; each paper says its place in it.
    const papers = printed.map((d) => read(paperText(d))).sort((a, b) => (a.number ?? '').localeCompare(b.number ?? ''));
    expect(papers.map((p) => [p.number, p.ahead])).toEqual([
      ['B001', '0'],
      ['B002', '1'],
      ['B003', '2'],
      ['B004', '3'],
      ['B005', '4'],
    ]);
    // One window, all five waiting for it: only the first is called at once.
    expect(papers.map((p) => p.wait === '即将叫号')).toEqual([true, false, false, false, false]);
    expect(new Set(papers.map((p) => p.wait)).size).toBe(RUSH);

    for (const r of answers) {
      if (!r?.statusToken) throw new Error('no status token in the kiosk answer');
      const paper = papers.find((p) => p.number === r.number);
      expect(r.position - 1).toBe(Number(paper?.ahead));
      // The issued SMS the server sent at the cut.
      const notice = rig.engine.eventsAfter(0, 10_000).find((e) => e.type === 'NotificationDue' && e.ticketId === r.ticketId && e.reason === 'issued');
      if (notice?.type !== 'NotificationDue') throw new Error(`no issued notice for ${r.number}`);
      const params = { number: notice.number, serviceId: notice.serviceId, windows: notice.windows, ...(notice.position === undefined ? {} : { position: notice.position }), ...(notice.waitMinutes === undefined ? {} : { waitMinutes: notice.waitMinutes }), ...(notice.near ? { near: true } : {}) };
      const sms = renderSms(DEFAULT_TEMPLATES[notice.near ? 'issuedNear' : 'issued'], smsVars(params, rig.engine.state));
      expect(read(sms), sms).toEqual(paper);
      // The status page, every cut confirmed and no call made since the issues.
      const res = await fetch(`${rig.baseUrl}/api/status/${r.statusToken}`);
      const view = (await res.json()) as TicketView;
      expect({ status: view.status, position: view.position, wait: view.estimatedWaitMinutes }).toEqual({ status: 'waiting', position: r.position, wait: r.estimatedWaitMinutes });
    }
  }, 60_000);
});
