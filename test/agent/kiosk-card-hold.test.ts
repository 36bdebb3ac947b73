// A card read and not used is held 30 s from the read or the page's last touch, by the agent itself
// (README: the kiosk page's idle reset is 30 s without a touch): a page gone or restarting, which
// never cancels it, does not find it again, and neither does the next citizen's ticket.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../../drivers/common/logger.js';
import { TEST_CARDS } from '../../drivers/idcard/test-cards.js';
import type { KioskFlow, KioskRequest } from '../../src/agent/flows/kiosk.js';
import { buildKioskApp, CARD_HOLD_MS, CardSlot } from '../../src/agent/kiosk-http.js';
import type { AgentLink } from '../../src/agent/link.js';
import { personFromCard } from '../../src/bus/person.js';
import { emptyState } from '../../src/core/index.js';

const key = Buffer.alloc(32, 7);
const zhang = personFromCard(TEST_CARDS.zhang.idNumber, TEST_CARDS.zhang.name, key);

/** The kiosk listener over a stand-in flow that records the requests reaching it (the card they carry). */
async function kioskApp(card: CardSlot): Promise<{ app: FastifyInstance; issued: KioskRequest[] }> {
  const issued: KioskRequest[] = [];
  const flow = {
    canPrint: () => true,
    smsEnabled: () => true,
    smsAway: () => false,
    smsOnlyOffered: () => true,
    issue: (req: KioskRequest) => {
      issued.push(req);
      return Promise.resolve(req.person ? { ok: true as const, ticketId: 't1', number: 'H001', position: 1, windows: [1], printed: true } : { ok: false as const, code: 'id-required', message: { zh: '请刷身份证取号', en: 'Please scan your ID card to take a ticket' } });
    },
  } as unknown as KioskFlow;
  const link = { replica: { state: emptyState() }, onEvent: () => () => undefined } as unknown as AgentLink;
  const app = await buildKioskApp(link, flow, card, { host: '127.0.0.1', port: 0, statusBaseUrl: 'http://hall.test' }, silentLogger);
  await app.ready();
  return { app, issued };
}

const cardOf = async (app: FastifyInstance) => (JSON.parse((await app.inject({ method: 'GET', url: '/kiosk/api/info' })).body) as { card: unknown }).card;
const post = (app: FastifyInstance, url: string, body: unknown = {}) => app.inject({ method: 'POST', url, payload: body as object });

afterEach(() => {
  vi.useRealTimers();
});

describe('the agent holds an unused card 30 s from the read or the last touch (injected clock)', () => {
  it('is the page idle reset: 30 s', () => {
    expect(CARD_HOLD_MS).toBe(30_000);
  });

  it('forgets an unused card 30 s after the read: /kiosk/api/info without it, and an issue gets no card', async () => {
    let now = 1_000_000;
    const card = new CardSlot({ clock: () => now });
    const { app, issued } = await kioskApp(card);
    try {
      card.put(zhang);
      now += CARD_HOLD_MS - 1;
      expect(await cardOf(app)).toEqual({ nameMasked: '张*华', idMasked: '1101**********002X' });
      now += 1;
      // The page closed or restarting never cancelled it: the agent forgets it itself.
      expect(await cardOf(app)).toBeNull();
      const r = await post(app, '/kiosk/api/issue', { serviceId: 'household' });
      expect(r.statusCode).toBe(409);
      expect(issued).toHaveLength(1);
      expect(issued[0]?.person).toBeUndefined();
    } finally {
      await app.close();
    }
  });

  it('a touch on the page holds it 30 s from the touch; used in time, the ticket carries it', async () => {
    let now = 5_000_000;
    const card = new CardSlot({ clock: () => now });
    const { app, issued } = await kioskApp(card);
    try {
      card.put(zhang);
      now += 20_000;
      expect((await post(app, '/kiosk/api/touch')).statusCode).toBe(200);
      now += CARD_HOLD_MS - 1;
      expect(await cardOf(app)).not.toBeNull();
      const r = await post(app, '/kiosk/api/issue', { serviceId: 'household' });
      expect(r.statusCode).toBe(200);
      expect(issued[0]?.person?.idHash).toBe(zhang.idHash);
      // Taken by that ticket: nothing left for the next.
      expect(await cardOf(app)).toBeNull();
      // A touch with no card held holds nothing.
      expect((await post(app, '/kiosk/api/touch')).statusCode).toBe(200);
      expect(await cardOf(app)).toBeNull();
    } finally {
      await app.close();
    }
  });

  it('tells the page when the time is up (its stream listens to the slot), without anyone asking', () => {
    vi.useFakeTimers({ now: 0 });
    const card = new CardSlot();
    const changes: (string | undefined)[] = [];
    card.onChange(() => changes.push(card.peek()?.idMasked));
    card.put(zhang);
    vi.advanceTimersByTime(CARD_HOLD_MS - 1);
    expect(changes).toEqual(['1101**********002X']);
    vi.advanceTimersByTime(1);
    expect(changes).toEqual(['1101**********002X', undefined]);
  });
});
