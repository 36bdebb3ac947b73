import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsNodeConfig, type NatsNode, type NatsUsers } from '../../src/city/nats-config.js';
import { freePort } from '../helpers/mosquitto.js';
import { watchStderr } from '../helpers/stderr-ready.js';

export interface NatsCluster {
  nodes: NatsNode[];
  /** MQTT URL of each node, in node order. */
  mqttUrls: string[];
  /** SIGKILL one node (its JetStream files stay). */
  kill(i: number): void;
  /** Starts a killed node again with the same config and store. */
  restart(i: number): Promise<void>;
  log(i: number): string;
  stop(): Promise<void>;
}

/** How long a node may take to listen for MQTT (it does once the cluster's JetStream answers it). */
const LAUNCH_MS = 60_000;

/** Debian's nats-server ×3 on free loopback ports, clustered, with JetStream and MQTT; ready when every node's MQTT listener is up and JetStream has a leader. */
export async function startNatsCluster(users: NatsUsers, size = 3): Promise<NatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-nats-'));
  const nodes: NatsNode[] = [];
  for (let i = 0; i < size; i++) {
    nodes.push({ name: `n${i + 1}`, host: '127.0.0.1', clientPort: await freePort(), clusterPort: await freePort(), mqttPort: await freePort(), storeDir: join(dir, `n${i + 1}`) });
  }
  const confs = nodes.map((n) => {
    const f = join(dir, `${n.name}.conf`);
    writeFileSync(f, natsNodeConfig(n, nodes, users), { mode: 0o600 });
    return f;
  });
  const children: (ChildProcess | undefined)[] = [];
  const logs: string[] = nodes.map(() => '');
  // Bounded (watchStderr): a node that never comes up fails the setup naming itself and its log.
  const launch = (i: number) => {
    const c = spawn('/usr/sbin/nats-server', ['-c', confs[i] as string], { stdio: ['ignore', 'ignore', 'pipe'] });
    children[i] = c;
    return watchStderr(c, /Listening for MQTT clients/, { what: `nats-server ${nodes[i]?.name ?? i}`, ms: LAUNCH_MS, onText: (d) => (logs[i] += d) }).ready;
  };
  const stopAll = () =>
    Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
            c.removeAllListeners('exit');
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
  try {
    await Promise.all(nodes.map((_, i) => launch(i)));
  } catch (e) {
    // No node outlives a failed setup (the caller never gets a cluster to stop).
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    nodes,
    mqttUrls: nodes.map((n) => `mqtt://${n.host}:${n.mqttPort}`),
    kill: (i) => {
      const c = children[i];
      c?.removeAllListeners('exit');
      c?.kill('SIGKILL');
      children[i] = undefined;
    },
    restart: (i) => launch(i),
    log: (i) => logs[i] ?? '',
    stop: async () => {
      await stopAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
