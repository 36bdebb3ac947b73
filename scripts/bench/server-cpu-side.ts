/**
 * The two processes of scripts/bench/server-cpu.ts besides itself: one checkout's server (bundled from
 * that checkout's sources as the production build bundles them) and the load's client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../drivers/common/logger.js';
import { quantile } from '../../src/sim/stats.js';
import type * as Core from '../../src/core/index.js';
import type * as Engine from '../../src/server/engine.js';
import type * as Server from '../../src/server/mqtt-server.js';
import { startMosquitto } from '../../test/helpers/mosquitto.js';
import { connectLoadClient } from './mqtt-load-client.js';
import { benchConfig, issue, mixed } from './mqtt-rig.js';

export type Msg = Record<string, unknown> & { kind: string };

/** The server side's parts, from the checkout measured. */
export interface SideModules {
  core: Pick<typeof Core, 'epochOf' | 'waitingTickets'>;
  HallEngine: typeof Engine.HallEngine;
  MqttServer: typeof Server.MqttServer;
}

const reply = (m: Msg) => process.send?.(m);
/** The next message from the parent. */
const nextMessage = () => new Promise<Msg>((res) => process.once('message', (m: Msg) => res(m)));

/** The load's client: sends what the side asks for, 16 in flight, and says when all are answered. */
export async function clientMain(url: string): Promise<void> {
  const { command } = await connectLoadClient(url, benchConfig.id, `bench-load-${process.pid}`);
  reply({ kind: 'ready' });
  for (;;) {
    const m = await nextMessage();
    const n = Number(m.n);
    // The no-op: a CallNext to a window the hall does not have (parsed, decided, refused, nothing appended), as in commands.ts.
    const body = m.kind === 'fill' ? issue : m.kind === 'noop' ? () => ({ type: 'CallNext', window: 99 }) : mixed;
    const lat: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        const res = (await command(body(i))) as { status: string };
        if (m.kind !== 'noop' && res.status !== 'ok') throw new Error(`bench command failed: ${JSON.stringify(res)}`);
        lat.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    reply({ kind: 'done', p99: quantile(lat, 0.99) });
  }
}

/** One checkout's server (its engine and MqttServer on its own broker and log), measuring its own process per round. */
export async function sideMain(mods: SideModules, startClient: (url: string) => { send(m: Msg): void; once(e: 'message', f: (m: Msg) => void): void; kill(): void }): Promise<void> {
  const { core, HallEngine, MqttServer } = mods;
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'hallq-server-cpu-'));
  const base = core.epochOf('2026-11-23', 600, 480);
  const start = Date.now();
  const clock = () => base + (Date.now() - start);
  const engine = HallEngine.open(join(dir, 'hall.db'), benchConfig, silentLogger, clock());
  const server = new MqttServer(engine, { url: broker.url, hall: benchConfig.id, clock, authorize: (_client, request) => ({ ok: true, request }) }, silentLogger);
  await server.start();
  for (const w of benchConfig.windows) server.run({ id: `open-${w.id}`, type: 'OpenWindow', window: w.id, staffId: `s${w.id}` } as Core.Command);
  const load = startClient(broker.url);
  const ask = (m: Msg) =>
    new Promise<Msg>((res) => {
      load.once('message', res);
      load.send(m);
    });
  await new Promise((r) => load.once('message', r));
  const refill = async () => {
    const missing = 1000 - core.waitingTickets(engine.state).length;
    if (missing > 0) await ask({ kind: 'fill', n: missing });
  };
  await refill();
  reply({ kind: 'ready' });
  for (;;) {
    const m = await nextMessage();
    if (m.kind === 'stop') break;
    await refill();
    const measure = async (kind: 'mixed' | 'noop') => {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const r = await ask({ kind, n: 1200 });
      const cpu = process.cpuUsage(cpu0);
      return { cpuUs: (cpu.user + cpu.system) / 1200, perSec: 1200 / ((performance.now() - t0) / 1000), p99: Number(r.p99) };
    };
    // The load, then the no-op baseline right after it on the same process and state.
    const load1 = await measure('mixed');
    const noop = await measure('noop');
    reply({ kind: 'round', ...load1, noop });
  }
  load.kill();
  await server.stop();
  engine.close();
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
