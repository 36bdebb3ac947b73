/**
 * Touch → ticket cut versus the printer's mechanical time for that ticket.
 *
 * Kiosk path: KioskFlow.issue (what the kiosk page's "take a number" request runs in the agent) →
 * IssueTicket over MQTT (embedded broker) to the server (HallEngine, durable SQLite append) → the
 * agent's replica catches up → status check (DLE EOT 1 + 4) → ESC/POS over a real pty (socat) →
 * EscPosEmulator, whose cut comes after the paper has moved (150 mm/s, drivers/printer/mechanics.ts).
 * Not in it: the browser's HTTP hop to the agent. Baseline, interleaved: the driver alone
 * (EscPosPrinter.print of the same kind of ticket → cut), and the computed mechanical time.
 *
 * Run alone: npx tsx scripts/bench/touch-to-cut.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../../drivers/common/logger.js';
import { openSerialPtyPair } from '../../drivers/common/pty-pair.js';
import type { PrintedTicket } from '../../drivers/printer/document.js';
import { EscPosPrinter } from '../../drivers/printer/driver.js';
import { EscPosEmulator } from '../../drivers/printer/emulator.js';
import { ticketMechanics } from '../../drivers/printer/mechanics.js';
import { KioskFlow } from '../../src/agent/flows/kiosk.js';
import { AgentLink } from '../../src/agent/link.js';
import { ticketDocument } from '../../src/agent/ticket-document.js';
import { startEmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { epochOf, type HallConfig } from '../../src/core/index.js';
import { allDayHall } from '../../test/helpers/all-day-hall.js';
import { HallEngine } from '../../src/server/engine.js';
import { agentEntrySchema } from '../../src/config/schema.js';
import { requestAuthorizer } from '../../src/bus/authorize.js';
import { MqttServer } from '../../src/server/mqtt-server.js';

const config: HallConfig = allDayHall('bench-hall', { zh: '政务服务中心', en: 'Government service centre' }, 10);

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}
const median = (xs: number[]) => quantile(xs, 0.5);
const f0 = (x: number) => x.toFixed(0);
const f2 = (x: number) => x.toFixed(2);

interface Sample {
  ms: number;
  mechanicalMs: number;
}

export async function benchTouchToCut(say: (s: string) => void = console.log, opts: { runs?: number; perRun?: number } = {}): Promise<void> {
  const runs = opts.runs ?? 5;
  const perRun = opts.perRun ?? 10;
  const dir = mkdtempSync(join(tmpdir(), 'hallq-bench-cut-'));
  const base = epochOf('2026-11-23', 600, 480);
  const start = Date.now();
  const clock = () => base + (Date.now() - start);
  const broker = await startEmbeddedBroker({ port: 0 });
  const engine = HallEngine.open(join(dir, 'hall.db'), config, silentLogger, clock());
  const server = new MqttServer(engine, { url: broker.url, hall: config.id, clock, authorize: requestAuthorizer([agentEntrySchema.parse({ id: 'kiosk-bench', kiosk: {} })]) }, silentLogger);
  await server.start();
  const link = new AgentLink({ url: broker.url, hall: config.id, agentId: 'kiosk-bench', requestTimeoutMs: 5000 }, silentLogger);
  await link.start();
  await link.catchUp();
  const pair = await openSerialPtyPair(115200);
  const emulator = new EscPosEmulator();
  emulator.attach(pair.device);
  const printer = new EscPosPrinter(pair.host, { statusTimeoutMs: 2000 });
  await printer.open();
  const kiosk = new KioskFlow(link, printer, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock });

  const mech = (t: PrintedTicket) => ticketMechanics(t, emulator.mechanicsModel).ms;
  const kioskRuns: Sample[][] = [];
  const driverRuns: Sample[][] = [];
  let n = 0;
  try {
    for (let r = 0; r < runs; r++) {
      const k: Sample[] = [];
      const d: Sample[] = [];
      for (let i = 0; i < perRun; i++) {
        // Kiosk path.
        let cut = emulator.nextTicket();
        let t0 = performance.now();
        const res = await kiosk.issue({ serviceId: n++ % 2 === 0 ? 'A' : 'B' });
        if (!res.ok) throw new Error(`issue refused: ${res.code}`);
        let ticket = await cut;
        k.push({ ms: performance.now() - t0, mechanicalMs: mech(ticket) });
        // Driver alone, a ticket of the same shape.
        const doc = ticketDocument({ hallName: config.name, number: res.number, serviceName: config.services[0]!.name, position: res.position, windows: res.windows, issuedAt: clock(), utcOffsetMinutes: 480, statusUrl: `http://hall.test/t/${res.ticketId}` });
        cut = emulator.nextTicket();
        t0 = performance.now();
        await printer.print(doc);
        ticket = await cut;
        d.push({ ms: performance.now() - t0, mechanicalMs: mech(ticket) });
      }
      kioskRuns.push(k);
      driverRuns.push(d);
    }
  } finally {
    await printer.close();
    await emulator.close();
    await pair.close();
    await link.stop();
    await server.stop();
    engine.close();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const summary = (all: Sample[][]) => {
    const per = all.map((run) => ({ p50: quantile(run.map((s) => s.ms / s.mechanicalMs), 0.5), p95: quantile(run.map((s) => s.ms / s.mechanicalMs), 0.95), ms95: quantile(run.map((s) => s.ms), 0.95) }));
    return { p50: median(per.map((p) => p.p50)), p95: median(per.map((p) => p.p95)), p95min: Math.min(...per.map((p) => p.p95)), ms95: median(per.map((p) => p.ms95)) };
  };
  const ks = summary(kioskRuns);
  const ds = summary(driverRuns);
  const mechs = kioskRuns.flat().map((s) => s.mechanicalMs);
  say(
    `touch → cut (KioskFlow.issue over MQTT with a durable append, then print over a pty; no browser HTTP hop), ${runs} runs × ${perRun} tickets: ` +
      `p95 ${f0(ks.ms95)} ms vs the ticket's mechanical time at 150 mm/s (${f0(Math.min(...mechs))}–${f0(Math.max(...mechs))} ms): p50 ${f2(ks.p50)}×, p95 ${f2(ks.p95)}× (min ${f2(ks.p95min)}×; goal ≤ 1.5×); ` +
      `driver print → cut alone (interleaved): p50 ${f2(ds.p50)}×, p95 ${f2(ds.p95)}× (min ${f2(ds.p95min)}×)`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchTouchToCut();
}
