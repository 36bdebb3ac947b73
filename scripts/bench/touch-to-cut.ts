/**
 * Touch → ticket cut versus the printer's mechanical time for that ticket (issue 12).
 *
 * The touch: the kiosk page's request, POST /kiosk/api/issue over HTTP (keep-alive, as Chromium) to the
 * agent's kiosk app → KioskFlow.issue → IssueTicket over MQTT (a real Mosquitto with the shipped
 * `set_tcp_nodelay`) to the server (HallEngine, durable SQLite append, answered after the commit) → the
 * agent's replica reaches the ticket → status check (DLE EOT 1 + 4) → ESC/POS over a real pty (socat)
 * → EscPosEmulator, which cuts after the paper has moved: 150 mm/s over the ticket's length computed
 * from the bytes it decoded (drivers/printer/mechanics.ts), the paper starting at the ticket's first
 * byte. The figure is touch → cut; the kiosk's answer comes later (the printer confirms the cut, then
 * PrintConfirmed is made durable) and is printed too.
 *
 * The pty passes bytes at once whatever the baud: at the serial printer's default 115200 baud the
 * ticket's bytes take ~20 ms on a wire, under a tenth of its paper time, and the printer prints while
 * they arrive, so the wire does not add to the cut (the line printed gives the wire time); a USB
 * printer is faster still.
 *
 * Baselines, interleaved: the ticket's computed mechanical time, and the driver alone
 * (EscPosPrinter.print of the same kind of ticket → cut). Repeated: runs × tickets, min and median of
 * the per-run p95.
 *
 * Run alone: npx tsx scripts/bench/touch-to-cut.ts   (TOUCH_BENCH_RUNS=5 TOUCH_BENCH_PER_RUN=10)
 */
import { randomBytes } from 'node:crypto';
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
import { encodeDocument } from '../../drivers/printer/encoder.js';
import { ticketMechanics } from '../../drivers/printer/mechanics.js';
import { KioskFlow } from '../../src/agent/flows/kiosk.js';
import { CardSlot, startKioskHttp } from '../../src/agent/kiosk-http.js';
import { AgentLink } from '../../src/agent/link.js';
import { printedTicket } from '../../src/agent/ticket-document.js';
import { epochOf, type HallConfig } from '../../src/core/index.js';
import { allDayHall } from '../../test/helpers/all-day-hall.js';
import { startMosquitto } from '../../test/helpers/mosquitto.js';
import { shippedSetting } from '../../test/helpers/shipped-mosquitto.js';
import { HallEngine } from '../../src/server/engine.js';
import { agentEntrySchema } from '../../src/config/schema.js';
import { requestAuthorizer } from '../../src/bus/authorize.js';
import { MqttServer } from '../../src/server/mqtt-server.js';
import { StatusTokens } from '../../src/server/auth/status-token.js';

/** The serial ticket printer's default line speed (drivers/printer/transport-schemas.ts). */
const BAUD = 115200;

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
  const runs = opts.runs ?? Number(process.env.TOUCH_BENCH_RUNS ?? 5);
  const perRun = opts.perRun ?? Number(process.env.TOUCH_BENCH_PER_RUN ?? 10);
  const dir = mkdtempSync(join(tmpdir(), 'hallq-bench-cut-'));
  const base = epochOf('2026-11-23', 600, 480);
  const start = Date.now();
  const clock = () => base + (Date.now() - start);
  const broker = await startMosquitto(`set_tcp_nodelay ${shippedSetting('set_tcp_nodelay') ?? 'false'}`);
  const engine = HallEngine.open(join(dir, 'hall.db'), config, silentLogger, clock());
  const server = new MqttServer(engine, { url: broker.url, hall: config.id, clock, authorize: requestAuthorizer([agentEntrySchema.parse({ id: 'kiosk-bench', kiosk: {} })]) }, silentLogger);
  // As the server with its HTTP side does (src/server/http.ts): the answer carries the status page's token, printed as a QR.
  const tokens = new StatusTokens(randomBytes(32).toString('hex'), config.id);
  server.statusTokenOf = (ticketId) => tokens.tokenOf(engine.state, ticketId);
  await server.start();
  const link = new AgentLink({ url: broker.url, hall: config.id, agentId: 'kiosk-bench', requestTimeoutMs: 5000 }, silentLogger);
  await link.start();
  await link.catchUp();
  const pair = await openSerialPtyPair(BAUD);
  const emulator = new EscPosEmulator();
  emulator.attach(pair.device);
  const printer = new EscPosPrinter(pair.host, { statusTimeoutMs: 2000 });
  await printer.open();
  const kiosk = new KioskFlow(link, printer, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock });
  const http = await startKioskHttp(link, kiosk, new CardSlot(), { host: '127.0.0.1', port: 0, statusBaseUrl: 'http://hall.test' }, silentLogger);
  const port = (http.address() as { port: number }).port;

  const mech = (t: PrintedTicket) => ticketMechanics(t, emulator.mechanicsModel).ms;
  /** Resolves at the cut with the ticket and the moment. */
  const nextCut = () => emulator.nextTicket().then((ticket) => ({ ticket, at: performance.now() }));
  const cutRuns: Sample[][] = [];
  const answerRuns: Sample[][] = [];
  const driverRuns: Sample[][] = [];
  let wireMs = 0;
  let n = 0;
  try {
    // One ticket first, not counted: a kiosk daemon has been running (code compiled, encoder tables loaded).
    const warm = nextCut();
    const w = await fetch(`http://127.0.0.1:${port}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId: 'A' }) });
    if (!w.ok) throw new Error(`warm-up issue refused: ${w.status}`);
    await warm;
    for (let r = 0; r < runs; r++) {
      const c: Sample[] = [];
      const a: Sample[] = [];
      const d: Sample[] = [];
      for (let i = 0; i < perRun; i++) {
        // The touch: the kiosk page's request.
        let cut = nextCut();
        let t0 = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId: n++ % 2 === 0 ? 'A' : 'B' }) });
        const answeredAt = performance.now();
        const body = (await res.json()) as { ok?: boolean; number: string; position: number; windows: number[]; ticketId: string; statusUrl?: string; code?: string };
        if (!res.ok || body.ok !== true) throw new Error(`issue refused: ${res.status} ${body.code ?? ''}`);
        let done = await cut;
        c.push({ ms: done.at - t0, mechanicalMs: mech(done.ticket) });
        a.push({ ms: answeredAt - t0, mechanicalMs: mech(done.ticket) });
        // Driver alone, a ticket of the same shape.
        const doc = printedTicket({ hallName: config.name, number: body.number, serviceName: config.services[0]!.name, position: body.position, windows: body.windows, issuedAt: clock(), utcOffsetMinutes: 480, ...(body.statusUrl ? { statusUrl: body.statusUrl } : {}) });
        wireMs = Math.max(wireMs, (encodeDocument(doc, { encoding: 'gbk' }).bytes.length * 10 * 1000) / BAUD);
        cut = nextCut();
        t0 = performance.now();
        await printer.print(doc);
        done = await cut;
        d.push({ ms: done.at - t0, mechanicalMs: mech(done.ticket) });
      }
      cutRuns.push(c);
      answerRuns.push(a);
      driverRuns.push(d);
    }
  } finally {
    await new Promise((resolve) => http.close(resolve));
    await printer.close();
    await emulator.close();
    await pair.close();
    await link.stop();
    await server.stop();
    engine.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const summary = (all: Sample[][]) => {
    const per = all.map((run) => ({ p50: quantile(run.map((s) => s.ms / s.mechanicalMs), 0.5), p95: quantile(run.map((s) => s.ms / s.mechanicalMs), 0.95), ms95: quantile(run.map((s) => s.ms), 0.95) }));
    return { p50: median(per.map((p) => p.p50)), p95: median(per.map((p) => p.p95)), p95min: Math.min(...per.map((p) => p.p95)), ms95: median(per.map((p) => p.ms95)) };
  };
  const cs = summary(cutRuns);
  const as = summary(answerRuns);
  const ds = summary(driverRuns);
  const mechs = cutRuns.flat().map((s) => s.mechanicalMs);
  say(
    `touch → cut (POST /kiosk/api/issue → KioskFlow → MQTT via Mosquitto → durable append → print over a pty at ${BAUD} baud), ${runs} runs × ${perRun} tickets: ` +
      `p95 ${f0(cs.ms95)} ms vs the ticket's mechanical time at 150 mm/s (${f0(Math.min(...mechs))}–${f0(Math.max(...mechs))} ms; its bytes ≤ ${f0(wireMs)} ms on the wire): p50 ${f2(cs.p50)}×, p95 median ${f2(cs.p95)}× (min ${f2(cs.p95min)}×; goal ≤ 1.5×); ` +
      `the kiosk's answer (cut confirmed, PrintConfirmed durable): p50 ${f2(as.p50)}×, p95 ${f2(as.p95)}× (min ${f2(as.p95min)}×); ` +
      `driver print → cut alone (interleaved): p50 ${f2(ds.p50)}×, p95 ${f2(ds.p95)}× (min ${f2(ds.p95min)}×)`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchTouchToCut();
}
