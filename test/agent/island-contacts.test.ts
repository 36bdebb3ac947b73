import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { IslandContacts } from '../../src/agent/island/contacts.js';
import { IslandStore } from '../../src/agent/island/store.js';
import { AgentLink } from '../../src/agent/link.js';
import type { Request, Response } from '../../src/bus/messages.js';
import { emptyState, epochOf, execute } from '../../src/core/index.js';
import { scrubPersonalData } from '../../src/log/scrub.js';
import { allDayHall } from '../helpers/all-day-hall.js';

/**
 * The tryout: numbers kept during an island stayed in the island file, never sent, nothing logged; only
 * a restart sent them. The cause: a run of `returnAll` that reached no await (nothing kept, as at an
 * island's return with no phone given) cleared its `sending` before `??=` stored it, so the settled
 * promise stayed and every later call returned it without sending. Also: a send the server never
 * answered kept the run pending for ever, and a run stopped by a new island (NOT_CONNECTED) was tried
 * again only at the next island's return. A real AgentLink (no broker: its requests answered by the
 * test), a real island file, IslandContacts as the agent runs it (started: its retry triggers).
 */
const NOW = epochOf('2026-12-04', 600, 480);
const PHONES = ['13700137801', '13700137802', '13700137803'];
const dirs: string[] = [];

afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

type Answer = (req: Extract<Request, { type: 'contact' }>) => Response | 'hang';

function rig(opts: { retryMs?: number } = {}) {
  const state = emptyState();
  execute(state, { id: 'cfg', type: 'Configure', config: allDayHall('h', { zh: '测试大厅', en: 'Test hall' }, 2) }, NOW);
  const tickets: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = execute(state, { id: `t${i}`, type: 'IssueTicket', serviceId: 'A', delivery: 'print', source: 'kiosk' }, NOW);
    if (!r.outcome.ok || !r.outcome.ticketId) throw new Error('no ticket');
    tickets.push(r.outcome.ticketId);
  }
  const link = new AgentLink({ url: 'mqtt://127.0.0.1:1', hall: 'h', agentId: 'kiosk-1' }, recordingLogger([]));
  link.connected = true;
  link.rewind(state);
  const records: LogRecord[] = [];
  const sent: string[] = [];
  let answer: Answer = (req) => ({ id: req.id, status: 'ok', data: { stored: true } });
  vi.spyOn(link, 'request').mockImplementation((req, o = {}) => {
    if (req.type !== 'contact') return new Promise(() => undefined);
    sent.push(req.ticketId);
    const a = answer(req);
    if (a !== 'hang') return Promise.resolve(a);
    // As the link does: unanswered, withdrawn at `withinMs` (never, without one).
    return new Promise((resolve) => {
      if (o.withinMs !== undefined) setTimeout(() => resolve({ id: req.id, status: 'error', error: { code: 'REQUEST_TIMEOUT', message: 'withdrawn', messageZh: '已撤回' } }), o.withinMs);
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'hallq-island-contacts-'));
  dirs.push(dir);
  const store = IslandStore.open(join(dir, 'island.db'));
  const contacts = new IslandContacts(store, randomBytes(32), link, recordingLogger(records), { sendWithinMs: 300, retryMs: opts.retryMs ?? 60_000 });
  contacts.start();
  const online = () => link.handleMessage('hallq/v1/h/server/status', Buffer.from(JSON.stringify({ online: true })));
  const said = (msg: string) => records.filter((r) => r.msg === msg);
  const done = () => {
    contacts.stop();
    store.close();
    // No phone digits in any line: none typed, and nothing the log's scrub would take out.
    for (const p of PHONES) expect(JSON.stringify(records)).not.toContain(p);
    for (const x of records) expect(scrubPersonalData({ ...x.obj, msg: x.msg })).toEqual({ ...x.obj, msg: x.msg });
  };
  return { link, store, contacts, tickets, records, sent, online, said, done, setAnswer: (a: Answer) => (answer = a) };
}

describe('island contacts: a kept number goes to the server once it has the ticket, never left behind', () => {
  it('a return with no number kept leaves later returns working (the tryout: E046 never sent)', async () => {
    const r = rig();
    try {
      // The broker outage's return: nothing kept.
      await r.contacts.returnAll();
      // The next island: a phone kept; its return sends it.
      r.contacts.keep(r.tickets[0] as string, PHONES[0] as string);
      await r.contacts.returnAll();
      expect(r.sent).toEqual([r.tickets[0]]);
      expect(r.contacts.kept).toBe(0);
      expect(r.said('island contacts returned to the server')).toHaveLength(1);
    } finally {
      r.done();
    }
  });

  it('a return while a send waits unanswered: the wait is bounded, said once, and the numbers go at the next try', async () => {
    const r = rig();
    try {
      r.contacts.keep(r.tickets[0] as string, PHONES[0] as string);
      r.contacts.keep(r.tickets[1] as string, PHONES[1] as string);
      r.setAnswer(() => 'hang');
      const first = r.contacts.returnAll();
      await vi.waitFor(() => expect(r.sent).toHaveLength(1));
      // The island's return comes while that send waits; the server answers from now on.
      r.setAnswer((req) => ({ id: req.id, status: 'ok', data: { stored: true } }));
      expect(r.contacts.returnAll()).toBe(first);
      await first;
      await vi.waitFor(() => expect(r.contacts.kept).toBe(0));
      expect(r.sent).toEqual([r.tickets[0], r.tickets[0], r.tickets[1]]);
      expect(r.said('island contacts wait for the server: kept sealed, sent at its next status, reconnect or return, and tried again periodically')).toHaveLength(1);
      expect(r.said('island contacts: every kept number has gone to the server')).toHaveLength(1);
    } finally {
      r.done();
    }
  });

  it('a send stopped by a new island (NOT_CONNECTED) keeps the rest, says so once, and sends them at the server\u2019s next online status', async () => {
    const r = rig();
    try {
      for (const [i, t] of r.tickets.entries()) r.contacts.keep(t, PHONES[i] as string);
      // The first is answered as a new island begins: the next one cannot leave.
      r.setAnswer((req) => {
        r.link.divert = () => Promise.reject(new Error('not here'));
        return { id: req.id, status: 'ok', data: { stored: true } };
      });
      await r.contacts.returnAll();
      expect(r.contacts.kept).toBe(2);
      const waits = r.said('island contacts wait for the server: kept sealed, sent at its next status, reconnect or return, and tried again periodically');
      expect(waits).toHaveLength(1);
      expect(waits[0]).toMatchObject({ level: 'warn', obj: { kept: 2, reason: 'island mode: the server is away' } });
      // Still islanded at a status: nothing leaves, nothing said again.
      r.online();
      await r.contacts.returnAll();
      expect(r.sent).toHaveLength(1);
      // That island returned: the server's online status sends the rest (no other return needed).
      r.link.divert = undefined;
      r.setAnswer((req) => ({ id: req.id, status: 'ok', data: { stored: true } }));
      r.online();
      await vi.waitFor(() => expect(r.contacts.kept).toBe(0));
      expect(r.sent).toEqual(r.tickets);
      expect(r.said('island contacts wait for the server: kept sealed, sent at its next status, reconnect or return, and tried again periodically')).toHaveLength(1);
    } finally {
      r.done();
    }
  });

  it('with no event at all, the periodic retry sends what the broker\u2019s loss kept', async () => {
    const r = rig({ retryMs: 100 });
    try {
      r.contacts.keep(r.tickets[0] as string, PHONES[0] as string);
      r.link.connected = false;
      await r.contacts.returnAll();
      expect(r.contacts.kept).toBe(1);
      expect(r.sent).toEqual([]);
      r.link.connected = true;
      await vi.waitFor(() => expect(r.contacts.kept).toBe(0), { timeout: 5000 });
      expect(r.sent).toEqual([r.tickets[0]]);
    } finally {
      r.done();
    }
  });

  it('a ticket the server refuses or does not know: deleted with an info line; the server not saving: kept for the next try', async () => {
    const r = rig();
    try {
      for (const [i, t] of r.tickets.entries()) r.contacts.keep(t, PHONES[i] as string);
      r.setAnswer((req) =>
        req.ticketId === r.tickets[0]
          ? { id: req.id, status: 'error', error: { code: 'FORBIDDEN', message: 'another kiosk', messageZh: '另一台' } }
          : req.ticketId === r.tickets[1]
            ? { id: req.id, status: 'ok', data: { stored: false } }
            : { id: req.id, status: 'error', error: { code: 'STORE_IO', message: 'disk full', messageZh: '磁盘满' } },
      );
      await r.contacts.returnAll();
      expect(r.contacts.kept).toBe(1);
      expect(r.said('the server refused the kept number for this island ticket: deleted, no SMS for this ticket')).toMatchObject([{ level: 'info', obj: { ticketId: r.tickets[0], code: 'FORBIDDEN' } }]);
      expect(r.said('the server holds no contact for this island ticket (SMS off, the ticket unknown, or another number given first): the kept number is deleted, no SMS to it')).toMatchObject([{ level: 'info', obj: { ticketId: r.tickets[1] } }]);
      r.setAnswer((req) => ({ id: req.id, status: 'ok', data: { stored: true } }));
      await r.contacts.returnAll();
      expect(r.contacts.kept).toBe(0);
    } finally {
      r.done();
    }
  });
});
