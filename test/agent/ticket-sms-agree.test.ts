/**
 * issue 13: the printed ticket and the "issued" SMS say the same thing. For generated tickets, the
 * text each one carries is read back (as a citizen reads it) and compared: number, service, people
 * ahead, the wait, the status link and the no-show rule. Both are worded by src/core/ticket-notice.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { printedTicket } from '../../src/agent/ticket-document.js';
import { hallConfigOf, loadConfigOrThrow } from '../../src/config/load.js';
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

const WAIT = /即将叫号|预计等候约 \d+ 分钟|预计等候—分钟/;
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
    [undefined, '预计等候—分钟'],
  ])('a wait of %s minutes reads %s on both', (wait, words) => {
    const state: HallState = { ...emptyState(), config: demo };
    const params: OutboxParams = { number: 'A003', serviceId: demo.services[0]?.id ?? 'social', windows: [3], position: 3, ...(wait === undefined ? {} : { waitMinutes: wait }) };
    const sms = renderSms(DEFAULT_TEMPLATES.issued, smsVars(params, state));
    expect(readSms(sms).wait).toBe(words);
    const doc = printedTicket({ hallName: demo.name, number: 'A003', serviceName: demo.services[0]?.name ?? { zh: '', en: '' }, position: 3, ...(wait === undefined ? {} : { estimatedWaitMinutes: wait }), windows: [3], issuedAt: 0, utcOffsetMinutes: 480, noShow: demo.policy.noShow });
    expect(doc.blocks.some((b) => b.type === 'text' && b.text === words)).toBe(true);
  });
});
