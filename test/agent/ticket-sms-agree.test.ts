/**
 * issue 13: the printed ticket and the "issued" SMS say the same thing. For generated tickets, the
 * text each one carries is read back (as a citizen reads it) and compared: number, service, people
 * ahead, the wait, the status link and the no-show rule. Both are worded by src/core/ticket-notice.ts.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import type { PrintDocument } from '../../drivers/printer/document.js';
import type { EscPosPrinter } from '../../drivers/printer/driver.js';
import { KioskFlow } from '../../src/agent/flows/kiosk.js';
import type { AgentLink } from '../../src/agent/link.js';
import { printedTicket } from '../../src/agent/ticket-document.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { hallClock, startAgent, startServer, tempDb, type ServerRig } from '../wire/rig.js';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { hallConfigOf } from '../../src/config/hall-config.js';
import { emptyState, type HallState } from '../../src/core/index.js';
import type { OutboxParams } from '../../src/server/sms/outbox.js';
import { DEFAULT_TEMPLATES, renderSms, smsVars } from '../../src/server/sms/templates.js';

const demo = hallConfigOf(loadConfigOrThrow('config/demo.yaml'));

interface Read {
  number: string | undefined;
  service: string | undefined;
  ahead: string | undefined;
  wait: string | undefined;
  link: string | undefined;
  policy: string | undefined;
}

const WAIT = /即将叫号|预计等候约 \d+ 分钟|预计等候超过2小时|暂无开放窗口，开放后计算/;
const POLICY = /过号[^。]*/;

/** What the paper says, read line by line. */
function readTicket(doc: ReturnType<typeof printedTicket>, serviceZh: string): Read {
  const lines = doc.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
  const qr = doc.blocks.find((b) => b.type === 'qr');
  return {
    number: lines[1],
    service: lines.find((l) => l.startsWith(`${serviceZh} `))?.slice(0, serviceZh.length),
    ahead: /前面还有 (\d+) 人/.exec(lines.join('\n'))?.[1],
    wait: lines.find((l) => WAIT.test(l) && WAIT.exec(l)?.[0] === l),
    link: qr?.type === 'qr' ? qr.data : undefined,
    policy: lines.find((l) => POLICY.test(l)),
  };
}

/** What the phone says. */
function readSms(text: string): Read {
  return {
    number: /您已取号(\w+)（/.exec(text)?.[1],
    service: /您已取号\w+（(.+?)）/.exec(text)?.[1],
    ahead: /前面还有 ?(\d+) ?人/.exec(text)?.[1],
    wait: WAIT.exec(text)?.[0],
    link: /查看进度 (\S+)/.exec(text)?.[1],
    policy: POLICY.exec(text)?.[0],
  };
}

const facts = fc.record({
  prefix: fc.constantFrom('A', 'B', 'C', 'K'),
  n: fc.integer({ min: 1, max: 999 }),
  service: fc.record({ zh: fc.constantFrom('社会保障', '医保', '不动产登记', '出入境'), en: fc.constantFrom('Social', 'Medical', 'Property', 'Exit-entry') }),
  position: fc.integer({ min: 1, max: 80 }),
  wait: fc.option(fc.integer({ min: 0, max: 240 }), { nil: undefined }),
  windows: fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 }),
  token: fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), { nil: undefined }),
  noShow: fc.record({ requeueAfter: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }), maxRequeues: fc.integer({ min: 0, max: 3 }) }),
  near: fc.boolean(),
});

describe('the printed ticket and the issued SMS agree', () => {
  it('property: on number, service, people ahead, wait, status link and no-show rule', () => {
    fc.assert(
      fc.property(facts, (f) => {
        const number = `${f.prefix}${String(f.n).padStart(3, '0')}`;
        const serviceId = demo.services[0]?.id ?? 'social';
        const statusUrl = f.token === undefined ? undefined : `http://hall.example/s/${f.token}`;
        const state: HallState = { ...emptyState(), config: { ...demo, services: demo.services.map((s, i) => (i === 0 ? { ...s, name: f.service } : s)), policy: { ...demo.policy, noShow: f.noShow } } };
        const doc = printedTicket({
          hallName: demo.name,
          number,
          serviceName: f.service,
          position: f.position,
          ...(f.wait === undefined ? {} : { estimatedWaitMinutes: f.wait }),
          windows: f.windows,
          issuedAt: Date.UTC(2026, 10, 23, 2),
          utcOffsetMinutes: 480,
          ...(statusUrl ? { statusUrl } : {}),
          noShow: f.noShow,
        });
        const params: OutboxParams = { number, serviceId, windows: f.windows, position: f.position, ...(f.wait === undefined ? {} : { waitMinutes: f.wait }), ...(f.near ? { near: true } : {}) };
        const sms = renderSms(DEFAULT_TEMPLATES[f.near ? 'issuedNear' : 'issued'], smsVars(params, state, statusUrl));
        const paper = readTicket(doc, f.service.zh);
        const phone = readSms(sms);
        expect(paper.number).toBe(number);
        expect(paper.service).toBe(f.service.zh);
        expect(paper.ahead).toBe(String(f.position - 1));
        expect(paper.wait).toBeDefined();
        expect(paper.policy).toBeDefined();
        expect(phone, sms).toEqual(paper);
        // No placeholder left unfilled, and no made-up "0 分钟".
        expect(sms).not.toMatch(/\{\w+\}|\b0 ?分钟/);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    [0, '即将叫号'],
    [7, '预计等候约 7 分钟'],
    [undefined, '暂无开放窗口，开放后计算'],
  ])('a wait of %s minutes reads %s on both', (wait, words) => {
    const state: HallState = { ...emptyState(), config: demo };
    const params: OutboxParams = { number: 'A003', serviceId: demo.services[0]?.id ?? 'social', windows: [3], position: 3, ...(wait === undefined ? {} : { waitMinutes: wait }) };
    const sms = renderSms(DEFAULT_TEMPLATES.issued, smsVars(params, state));
    expect(readSms(sms).wait).toBe(words);
    const doc = printedTicket({ hallName: demo.name, number: 'A003', serviceName: demo.services[0]?.name ?? { zh: '', en: '' }, position: 3, ...(wait === undefined ? {} : { estimatedWaitMinutes: wait }), windows: [3], issuedAt: 0, utcOffsetMinutes: 480, noShow: demo.policy.noShow });
    expect(doc.blocks.some((b) => b.type === 'text' && b.text === words)).toBe(true);
  });
});

/**
 * issue 13, the tryout's C004 / A002: the paper was figured by the kiosk from its replica, the issued
 * SMS by the server at the cut, so a call between them made the two disagree. Here window 1 calls
 * the next ticket while the new one is being printed: the paper and the SMS must still agree.
 */
describe('the printed ticket and the issued SMS agree when the queue moves during the print', () => {
  let broker: EmbeddedBroker | undefined;
  let server: ServerRig | undefined;
  let link: AgentLink | undefined;
  afterAll(async () => {
    await link?.stop();
    await server?.stop();
    await broker?.close();
  });

  it('a call between the issue and the cut changes neither', async () => {
    const clock = hallClock();
    broker = await startEmbeddedBroker();
    server = await startServer(broker.url, tempDb(), clock);
    link = await startAgent(broker.url, 'kiosk-1');
    const rig = server;
    const agent = link;
    expect(rig.mqtt.run({ id: 'open-1', type: 'OpenWindow', window: 1, staffId: 's1', source: 'system' }).ok).toBe(true);
    for (let i = 0; i < 3; i++) expect(rig.mqtt.run({ id: `walk-in-${i}`, type: 'IssueTicket', serviceId: 'A', delivery: 'none', source: 'system' }).ok).toBe(true);
    const printed: PrintDocument[] = [];
    // The printer: while the ticket is on its way out, window 1 calls A001 and the replica hears of it.
    const printer = {
      health: 'ok',
      print: async (doc: PrintDocument) => {
        printed.push(doc);
        expect(rig.mqtt.run({ id: 'call-between', type: 'CallNext', window: 1, source: 'system' }).ok).toBe(true);
        await agent.reach(rig.engine.state.seq);
        return { confirmation: 'device' };
      },
    } as unknown as EscPosPrinter;
    const kiosk = new KioskFlow(link, printer, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock });
    const r = await kiosk.issue({ serviceId: 'A' });
    expect(r).toMatchObject({ ok: true, printed: true, position: 4 });
    if (!r.ok) return;
    await kiosk.settled();
    const [doc] = printed;
    if (!doc) throw new Error('nothing printed');
    // The issued notice the server made at the cut, rendered as the SMS it sends.
    const notice = rig.engine.eventsAfter(0, 10_000).find((e) => e.type === 'NotificationDue' && e.ticketId === r.ticketId && e.reason === 'issued');
    if (notice?.type !== 'NotificationDue') throw new Error('no issued notice');
    const params: OutboxParams = { number: notice.number, serviceId: notice.serviceId, windows: notice.windows, ...(notice.position === undefined ? {} : { position: notice.position }), ...(notice.waitMinutes === undefined ? {} : { waitMinutes: notice.waitMinutes }), ...(notice.near ? { near: true } : {}) };
    const sms = renderSms(DEFAULT_TEMPLATES[notice.near ? 'issuedNear' : 'issued'], smsVars(params, rig.engine.state));
    const paper = readTicket(doc, '社保');
    const phone = readSms(sms);
    expect(paper.ahead).toBe('3');
    expect(phone.ahead, sms).toBe(paper.ahead);
    expect(phone.wait, sms).toBe(paper.wait);
    expect(phone.number).toBe(paper.number);
  }, 60_000);
});
