/**
 * Issue 12, the live stream: server CPU per event with 100 open hall-display pages (/api/stream,
 * raw HTTP connections in this process) against the same with one page, interleaved and repeated.
 * Each event is a ticket issued through the server's own command path; the next one goes only when
 * every page has received the snapshot that carries it (so the 50 ms coalescing never merges two).
 * The CPU counted is the whole process's (server, pages' sockets, the engine's durable appends).
 *
 *   npx tsx scripts/bench/live-stream.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../drivers/common/logger.js';
import { HallEngine } from '../../src/server/engine.js';
import { buildHttp } from '../../src/server/http.js';
import { MqttServer } from '../../src/server/mqtt-server.js';
import { quantile } from '../../src/sim/stats.js';
import { benchConfig, issue } from './mqtt-rig.js';
import { epochOf } from '../../src/core/index.js';

interface Page {
  seq: number;
  close(): void;
}

function openPage(port: number, onSeq: () => void): Promise<Page> {
  return new Promise((resolve, reject) => {
    const page: Page = { seq: -1, close: () => req.destroy() };
    const req = http.get({ host: '127.0.0.1', port, path: '/api/stream', agent: false }, (res) => {
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const m = /"seq":(\d+)/.exec(frame);
          if (m) {
            page.seq = Number(m[1]);
            onSeq();
          }
        }
      });
      resolve(page);
    });
    req.on('error', reject);
  });
}

export async function benchLiveStream(say: (s: string) => void = console.log, reps = 3, events = 60): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-bench-live-'));
  const base = epochOf('2026-11-23', 600, 480);
  const start = Date.now();
  const clock = () => base + (Date.now() - start);
  const engine = HallEngine.open(join(dir, 'hall.db'), benchConfig, silentLogger, clock());
  // Never started: commands run through it without a broker (publishing is a no-op then).
  const mqtt = new MqttServer(engine, { url: 'mqtt://127.0.0.1:1', hall: benchConfig.id, clock, authorize: (_client, request) => ({ ok: true, request }) }, silentLogger);
  const { app } = await buildHttp(engine, mqtt, { host: '127.0.0.1', port: 0, clock, credentialCost: { N: 1024, r: 8, p: 1 } }, silentLogger);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  let id = 0;
  for (const w of benchConfig.windows) mqtt.run({ id: `open-${w.id}`, type: 'OpenWindow', window: w.id, staffId: `s${w.id}` } as never);
  for (let i = 0; i < 600; i++) mqtt.run({ ...issue(i), id: `fill-${i}` } as never);

  const measure = async (n: number): Promise<number> => {
    let waiter: (() => void) | undefined;
    const pages: Page[] = [];
    const check = () => {
      if (waiter && pages.length === n && pages.every((p) => p.seq >= engine.state.seq)) waiter();
    };
    for (let i = 0; i < n; i++) pages.push(await openPage(port, check));
    await new Promise<void>((r) => ((waiter = r), check()));
    const cpu0 = process.cpuUsage();
    for (let k = 0; k < events; k++) {
      const seen = new Promise<void>((r) => (waiter = r));
      mqtt.run({ ...issue(k), id: `live-${++id}` } as never);
      await seen;
    }
    const cpu = process.cpuUsage(cpu0);
    for (const p of pages) p.close();
    return (cpu.user + cpu.system) / 1000 / events;
  };

  try {
    const one: number[] = [];
    const hundred: number[] = [];
    for (let k = 0; k < reps; k++) {
      one.push(await measure(1));
      hundred.push(await measure(100));
    }
    const ratios = hundred.map((h, i) => h / (one[i] ?? NaN)).sort((a, b) => a - b);
    say(`live stream, CPU per event (600 waiting): 100 open pages median ${quantile(hundred, 0.5).toFixed(2)} ms vs one page ${quantile(one, 0.5).toFixed(2)} ms → ratio min ${ratios[0]?.toFixed(2)}, median ${quantile(ratios, 0.5).toFixed(2)} (${reps} rounds of ${events} events)`);
  } finally {
    await app.close();
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchLiveStream();
