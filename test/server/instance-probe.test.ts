import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { hallAcl } from '../../src/bus/acl.js';
import { requestAuthorizer } from '../../src/bus/authorize.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { hashPassword } from '../../src/bus/passwd.js';
import { topics } from '../../src/bus/topics.js';
import { HallEngine } from '../../src/server/engine.js';
import { probeServerInstance } from '../../src/server/instance-probe.js';
import { MqttServer } from '../../src/server/mqtt-server.js';
import { testConfig } from '../http/rig.js';

/**
 * The start's probe (issue 13) on the embedded broker with users (client id bound to the user, as the
 * demo and a small hall run it), against a real MqttServer holding the hall's server identity.
 */
const HALL = 'demo-hall';
const USER = 'hallq-server';
const PASSWORD = 'server-secret';
const t = topics(HALL);

let broker: EmbeddedBroker | undefined;
const servers: { mqtt: MqttServer; engine: HallEngine }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    await s.mqtt.stop();
    s.engine.close();
  }
  await broker?.close();
  broker = undefined;
});

async function rig(): Promise<{ url: string; running: () => Promise<{ mqtt: MqttServer; instance: string }> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-probe-'));
  const passwordFile = join(dir, 'passwd');
  writeFileSync(passwordFile, `${USER}:${hashPassword(PASSWORD)}\n`);
  broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, auth: { passwordFile, acl: hallAcl(HALL, USER) } });
  const url = broker.url;
  return {
    url,
    running: async () => {
      const engine = HallEngine.open(join(dir, `hall-${servers.length}.db`), testConfig(), silentLogger, Date.now());
      const instance = engine.log.instanceId();
      const mqtt = new MqttServer(engine, { url, hall: HALL, username: USER, password: PASSWORD, clock: Date.now, authorize: requestAuthorizer([]), instance, host: 'hall-srv' }, silentLogger);
      servers.push({ mqtt, engine });
      await mqtt.start();
      return { mqtt, instance };
    },
  };
}

const probe = (url: string, instance: string) => probeServerInstance({ url, clientId: USER, username: USER, password: PASSWORD, statusTopic: t.serverStatus, fenceTopic: `${t.root}/server/probe`, instance });

describe('the server instance probe on the embedded broker (issue 13)', () => {
  it('finds a running server of another database: it takes its id back from the probe and stays connected', async () => {
    const r = await rig();
    const a = await r.running();
    const result = await probe(r.url, 'b'.repeat(32));
    expect(result).toMatchObject({ kind: 'running', other: { instance: a.instance, host: 'hall-srv' } });
    await a.mqtt.whenConnected();
    expect(a.mqtt.metrics.connected).toBe(true);
  });

  it("clears at once for the same database's instance, a clean stop, and an empty broker", async () => {
    const r = await rig();
    expect(await probe(r.url, 'c'.repeat(32))).toEqual({ kind: 'clear', seen: 'none' });
    const a = await r.running();
    expect(await probe(r.url, a.instance)).toEqual({ kind: 'clear', seen: 'same-instance' });
    await a.mqtt.whenConnected();
    await a.mqtt.stop();
    expect(await probe(r.url, 'c'.repeat(32))).toEqual({ kind: 'clear', seen: 'offline' });
  });

  it('says unreachable (never refuses) when no broker answers', async () => {
    const s = net.createServer();
    await new Promise<void>((done) => s.listen(0, '127.0.0.1', () => done()));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise((done) => s.close(done));
    expect(await probe(`mqtt://127.0.0.1:${port}`, 'd'.repeat(32))).toMatchObject({ kind: 'unreachable' });
  });
});
