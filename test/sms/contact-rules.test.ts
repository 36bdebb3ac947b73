/**
 * Security tryout (nineteenth session): a second `contact` for a ticket answered `stored: true` while the
 * first number stayed, and any kiosk's agent could attach a number to the tickets other kiosks issued
 * (their SMS, status link included, then going to that phone). Now the answer says whether the server
 * holds *this* number, and a ticket's number comes only from the kiosk whose agent issued it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isHallqError } from '../../drivers/common/error.js';
import { recordingLogger, silentLogger, type LogRecord } from '../../drivers/common/logger.js';
import { smsSchema } from '../../src/config/schema.js';
import type { CommandBody } from '../../src/core/index.js';
import { MqttServer } from '../../src/server/mqtt-server.js';
import { SmsService } from '../../src/server/sms/sms-service.js';
import { fuzzAuthorize, T } from '../fuzz/mqtt-fuzz.js';
import { FakeSender } from './fake-sender.js';
import { dirs, MONDAY_10, smsRig } from './fixtures.js';

afterEach(() => dirs.cleanup());

function hall() {
  const logs: LogRecord[] = [];
  const rig = smsRig();
  const service = SmsService.open({ config: smsSchema.parse({}), database: rig.path, engine: rig.engine, clock: () => MONDAY_10, logger: recordingLogger(logs), sender: { sender: new FakeSender(), close: async () => {} } });
  if (!service) throw new Error('sms off');
  const issueBy = (kioskAgent: string | undefined): string => {
    const ev = rig.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'sms', phoneMasked: '139****5678', source: 'kiosk', ...(kioskAgent === undefined ? {} : { kioskAgent }) } as CommandBody);
    const issued = ev.find((e) => e.type === 'TicketIssued');
    if (issued?.type !== 'TicketIssued') throw new Error('not issued');
    return issued.ticket.id;
  };
  return { rig, service, issueBy, logs, close: async () => { await service.stop(); rig.close(); } };
}

describe('a ticket’s contact number', () => {
  it('is held once: the same number again is true, another number false and the first stands', async () => {
    const h = hall();
    const t = h.issueBy('kiosk-1');
    expect(h.service.contact(t, '13912345678', 'kiosk-1')).toBe(true);
    expect(h.service.contact(t, '+8613912345678', 'kiosk-1')).toBe(true);
    expect(h.service.contact(t, '13700000000', 'kiosk-1')).toBe(false);
    expect(h.service.contacts.phoneOf(t)).toBe('13912345678');
    expect(JSON.stringify(h.logs)).not.toMatch(/13912345678|13700000000/);
    await h.close();
  });

  it('comes only from the kiosk whose agent issued the ticket (FORBIDDEN for another), any kiosk for a ticket of an older log', async () => {
    const h = hall();
    const t = h.issueBy('kiosk-1');
    let thrown: unknown;
    try {
      h.service.contact(t, '13700000000', 'kiosk-2');
    } catch (e) {
      thrown = e;
    }
    expect(isHallqError(thrown, 'FORBIDDEN')).toBe(true);
    expect(h.service.contacts.phoneOf(t)).toBeUndefined();
    // A ticket issued before tickets recorded their kiosk's agent.
    const old = h.issueBy(undefined);
    expect(h.service.contact(old, '13912345678', 'kiosk-2')).toBe(true);
    await h.close();
  });

  it('over MQTT: another kiosk is answered FORBIDDEN in English and Chinese, the issuing kiosk stored true, then a different number stored false', async () => {
    const h = hall();
    const server = new MqttServer(h.rig.engine, { url: 'mqtt://127.0.0.1:1', hall: h.rig.engine.state.config?.id ?? 'hall', clock: () => MONDAY_10, authorize: fuzzAuthorize }, silentLogger);
    server.sms = h.service;
    const t = h.issueBy('kiosk-1');
    const ask = (client: string, phone: string) => server.handleRequest(T.request(client), Buffer.from(JSON.stringify({ id: `c-${client}-${phone}`, type: 'contact', ticketId: t, phone })))?.response;
    expect(ask('fuzzer', '13700000000')).toMatchObject({ status: 'error', error: { code: 'FORBIDDEN', messageZh: expect.stringMatching(/取号机/) as unknown } });
    // The wire takes the national form only (the kiosk API normalises what a person typed, src/core/mask.ts
    // nationalMobile): a full-width or grouped number reaching the server is refused, nothing stored.
    for (const typed of ['１３９１２３４５６７８', '139 1234 5678', '139-1234-5678']) expect(ask('kiosk-1', typed), typed).toMatchObject({ status: 'error', error: { code: 'PAYLOAD_INVALID' } });
    expect(h.service.contacts.phoneOf(t)).toBeUndefined();
    expect(ask('kiosk-1', '13912345678')).toMatchObject({ status: 'ok', data: { stored: true } });
    expect(ask('kiosk-1', '13700000000')).toMatchObject({ status: 'ok', data: { stored: false } });
    expect(h.service.contacts.phoneOf(t)).toBe('13912345678');
    await h.close();
  });
});
