import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { hallAcl, mosquittoAcl } from '../../src/bus/acl.js';
import { hashPassword } from '../../src/bus/passwd.js';
import { bridgeConfig, CITY_AGENT } from '../../src/city/bridge.js';
import { agentEntrySchema } from '../../src/config/schema.js';
import type { Command, HallConfig } from '../../src/core/index.js';
import { requestAuthorizer } from '../../src/bus/authorize.js';
import { HallEngine } from '../../src/server/engine.js';
import { MqttServer } from '../../src/server/mqtt-server.js';
import { simulate } from '../../src/sim/simulate.js';
import { allDayHall } from '../helpers/all-day-hall.js';
import { freePort } from '../helpers/mosquitto.js';
import { adaptShippedConf } from '../helpers/shipped-mosquitto.js';
import { watchStderr } from '../helpers/stderr-ready.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/bus/paging.js';
import { topics } from '../../src/bus/topics.js';
import { CityInbox } from '../../src/server/city-inbox.js';
import { AppointmentImport } from '../../src/server/platform/appointment-import.js';
import { openPlatformDb } from '../../src/server/platform/platform-db.js';

const LAN_AGENT = 'kiosk-1';

/** A TCP relay we control: the hall's WAN link to one cluster node. `cut()` resets every connection and refuses new ones until `restore()`. */
export interface WanLink {
  address: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function wanLink(target: { host: string; port: number }): Promise<WanLink> {
  let down = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    if (down) return inbound.destroy();
    const outbound = net.connect(target.port, target.host);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    address: `127.0.0.1:${port}`,
    cut: () => {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => {
      down = false;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export interface TestHall {
  id: string;
  config: HallConfig;
  engine: HallEngine;
  mqtt: MqttServer;
  logs: LogRecord[];
  brokerLog(): string;
  /** The hall broker's localhost listener and the users on it (the server's, and the LAN agent kiosk-1's). */
  brokerUrl: string;
  users: { server: { username: string; password: string }; agent: { username: string; password: string } };
  /** The hall's clock (the simulated day's time of the last command). */
  now(): number;
  /** Runs the next `n` commands of the simulated day at their simulated times; false when the day is over. */
  step(n: number): boolean;
  /** The wall-clock time (ms) each event was appended and published by the hall server, by seq. */
  appendedAt: Map<number, number>;
  stop(): Promise<void>;
}

/**
 * One real hall: the shipped Mosquitto config (test/helpers/shipped-mosquitto.ts) with the bridge
 * `hallq city bridge` writes appended, the hall server (engine + MqttServer) on it as its server
 * user, and a simulated day (src/sim) replayed into the server command by command at its simulated
 * time. The hall config has the agent `city`, as docs/city.md asks.
 */
export async function startHall(id: string, bridge: { addresses: string[]; remotePassword: string }): Promise<TestHall> {
  const config = allDayHall(id, { zh: `测试大厅${id}`, en: `Test hall ${id}` }, 4);
  const agents = [agentEntrySchema.parse({ id: CITY_AGENT })];
  const dir = mkdtempSync(join(tmpdir(), `hallq-city-${id}-`));
  const serverUser = 'hallq-server';
  const pw = { server: `pw-s-${Math.random().toString(36).slice(2)}`, city: `pw-c-${Math.random().toString(36).slice(2)}`, agent: `pw-k-${Math.random().toString(36).slice(2)}` };
  const passwd = join(dir, 'passwd');
  // A LAN agent of the hall too (kiosk-1), to show that only the bridge may feed city/in/.
  writeFileSync(passwd, `${serverUser}:${hashPassword(pw.server)}\n${CITY_AGENT}:${hashPassword(pw.city)}\n${LAN_AGENT}:${hashPassword(pw.agent)}\n`, { mode: 0o600 });
  const acl = join(dir, 'acl');
  writeFileSync(acl, mosquittoAcl(hallAcl(id, serverUser), [CITY_AGENT, LAN_AGENT]), { mode: 0o600 });
  const ports: [number, number] = [await freePort(), await freePort()];
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, adaptShippedConf(ports, dir, { passwd, acl }) + '\n' + bridgeConfig({ hall: id, addresses: bridge.addresses, remotePassword: bridge.remotePassword, localPassword: pw.city, keepaliveSeconds: 5 }), { mode: 0o600 });
  const child = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Bounded (watchStderr): a broker that never runs fails the setup naming its hall and log.
  const broker = watchStderr(child, / running/, { what: `hall ${id}: mosquitto`, ms: 30_000, onTimeout: () => child.kill('SIGKILL') });
  await broker.ready;

  // The simulated day: every command the simulator's core ran, with the time it ran at.
  const commands: { cmd: Command; at: number }[] = [];
  let t = 0;
  simulate({
    config,
    startDay: '2026-11-23',
    days: 1,
    seed: id.length * 7919 + id.charCodeAt(id.length - 1),
    arrivalsPerHour: { A: 12, B: 6 },
    serviceTime: { A: { dist: 'exponential', meanMinutes: 5 }, B: { dist: 'exponential', meanMinutes: 6 } },
    priorityShare: 0.05,
    noShowRate: 0.05,
    noShowWaitMinutes: 2,
    warmupMinutes: 0,
    onCommand: (cmd, events) => {
      t = events[0]?.at ?? t;
      if (cmd.type !== 'Configure') commands.push({ cmd, at: t });
    },
  });
  let now = commands[0]?.at ?? Date.parse('2026-11-23T00:00:00+08:00');
  const logs: LogRecord[] = [];
  const logger = recordingLogger(logs);
  const engine = HallEngine.open(join(dir, 'hall.db'), config, logger, now);
  const mqtt = new MqttServer(engine, { url: `mqtt://127.0.0.1:${ports[0]}`, hall: id, username: serverUser, password: pw.server, clock: () => now, authorize: requestAuthorizer(agents) }, logger);
  // City → hall: appointments through the platform's import (idempotent ledger in <db>.platform), notices as emergencies.
  const platformDb = openPlatformDb(join(dir, 'hall.db.platform'), logger);
  const appointments = new AppointmentImport({ db: platformDb, state: () => engine.state, run: (cmd) => mqtt.run(cmd), idHashKey: Buffer.from(`key-${id}`), reminderMinutes: undefined, reminders: undefined, clock: () => now, logger });
  mqtt.setCityInbox(new CityInbox({ root: topics(id).root, run: (cmd) => mqtt.run(cmd), importAppointments: (list) => appointments.applyAll(list), clock: () => now, logger, maxBytes: DEFAULT_MAX_MESSAGE_BYTES }));
  await mqtt.start();
  let next = 0;
  const appendedAt = new Map<number, number>();
  return {
    appendedAt,
    id,
    config,
    engine,
    mqtt,
    logs,
    brokerLog: () => broker.text(),
    brokerUrl: `mqtt://127.0.0.1:${ports[0]}`,
    users: { server: { username: serverUser, password: pw.server }, agent: { username: LAN_AGENT, password: pw.agent } },
    now: () => now,
    step: (n) => {
      for (let i = 0; i < n && next < commands.length; i++, next++) {
        const c = commands[next] as { cmd: Command; at: number };
        now = Math.max(now, c.at);
        const before = engine.state.seq;
        mqtt.run(c.cmd);
        const t = Date.now();
        for (let s = before + 1; s <= engine.state.seq; s++) appendedAt.set(s, t);
      }
      return next < commands.length;
    },
    stop: async () => {
      await mqtt.stop();
      engine.close();
      platformDb.close();
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
