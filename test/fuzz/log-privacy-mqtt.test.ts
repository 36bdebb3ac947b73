import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { AgentLink } from '../../src/agent/link.js';
import { HallEngine } from '../../src/server/engine.js';
import { MqttServer } from '../../src/server/mqtt-server.js';
import { startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { hasValidCheckDigit } from '../drivers/idcard/gb11643.js';
import { FUZZ_NOW, fuzzAuthorize, fuzzConfig, T } from './mqtt-fuzz.js';

/** GB 11643: the 18th character from the first 17 digits. */
function withCheckDigit(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, d, i) => acc + Number(d) * weights[i]!, 0);
  return first17 + '10X98765432'[sum % 11]!;
}

const ids = ['11010519491231002', '44030619900101123', '32010219850615471'].map(withCheckDigit);
const names = ['张丽华', '欧阳娜娜', '司马相如'];
const phones = ['13912345678', '18600001111', '+8615912345678'];
const secrets = [...ids, ...names, ...phones];

/** Malformed payloads carrying personal data every way a sender could put it. */
function payloads(): (string | Buffer)[] {
  const [id, name, phone] = [ids[0]!, names[0]!, phones[0]!];
  const all = `${name} ${phone} ${id}`;
  return [
    all,
    Buffer.from(all, 'utf16le'),
    `{"id":"${all}"`,
    JSON.stringify({ id: all, type: 'nope' }),
    JSON.stringify({ id: 'r1', type: 'command', command: { id: name, type: 'CallNext', window: phone } }),
    JSON.stringify({ id: 'r2', type: 'command', command: { id: 'c2', type: 'IssueTicket', serviceId: 'A', person: { idHash: id, idMasked: name, idValid: 'yes', birthDate: phone } } }),
    JSON.stringify({ id: 'r3', type: 'contact', ticketId: name, phone: `${phone}x` }),
    JSON.stringify({ id: 'r4', type: 'events', after: name }),
    JSON.stringify({ [name]: phone, [phone]: id, [id]: name }),
    JSON.stringify({ id: 'r5', type: 'state', [name]: 1, [phone]: 2 }),
    JSON.stringify([name, phone, id]),
    JSON.stringify({ seq: name, type: phone, at: id }),
    JSON.stringify({ seq: 999_999, at: 1, commandId: all, type: 'TicketCancelled', ticketId: all, reason: all }),
    JSON.stringify({ id: all, status: 'ok', data: { events: [all], lastSeq: phone } }),
    JSON.stringify({ id: all, status: 'error', error: { code: name, message: all } }),
  ];
}

describe('malformed MQTT payloads full of personal data', () => {
  let broker: Broker;
  let engine: HallEngine;
  let server: MqttServer;
  let agent: AgentLink;
  const serverLogs: LogRecord[] = [];
  const agentLogs: LogRecord[] = [];
  beforeAll(async () => {
    broker = await startMosquitto();
    engine = HallEngine.open(join(mkdtempSync(join(tmpdir(), 'hallq-logpriv-')), 'hall.db'), fuzzConfig, recordingLogger(serverLogs), FUZZ_NOW);
    server = new MqttServer(engine, { url: broker.url, hall: fuzzConfig.id, clock: () => FUZZ_NOW, authorize: fuzzAuthorize }, recordingLogger(serverLogs));
    await server.start();
    agent = new AgentLink({ url: broker.url, hall: fuzzConfig.id, agentId: 'kiosk-1' }, recordingLogger(agentLogs));
    await agent.start();
    await agent.catchUp();
  });
  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    engine?.close();
    await broker?.stop();
  });

  it('sent on every topic, leave no name, ID number or phone in the server or agent logs', () => {
    for (const id of ids) expect(hasValidCheckDigit(id)).toBe(true);
    return (async () => {
      const requestClients = ['intruder', names[1]!, phones[1]!, ids[1]!];
      const otherTopics = [T.events, T.response('kiosk-1'), T.windowState(1), T.queueState, T.serverStatus, T.agentStatus('kiosk-1'), T.agentDevices('kiosk-1'), `${T.root}/${names[2]!}`, `${T.root}/agent/${phones[2]!.slice(3)}/status`];
      const raw = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
      const answered = new Map<string, number>();
      raw.on('message', (topic) => answered.set(topic, (answered.get(topic) ?? 0) + 1));
      await raw.subscribeAsync(`${T.root}/res/+`, { qos: 1 });
      const sent = payloads();
      for (const client of requestClients) for (const p of sent) await raw.publishAsync(T.request(client), p, { qos: 1 });
      for (const topic of otherTopics) for (const p of sent) await raw.publishAsync(topic, p, { qos: 1 });
      // Every request answered (the server has logged what it logs), and a real event after the
      // garbage reaches the agent (it has handled everything before it).
      const requests = requestClients.length * sent.length;
      const total = () => [...answered].filter(([t]) => requestClients.some((c) => t === T.response(c))).reduce((a, [, n]) => a + n, 0);
      while (total() < requests) await new Promise<void>((r) => raw.once('message', () => r()));
      const outcome = server.run({ id: 'marker', type: 'OpenWindow', window: 1, staffId: 's1' });
      expect(outcome.ok).toBe(true);
      await agent.reach(engine.state.seq);
      await raw.endAsync();

      expect(server.metrics.invalidPayloads).toBeGreaterThan(requests / 2);
      expect(serverLogs.some((l) => l.msg === 'invalid request payload')).toBe(true);
      expect(agentLogs.some((l) => l.msg === 'ignored a malformed message')).toBe(true);
      const text = JSON.stringify([serverLogs, agentLogs]);
      for (const s of secrets) {
        expect(text).not.toContain(s);
        expect(text).not.toContain(JSON.stringify(s).slice(1, -1));
      }
      for (const id of ids) expect(text).not.toContain(id.slice(0, 17));
      for (const p of phones) expect(text).not.toContain(p.slice(-11));
    })();
  }, 120_000);
});
