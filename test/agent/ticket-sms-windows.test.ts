/**
 * The tryout's G008 / H002: with no window open that serves the service, the paper said 请留意叫号屏
 * and the issued SMS named the windows configured for the service (请到1、2号窗口办理). The windows an
 * SMS names must be the paper's, in every hall state: none when none is open, in the same words.
 * The paper is worded from the ticket's issue figures as the kiosk prints them (kiosk.ts), the SMS
 * from the issued notice the core owes as the outbox renders it (outbox.ts, templates.ts).
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
import type { HallEvent, HallState } from '../../src/core/index.js';
import { outboxParamsOf } from '../../src/server/sms/outbox.js';
import { DEFAULT_TEMPLATES, renderSms, smsVars, templateFor } from '../../src/server/sms/templates.js';
import { Hall, type DistributiveOmit } from '../core/fixtures.js';
import type { Command } from '../../src/core/index.js';
import { hallClock, startAgent, startServer, tempDb, type ServerRig } from '../wire/rig.js';

type Notice = Extract<HallEvent, { type: 'NotificationDue' }>;

/** The window numbers a text sends the citizen to (请到 3、5 号窗口…), in order; [] when it names none. */
function windowsNamed(text: string): number[] {
  const m = /请到 ?([\d、]+) ?号窗口/.exec(text);
  return m?.[1] ? m[1].split('、').map(Number) : [];
}

/** The paper's text, line by line, as the kiosk prints it from the figures the ticket was issued with. */
function paperOf(state: HallState, ticketId: string): string {
  const t = state.tickets[ticketId];
  const config = state.config;
  const service = config?.services.find((s) => s.id === t?.serviceId);
  const f = t?.atIssue;
  if (!t || !f || !config || !service) throw new Error(`no issue figures for ${ticketId}`);
  const doc = printedTicket({ hallName: config.name, number: t.number, serviceName: service.name, position: f.position, ...(f.waitMinutes === undefined ? {} : { estimatedWaitMinutes: f.waitMinutes }), windows: [...f.windows], issuedAt: 0, utcOffsetMinutes: config.utcOffsetMinutes, noShow: config.policy.noShow });
  return textOf(doc);
}

function textOf(doc: PrintDocument): string {
  return doc.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
}

/** A notice as its SMS reads (the modem's text, with the default templates). */
function smsOf(state: HallState, e: Notice): string {
  const params = outboxParamsOf(e);
  return renderSms(DEFAULT_TEMPLATES[templateFor(e.reason, params)], smsVars(params, state));
}

/** What the paper and the issued SMS say of the windows agree; a window-less paper's words are the SMS's too. */
function expectSameWindows(paper: string, sms: string): void {
  expect(windowsNamed(sms), `paper:\n${paper}\nsms: ${sms}`).toEqual(windowsNamed(paper));
  expect(sms).not.toMatch(/请到 ?号/);
  if (windowsNamed(paper).length === 0) {
    expect(paper).toContain('请留意叫号屏');
    expect(sms).toContain('请留意叫号屏');
    expect(sms).toContain('暂无开放窗口，开放后计算');
  }
}

type Cmd = DistributiveOmit<Command, 'id'>;
type Step = { k: 'window'; type: 'OpenWindow' | 'PauseWindow' | 'ResumeWindow' | 'CloseWindow'; window: number } | { k: 'issue'; service: 'A' | 'B' } | { k: 'call'; window: number } | { k: 'advance'; minutes: number };

const windowStep = fc.record({ k: fc.constant('window' as const), type: fc.constantFrom('OpenWindow' as const, 'PauseWindow' as const, 'ResumeWindow' as const, 'CloseWindow' as const), window: fc.constantFrom(1, 2, 3) });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: windowStep },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('issue' as const), service: fc.constantFrom('A' as const, 'B' as const) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('call' as const), window: fc.constantFrom(1, 2, 3) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('advance' as const), minutes: fc.integer({ min: 0, max: 15 }) }) },
);

function commandOf(s: Step): Cmd | undefined {
  if (s.k === 'issue') return { type: 'IssueTicket', serviceId: s.service, delivery: 'none' };
  if (s.k === 'call') return { type: 'CallNext', window: s.window };
  if (s.k === 'advance') return undefined;
  if (s.type === 'OpenWindow') return { type: 'OpenWindow', window: s.window, staffId: `s${s.window}` };
  if (s.type === 'PauseWindow') return { type: 'PauseWindow', window: s.window, reason: 'break' };
  return { type: s.type, window: s.window };
}

function play(h: Hall, s: Step): void {
  const cmd = commandOf(s);
  if (cmd) h.run(cmd);
  else if (s.k === 'advance') h.advance(s.minutes);
}

/** A printed ticket issued in `h`, with `between` run while it prints; its issued notice. */
function printAndCut(h: Hall, service: 'A' | 'B', between: Step[]): { ticketId: string; issued: Notice; notices: Notice[] } {
  const r = h.run({ type: 'IssueTicket', serviceId: service, delivery: 'print' });
  const ticketId = r.outcome.ok ? r.outcome.ticketId : undefined;
  if (!ticketId) throw new Error('issue refused');
  for (const s of between) play(h, s);
  h.run({ type: 'PrintConfirmed', ticketId });
  const notices = h.events('NotificationDue').filter((e) => e.ticketId === ticketId);
  const issued = notices.find((e) => e.reason === 'issued');
  if (!issued) throw new Error('no issued notice');
  return { ticketId, issued, notices };
}

describe('the issued SMS names the windows its paper names', () => {
  // hallConfig(): A and B at windows 1–2, B then A at window 3; window 4 serves C only.
  it.each<[string, number[], Step[]]>([
    ['no window open', [], []],
    ['every window that serves it paused', [], [1, 2, 3].flatMap((w): Step[] => [{ k: 'window', type: 'OpenWindow', window: w }, { k: 'window', type: 'PauseWindow', window: w }])],
    ['the one window open closed', [], [{ k: 'window', type: 'OpenWindow', window: 1 }, { k: 'window', type: 'CloseWindow', window: 1 }]],
    ['only window 4 (C only) open', [], [{ k: 'window', type: 'OpenWindow', window: 4 }]],
    ['windows 1 and 3 open', [1, 3], [{ k: 'window', type: 'OpenWindow', window: 1 }, { k: 'window', type: 'OpenWindow', window: 3 }]],
    ['window 2 open, window 1 paused', [2], [{ k: 'window', type: 'OpenWindow', window: 1 }, { k: 'window', type: 'PauseWindow', window: 1 }, { k: 'window', type: 'OpenWindow', window: 2 }]],
  ])('%s: the windows %j on both', (_name, windows, before) => {
    const h = new Hall();
    for (const s of before) play(h, s);
    for (let i = 0; i < 3; i++) h.issue('A');
    const { ticketId, issued } = printAndCut(h, 'A', []);
    const paper = paperOf(h.state, ticketId);
    expect(windowsNamed(paper)).toEqual(windows);
    expectSameWindows(paper, smsOf(h.state, issued));
  });

  it('a window opened while the ticket printed: the issued SMS says the paper (none), the near notice the window', () => {
    const h = new Hall();
    const { ticketId, notices } = printAndCut(h, 'A', [{ k: 'window', type: 'OpenWindow', window: 1 }]);
    const issued = notices.find((e) => e.reason === 'issued');
    if (!issued) throw new Error('no issued notice');
    const paper = paperOf(h.state, ticketId);
    expect(windowsNamed(paper)).toEqual([]);
    expectSameWindows(paper, smsOf(h.state, issued));
    // It is next at an open window now: told so once, at that window.
    const near = notices.filter((e) => e.reason === 'near' || e.near === true);
    expect(near).toHaveLength(1);
    expect(near[0]).toMatchObject({ reason: 'near', windows: [1] });
    expect(smsOf(h.state, near[0] as Notice)).toBe('【测试政务服务中心】A001即将叫号，请到1号窗口附近等候。');
  });

  it('property: over hall states, and windows opening, pausing or closing during the print', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 25 }), fc.constantFrom('A' as const, 'B' as const), fc.array(windowStep, { maxLength: 2 }), (steps, service, between) => {
        const h = new Hall();
        for (const s of steps) play(h, s);
        const { ticketId, issued, notices } = printAndCut(h, service, between);
        expectSameWindows(paperOf(h.state, ticketId), smsOf(h.state, issued));
        // Every notice it is owed names a window only where one is open for it, never an empty 请到号窗口.
        for (const e of notices) expect(smsOf(h.state, e)).not.toMatch(/请到 ?号/);
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * The tryout through the kiosk: every window paused, a ticket issued at the kiosk and printed; its
 * paper, the kiosk's answer and the SMS of the server's issued notice name the same windows (none).
 */
describe('through the kiosk and the server, with every window paused', () => {
  let broker: EmbeddedBroker | undefined;
  let server: ServerRig | undefined;
  let link: AgentLink | undefined;
  afterAll(async () => {
    await link?.stop();
    await server?.stop();
    await broker?.close();
  });

  it('paper, kiosk answer and SMS name no window; once window 1 opens, all three name it', async () => {
    const clock = hallClock();
    broker = await startEmbeddedBroker();
    server = await startServer(broker.url, tempDb(), clock);
    link = await startAgent(broker.url, 'kiosk-1');
    const rig = server;
    const ok = (cmd: Cmd & { id: string }) => expect(rig.mqtt.run({ ...cmd, source: 'system' } as Command).ok).toBe(true);
    ok({ id: 'open-1', type: 'OpenWindow', window: 1, staffId: 's1' });
    ok({ id: 'pause-1', type: 'PauseWindow', window: 1, reason: 'break' });
    const printed: PrintDocument[] = [];
    const printer = {
      health: 'ok',
      print: (doc: PrintDocument) => {
        printed.push(doc);
        return Promise.resolve({ confirmation: 'device' });
      },
    } as unknown as EscPosPrinter;
    const kiosk = new KioskFlow(link, printer, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock });
    const issueAndRead = async () => {
      const r = await kiosk.issue({ serviceId: 'A' });
      if (!r.ok) throw new Error(`issue refused: ${r.code}`);
      await kiosk.settled();
      const doc = printed.at(-1);
      if (!doc) throw new Error('nothing printed');
      const notice = rig.engine.eventsAfter(0, 10_000).find((e): e is Notice => e.type === 'NotificationDue' && e.ticketId === r.ticketId && e.reason === 'issued');
      if (!notice) throw new Error('no issued notice');
      return { answer: r.windows, paper: textOf(doc), sms: smsOf(rig.engine.state, notice) };
    };
    const paused = await issueAndRead();
    expect(paused.answer).toEqual([]);
    expect(windowsNamed(paused.paper)).toEqual([]);
    expectSameWindows(paused.paper, paused.sms);
    ok({ id: 'resume-1', type: 'ResumeWindow', window: 1 });
    const open = await issueAndRead();
    expect(open.answer).toEqual([1]);
    expect(windowsNamed(open.paper)).toEqual([1]);
    expectSameWindows(open.paper, open.sms);
  }, 60_000);
});
