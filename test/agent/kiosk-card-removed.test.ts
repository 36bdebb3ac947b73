// A card taken off the reader is forgotten at once (the tryout's bug: it stayed "read" and the next
// ticket was issued on it). The whole agent (startAgentFrom) with the ID-card emulator on a real socat
// pty as its serial reader, a printer emulator on another, and the kiosk's HTTP API and event stream.
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { SerialTransport } from '../../drivers/common/serial-transport.js';
import { SamCardEmulator } from '../../drivers/idcard/emulator.js';
import { TEST_CARDS } from '../../drivers/idcard/test-cards.js';
import { startAgentFrom, type RunningAgent } from '../../src/agent/main.js';
import { personFromCard } from '../../src/bus/person.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { configSchema } from '../../src/config/schema.js';
import { next, requests } from '../drivers/idcard/rig.js';
import { openPtyPair, type PtyPair } from '../helpers/pty.js';
import { hallClock, startServer, tempDb, wireConfig, type ServerRig } from '../wire/rig.js';
import { emulatedPrinter, healthWhen, stateOf, type EmulatedPrinter } from './emulated.js';

/** The wire hall with a service that needs an ID card (户籍 household), served at every window. */
const hall = {
  ...wireConfig,
  services: [...wireConfig.services, { id: 'household', name: { zh: '户籍', en: 'Household' }, prefix: 'H', dailyQuota: 999, idRequired: true, avgServiceMinutes: 5 }],
  windows: wireConfig.windows.map((w) => ({ ...w, tiers: [['A', 'B', 'household']] })),
};

interface KioskInfo {
  card: { nameMasked: string; idMasked: string } | null;
}

/** The kiosk page's event stream, as the page reads it: every snapshot, and a bounded wait for one. */
function kioskStream(base: string): Promise<{ until(pred: (i: KioskInfo) => boolean, ms: number): Promise<KioskInfo>; close(): void }> {
  return new Promise((resolve, reject) => {
    const waiters = new Set<{ pred: (i: KioskInfo) => boolean; done: (i: KioskInfo) => void }>();
    let buffer = '';
    const req = http.get(`${base}/kiosk/api/stream`, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (!data) continue;
          const info = JSON.parse(data) as KioskInfo;
          for (const w of [...waiters]) if (w.pred(info)) w.done(info);
        }
      });
      resolve({
        until: (pred, ms) =>
          new Promise((ok, fail) => {
            const timer = setTimeout(() => {
              waiters.delete(w);
              fail(new Error(`no such kiosk snapshot within ${ms} ms`));
            }, ms);
            const w = {
              pred,
              done: (i: KioskInfo) => {
                clearTimeout(timer);
                waiters.delete(w);
                ok(i);
              },
            };
            waiters.add(w);
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

describe('the kiosk forgets a card taken off the reader (serial reader emulated on a real pty)', () => {
  let broker: EmbeddedBroker;
  let server: ServerRig;
  let printer: EmulatedPrinter;
  let pty: PtyPair;
  let device: SerialTransport;
  let reader: SamCardEmulator;
  let agent: RunningAgent;
  let base: string;
  const clock = hallClock();

  const info = async (): Promise<KioskInfo> => (await fetch(`${base}/kiosk/api/info`)).json() as Promise<KioskInfo>;
  const issue = async (serviceId: string) => {
    const res = await fetch(`${base}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId }) });
    return { status: res.status, body: (await res.json()) as { ok?: boolean; ticketId?: string; error?: { code: string } } };
  };
  const agentReader = () => {
    const r = agent.devices.idcard;
    if (!r) throw new Error('the agent has no ID-card reader');
    return r;
  };

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'hallq-card-'));
    // A slow printer (25 mm/s): a ticket takes seconds to print, so an issue is still in flight when its card is lifted.
    printer = await emulatedPrinter(join(dir, 'printer'), { mechanics: { speedMmPerS: 25 } });
    pty = await openPtyPair();
    device = new SerialTransport({ path: pty.device, baudRate: 115200 });
    reader = new SamCardEmulator(device, { logger: silentLogger });
    await reader.start();
    const config = configSchema.parse({
      hall: { id: hall.id, name: hall.name, utcOffsetMinutes: hall.utcOffsetMinutes },
      hours: hall.hours,
      services: hall.services,
      windows: hall.windows,
      staff: hall.staff,
      agents: [{ id: 'kiosk-9', kiosk: { port: 0 }, devices: { printer: { transport: 'serial', path: join(dir, 'printer') }, idcard: { transport: 'serial', path: pty.host } } }],
      agent: { id: 'kiosk-9', mqtt: { url: broker.url } },
    });
    server = await startServer(broker.url, tempDb(), clock, [], { agents: config.agents });
    const configured = server.mqtt.run({ id: 'configure-household', type: 'Configure', config: hall, source: 'system' });
    if (!configured.ok) throw new Error(`the hall refused its config: ${configured.code}`);
    // The reader's first find answered before any card is laid (a card already there at the start is not read).
    const polled = requests(reader, 'findCard', 2, 10_000);
    agent = await startAgentFrom(config, { logger: silentLogger, env: {}, requestTimeoutMs: 1500, devices: { printerPollMs: 500 } });
    base = `http://127.0.0.1:${String(agent.kioskPort)}`;
    await polled;
    await healthWhen(agent.devices, (l) => stateOf(l, 'printer') === 'ok');
  }, 30_000);

  afterAll(async () => {
    await agent?.stop();
    await reader?.close();
    await device?.close();
    await pty?.close();
    await printer?.unplug();
    await server?.stop();
    await broker?.close();
  });

  it('the tryout: card zhang, remove: /kiosk/api/info and the page have no card, and an ID-required issue is refused id-required', async () => {
    const stream = await kioskStream(base);
    try {
      const read = stream.until((i) => i.card?.nameMasked === '张*华', 5000);
      reader.placeCard(TEST_CARDS.zhang);
      await read;
      expect((await info()).card).toEqual({ nameMasked: '张*华', idMasked: '1101**********002X' });

      const removed = next(agentReader(), 'removed', 5000);
      const told = stream.until((i) => i.card === null, 5000);
      reader.removeCard();
      await removed;
      // Forgotten at the reader's word, not a minute later: the API and the page's stream say so.
      expect((await info()).card).toBeNull();
      await told;

      const r = await issue('household');
      expect(r.status).toBe(409);
      expect(r.body.error?.code).toBe('id-required');
      expect(Object.values(server.engine.state.tickets).filter((t) => t.person?.idMasked === '1101**********002X')).toEqual([]);
    } finally {
      stream.close();
    }
  });

  it('a card lifted while its issue is in flight: that citizen gets the ticket on it; the next request finds no card', async () => {
    const stream = await kioskStream(base);
    try {
      const read = stream.until((i) => i.card?.nameMasked === '李*', 5000);
      reader.placeCard(TEST_CARDS.li);
      await read;

      // The button pressed while the card lay there: the server has the ticket, the print is under way.
      const issued = new Promise<string>((resolve) => {
        const off = agent.link.onEvent((e) => {
          if (e.type !== 'TicketIssued') return;
          off();
          resolve(e.ticket.id);
        });
      });
      let answered = false;
      const pending = issue('household').finally(() => (answered = true));
      const ticketId = await issued;
      const removed = next(agentReader(), 'removed', 5000);
      reader.removeCard();
      await removed;
      expect(answered).toBe(false);

      const r = await pending;
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ok: true, ticketId });
      const li = personFromCard(TEST_CARDS.li.idNumber, TEST_CARDS.li.name, 'any key');
      expect(server.engine.state.tickets[ticketId]?.person?.idMasked).toBe(li.idMasked);

      // A request after the removal: no card, refused.
      expect((await info()).card).toBeNull();
      const after = await issue('household');
      expect(after.status).toBe(409);
      expect(after.body.error?.code).toBe('id-required');
    } finally {
      stream.close();
    }
  }, 30_000);
});
