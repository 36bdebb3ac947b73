import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import type { EscPosPrinter } from '../../drivers/printer/driver.js';
import { KioskFlow } from '../../src/agent/flows/kiosk.js';
import { randomBytes } from 'node:crypto';
import { IslandContacts } from '../../src/agent/island/contacts.js';
import { IslandMode } from '../../src/agent/island/island-mode.js';
import { IslandStore } from '../../src/agent/island/store.js';
import { AgentLink } from '../../src/agent/link.js';
import { emptyState, epochOf, execute } from '../../src/core/index.js';
import { allDayHall } from '../helpers/all-day-hall.js';

/**
 * The tryout of the eighteenth session: in island mode the kiosk issued SMS-only tickets ("ok") whose
 * phone could never leave the agent (no contact without the server), so no SMS ever told the citizen
 * the number. While the agent is an island, a hall that sends SMS offers none: an SMS-only request is
 * refused before anything is decided, and the printer-out screen sends the citizen to the desk.
 * A real AgentLink (no broker: its requests are held) and a real IslandMode that enters the island when
 * a request has waited too long and returns at the server's online status; fake timers drive its check.
 */
const NOW = epochOf('2026-11-23', 600, 480);

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function rig(smsEnabled: boolean, withContacts?: boolean) {
  vi.useFakeTimers({ now: NOW });
  const state = emptyState();
  execute(state, { id: 'cfg', type: 'Configure', config: { ...allDayHall('h', { zh: '测试大厅', en: 'Test hall' }, 2), smsEnabled } }, NOW);
  execute(state, { id: 'lease', type: 'LeaseNumbers', agentId: 'agent-a', serviceId: 'A', count: 5 }, NOW);
  const link = new AgentLink({ url: 'mqtt://127.0.0.1:1', hall: 'h', agentId: 'agent-a' }, silentLogger);
  link.connected = true;
  link.rewind(state);
  vi.spyOn(link, 'unansweredMs').mockReturnValue(60_000);
  vi.spyOn(link, 'resync').mockResolvedValue(undefined);
  const sent: unknown[] = [];
  vi.spyOn(link, 'request').mockImplementation((req) => (sent.push(req), new Promise(() => undefined)));
  const store = IslandStore.open(join(mkdtempSync(join(tmpdir(), 'hallq-kiosk-island-sms-')), 'island.db'));
  const contacts = withContacts === true ? new IslandContacts(store, randomBytes(32), link, silentLogger) : undefined;
  const island = new IslandMode(link, store, { agentId: 'agent-a', afterSeconds: 1, clock: () => Date.now(), logger: silentLogger, ...(contacts ? { contacts } : {}) });
  // A stand-in printer that prints whatever it is given (the island's tickets are printed ones).
  const printer = { health: 'ok', print: () => Promise.resolve({ confirmation: 'device' }), onHealth: () => () => undefined } as unknown as EscPosPrinter;
  const kiosk = new KioskFlow(link, withContacts !== undefined ? printer : undefined, { statusBaseUrl: 'http://hall.test', logger: silentLogger, ...(contacts ? { islandContacts: contacts } : {}) });
  return { link, store, island, kiosk, sent, contacts };
}

describe('the kiosk in island mode offers no SMS ticket', () => {
  it('says SMS is off for now while islanded, decides and keeps nothing, and offers it again once the server is back', async () => {
    const { link, store, island, kiosk, sent } = rig(true);
    try {
      island.start();
      expect(kiosk.smsEnabled()).toBe(true);
      vi.advanceTimersByTime(1200);
      expect(island.phase).toBe('island');
      expect(kiosk.smsEnabled()).toBe(false);
      expect(kiosk.smsAway()).toBe(true);
      expect(await kiosk.issue({ serviceId: 'A', smsOnly: true, phone: '13900002222', phoneMasked: '139****2222' })).toMatchObject({ ok: false, code: 'sms-unavailable' });
      expect(store.pending()).toEqual([]);
      expect(Object.keys(link.replica.state.tickets)).toEqual([]);
      expect(sent).toEqual([]);
      // The server's online status: the (empty) outbox returns, commands go to the server again.
      link.handleMessage('hallq/v1/h/server/status', Buffer.from(JSON.stringify({ online: true })));
      await vi.waitFor(() => expect(island.phase).toBe('online'));
      expect(kiosk.smsAway()).toBe(false);
      expect(kiosk.smsEnabled()).toBe(true);
    } finally {
      island.stop();
      store.close();
    }
  });

  it('in a hall that sends no SMS it stays "sms-off", islanded or not', async () => {
    const { store, island, kiosk } = rig(false);
    try {
      island.start();
      vi.advanceTimersByTime(1200);
      expect(island.phase).toBe('island');
      expect(kiosk.smsAway()).toBe(false);
      expect(await kiosk.issue({ serviceId: 'A', smsOnly: true, phoneMasked: '139****2222' })).toMatchObject({ ok: false, code: 'sms-off' });
      expect(store.pending()).toEqual([]);
    } finally {
      island.stop();
      store.close();
    }
  });

  it('a phone for the notices, with no keeper for it, makes the ticket and says no SMS will come (zh and en), keeping no masked phone', async () => {
    const { link, store, island, kiosk } = rig(true, false);
    try {
      island.start();
      vi.advanceTimersByTime(1200);
      expect(island.phase).toBe('island');
      const r = await kiosk.issue({ serviceId: 'A', phone: '13900002222', phoneMasked: '139****2222' });
      expect(r).toMatchObject({ ok: true, smsUnavailable: { zh: expect.stringContaining('短信') as unknown, en: expect.stringContaining('no SMS') as unknown } });
      const t = r.ok ? link.replica.state.tickets[r.ticketId] : undefined;
      expect(t).toBeDefined();
      expect(t?.phoneMasked).toBeUndefined();
      expect(store.contacts()).toEqual([]);
    } finally {
      island.stop();
      store.close();
    }
  });

  it('with the island keeper: the phone is kept sealed, the answer promises nothing false, and at the return it goes to the server under the ticket the server gave', async () => {
    const { link, store, island, kiosk } = rig(true, true);
    try {
      island.start();
      vi.advanceTimersByTime(1200);
      expect(island.phase).toBe('island');
      expect(kiosk.smsEnabled()).toBe(true);
      expect(kiosk.smsOnlyOffered()).toBe(false);
      const r = await kiosk.issue({ serviceId: 'A', phone: '13900002222', phoneMasked: '139****2222' });
      expect(r).toMatchObject({ ok: true });
      expect(r).not.toHaveProperty('smsUnavailable');
      const ticketId = r.ok ? r.ticketId : '';
      expect(link.replica.state.tickets[ticketId]?.phoneMasked).toBe('139****2222');
      const kept = store.contacts();
      expect(kept.map((c) => c.ticketId)).toEqual([ticketId]);
      expect(kept[0]?.phone.includes('13900002222')).toBe(false);
      // The return: the server renumbers the island's ticket (number-taken); the number follows the new id.
      vi.spyOn(link, 'request').mockImplementation((req) =>
        Promise.resolve(req.type === 'island' ? { id: req.id, status: 'ok', data: { outcome: req.command.type === 'IssueTicket' ? { ok: true, ticketId: 'server-ticket' } : { ok: true }, seq: 1 } } : { id: req.id, status: 'ok', data: {} }),
      );
      // As the real resync: the replica is the server's state, which holds the ticket under its new id.
      vi.spyOn(link, 'resync').mockImplementation(() => {
        const t = link.replica.state.tickets[ticketId];
        if (t) link.replica.state.tickets['server-ticket'] = { ...t, id: 'server-ticket' };
        return Promise.resolve();
      });
      const given: [string, string][] = [];
      vi.spyOn(link, 'sendContact').mockImplementation((t, phone) => (given.push([t, phone]), Promise.resolve(true)));
      link.handleMessage('hallq/v1/h/server/status', Buffer.from(JSON.stringify({ online: true })));
      await vi.waitFor(() => expect(island.phase).toBe('online'));
      await vi.waitFor(() => expect(given).toEqual([['server-ticket', '13900002222']]));
      await vi.waitFor(() => expect(store.contacts()).toEqual([]));
    } finally {
      island.stop();
      store.close();
    }
  });
});
