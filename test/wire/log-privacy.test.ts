import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../drivers/common/logger.js';
import type { AgentLink } from '../../src/agent/link.js';
import { topics } from '../../src/bus/topics.js';
import { maskName, maskPhone, parseResidentId } from '../../src/core/index.js';
import { freePort, startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { postCommand, startAgent } from './rig.js';
import { cliAuth, killHard, startServerProcess, writeConfig } from './server-process.js';

/** Citizens of the scenario: what they carry, which must never reach a log line. */
const people = [
  { id: '11010519491231002X', name: '张三丰', phone: '13800138000' },
  { id: '110101199003077491', name: '欧阳娜娜', phone: '13912345678' },
];

describe('logs of a full scenario', () => {
  let broker: Broker;
  let server: ChildProcess | undefined;
  const output: { stdout: string; onData?: () => void } = { stdout: '' };
  const agentLogs: LogRecord[] = [];
  let agent: AgentLink;
  let httpPort: number;
  let configPath: string;
  beforeAll(async () => {
    broker = await startMosquitto();
    httpPort = await freePort();
    configPath = writeConfig(mkdtempSync(join(tmpdir(), 'hallq-logs-')), broker.url, httpPort, 'debug');
    server = await startServerProcess(configPath, output);
    agent = await startAgent(broker.url, 'kiosk-1', agentLogs);
  });
  afterAll(async () => {
    await agent?.stop();
    if (server) await killHard(server);
    await broker?.stop();
  });

  it('hold none of the ID numbers, names or phone numbers it used', async () => {
    const base = `http://127.0.0.1:${httpPort}`;
    await agent.send({ type: 'OpenWindow', window: 1, staffId: 's1' });
    for (const [i, p] of people.entries()) {
      const info = parseResidentId(p.id);
      expect(info.valid).toBe(true);
      const person = { idHash: `hash-of-person-${i}`, idMasked: info.valid ? info.masked : '', nameMasked: maskName(p.name), idValid: true, birthDate: info.valid ? info.birthDate : '' };
      expect((await agent.send({ type: 'IssueTicket', serviceId: 'A', delivery: 'none', person, phoneMasked: maskPhone(p.phone) })).ok).toBe(true);
    }
    // Clients that send raw personal data by mistake: refused, and the values still not logged.
    await postCommand(base, { id: 'bad-1', type: 'IssueTicket', serviceId: 'A', idNumber: people[0]!.id, name: people[0]!.name, phone: people[0]!.phone });
    const raw = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    await raw.publishAsync(topics('wire-hall').request('intruder'), JSON.stringify({ id: 'bad-2', type: 'command', command: { id: 'x', type: 'CallNext', window: people[1]!.phone } }), { qos: 1 });
    await raw.publishAsync(topics('wire-hall').request('intruder'), `not json ${people[1]!.id} ${people[1]!.name}`, { qos: 1 });
    await raw.endAsync();
    await agent.send({ type: 'CallNext', window: 1 });
    await agent.send({ type: 'CallNext', window: 1 });
    // Wait for the event: the server has logged both malformed MQTT requests.
    const refusals = () => output.stdout.split('invalid request payload').length - 1;
    if (refusals() < 2) await new Promise<void>((resolve) => (output.onData = () => refusals() >= 2 && resolve()));
    expect((await (await fetch(`${base}/metrics`, { headers: cliAuth(configPath) })).text()).match(/hallq_invalid_payloads_total (\d+)/)?.[1]).toBe('2');

    const logs = output.stdout + JSON.stringify(agentLogs);
    expect(logs).toContain('invalid request payload'); // the refusals were logged…
    for (const p of people) {
      // …but no ID number, name or phone number, in any form a log could carry them.
      expect(logs).not.toContain(p.id);
      expect(logs).not.toContain(p.id.slice(0, 17));
      expect(logs).not.toContain(p.name);
      expect(logs).not.toContain(p.phone);
      expect(logs).not.toContain(JSON.stringify(p.name).slice(1, -1));
    }
    expect(output.stdout.split('\n').filter(Boolean).every((l) => l.startsWith('{'))).toBe(true); // JSON lines only
  });
});
