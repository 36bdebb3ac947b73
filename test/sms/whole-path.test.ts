import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { KioskFlow } from '../../src/agent/flows/kiosk.js';
import type { AgentLink } from '../../src/agent/link.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { smsSchema } from '../../src/config/schema.js';
import { startSms, type SmsService } from '../../src/server/sms/sms-service.js';
import { hallClock, startAgent, startServer, tempDb, type ServerRig } from '../wire/rig.js';
import { modemInbox } from './fixtures.js';

const PHONE = '13912345678';
const OTHER = '13700000000';

describe('SMS from the kiosk to the modem', () => {
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it('sends the issued, near and called messages of a ticket exactly once each, and never logs the number', async () => {
    const logs: LogRecord[] = [];
    const log = recordingLogger(logs);
    const clock = hallClock();
    const broker: EmbeddedBroker = await startEmbeddedBroker();
    stops.push(() => broker.close());
    const database = tempDb();
    const server: ServerRig = await startServer(broker.url, database, clock, logs);
    stops.push(() => server.stop());

    // The modem: the real AtModem (opened by the SMS service from its config) and the emulator, over a real pty pair.
    const inbox = await modemInbox(log);
    stops.push(() => inbox.close());
    const { pty, received } = inbox;
    const messages = (n: number) => inbox.arrived(n);

    const config = smsSchema.parse({ provider: 'modem', modem: { path: pty.host, baudRate: 115200 } });
    let sms: SmsService | undefined = startSms({ config, database, engine: server.engine, mqtt: server.mqtt, clock, logger: log, statusBaseUrl: 'http://hall.test' });
    stops.push(async () => sms?.stop());

    const kioskLink: AgentLink = await startAgent(broker.url, 'kiosk-1', logs);
    const caller: AgentLink = await startAgent(broker.url, 'caller-1', logs);
    stops.push(() => caller.stop(), () => kioskLink.stop());
    const kiosk = new KioskFlow(kioskLink, undefined, { statusBaseUrl: 'http://hall.test', logger: log, clock });
    const call = async () => expect((await caller.send({ type: 'CallNext', window: 3, source: 'caller-keypad' })).ok).toBe(true);

    expect((await caller.send({ type: 'OpenWindow', window: 3, staffId: 's3', source: 'caller-keypad' })).ok).toBe(true);
    // Four before it whose numbers were never given (masked only: no contact, so no SMS of theirs).
    for (let i = 0; i < 4; i++) expect((await kiosk.issue({ serviceId: 'A', smsOnly: true, phoneMasked: `139****000${i}` })).ok).toBe(true);
    const mine = await kiosk.issue({ serviceId: 'A', smsOnly: true, phone: PHONE });
    if (!mine.ok) throw new Error(`not issued: ${mine.code}`);
    expect(mine).toMatchObject({ number: 'A005', position: 5 });

    await messages(1);
    for (let i = 0; i < 4; i++) await call(); // A001…A004: A005 is first in line now
    await messages(2);
    await call(); // A005
    await messages(3);

    expect(received.map((m) => [m.phone, m.text])).toEqual([
      // The same status page as the kiosk's QR code would carry (issue 13: the SMS and the paper agree).
      [`+86${PHONE}`, `【联调大厅】您已取号A005（社保），前面还有 4 人，预计等候约 20 分钟，请到 3 号窗口等候。过号顺延 3 位重新排队（限一次）。查看进度 http://hall.test/s/${mine.statusToken ?? 'none'}`],
      [`+86${PHONE}`, '【联调大厅】A005即将叫号，请到3号窗口附近等候。'],
      [`+86${PHONE}`, '【联调大厅】请A005号到3号窗口办理。'],
    ]);

    // Everything that could make a second copy: the contact sent again, every event replayed, a restart.
    expect(await kioskLink.sendContact(mine.ticketId, PHONE)).toBe(true);
    server.mqtt.sms?.afterAppend(server.engine.eventsAfter(0));
    await sms?.stop();
    sms = startSms({ config, database, engine: server.engine, mqtt: server.mqtt, clock, logger: log, statusBaseUrl: 'http://hall.test' });
    server.mqtt.sms?.afterAppend(server.engine.eventsAfter(0));

    // A malformed contact is refused without its value in any log line.
    const bad = await kioskLink.request({ id: randomUUID(), type: 'contact', ticketId: mine.ticketId, phone: '+4915112345678' } as never);
    expect(bad).toMatchObject({ status: 'error', error: { code: 'PAYLOAD_INVALID' } });

    // A later ticket's message is sent in turn after anything still owed; when it arrives nothing else came before it.
    // The row is marked sent only after the modem's +CMGS answer, a moment after the emulator has the text: wait for that result.
    const settled = new Promise<void>((resolve) => {
      const off = sms?.delivery.onResult((r) => {
        if (r.reason === 'issued' && r.ticketId.endsWith('-A006')) {
          off?.();
          resolve();
        }
      });
    });
    const next = await kiosk.issue({ serviceId: 'A', smsOnly: true, phone: OTHER });
    expect(next.ok).toBe(true);
    await messages(4);
    await settled;
    expect(received.map((m) => m.phone)).toEqual([`+86${PHONE}`, `+86${PHONE}`, `+86${PHONE}`, `+86${OTHER}`]);
    // Near at issue, with a minute to wait: the estimate, as the ticket prints it (not a blanket 即将叫号).
    expect(received[3]?.text).toBe(`【联调大厅】您已取号A006（社保），前面还有 0 人，预计等候约 1 分钟，请到3号窗口附近等候。过号顺延 3 位重新排队（限一次）。查看进度 http://hall.test/s/${next.ok ? (next.statusToken ?? 'none') : 'none'}`);
    expect(sms?.outbox.all().map((r) => [r.ticketId, r.reason, r.state, r.attempts])).toEqual([
      [mine.ticketId, 'issued', 'sent', 1],
      [mine.ticketId, 'near', 'sent', 1],
      [mine.ticketId, 'called', 'sent', 1],
      [next.ok ? next.ticketId : '', 'issued', 'sent', 1],
    ]);

    // Personal data: the numbers are in no log line and no event; the emulator decoded them from the PDUs.
    const logged = JSON.stringify(logs);
    expect(logs.length).toBeGreaterThan(20);
    for (const secret of [PHONE, OTHER, '4915112345678']) expect(logged).not.toContain(secret);
    const events = JSON.stringify(server.engine.eventsAfter(0, 100_000));
    for (const secret of [PHONE, OTHER]) expect(events).not.toContain(secret);
    expect(events).toContain('139****5678');
  });
});
