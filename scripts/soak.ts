/**
 * The SIGKILL campaign (issue 10, DESIGN §7), extended from test/wire/server-kill.test.ts to many kills
 * across the server and the agents: real `hallq server` and two `hallq agent` processes (from the
 * compiled build when it is fresh, as bin/hallq.js chooses), real Mosquitto, tickets issued all the
 * while through the server's HTTP API (command ids, sent again until answered) and both kiosks' pages.
 * One process at a time is SIGKILLed at a seeded-random moment, started again after systemd's restart
 * delay (RestartSec of systemd/hallq-server.service, 2 s; --restart-delay-ms changes it) and timed from
 * the kill until it serves again (server: /readyz 200; agent: its kiosk page), the delay included.
 * Each daemon runs with the node flags of its unit (scripts/node-flags.ts).
 *
 * At the end: every acknowledged ticket is in the server's state with the number it was acknowledged
 * with (0 lost, 0 renumbered), no command id made two tickets, no number was given twice.
 *
 *   npm run soak -- [--kills N (1000)] [--max-minutes M (45)] [--seed S] [--restart-delay-ms D (RestartSec)]
 *   runSoak(opts) from test/faults/soak.test.ts (a short campaign in CI)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { freePort, startMosquitto } from '../test/helpers/mosquitto.js';
import { seededRandom } from '../test/store/fixtures/seeded-random.js';
import { writeConfig } from '../test/wire/server-process.js';
import { progressBar } from '../src/cli/progress.js';
import { unitNodeFlags } from './node-flags.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'hallq.js');

export interface SoakOptions {
  kills?: number;
  /** The campaign stops starting kills after this long (ms) and reports what it did. */
  maxMs?: number;
  seed?: number;
  /** ms between a kill and the new start, as systemd's RestartSec (default: the shipped units' value). */
  restartDelayMs?: number;
  /** Progress lines (default none). */
  say?: (line: string) => void;
  /** After each kill and restart: kills done of planned (a progress bar). */
  onKill?: (done: number, planned: number) => void;
}

export interface SoakReport {
  seed: number;
  restartDelayMs: number;
  kills: { server: number; agent: number };
  /** Kill → serving again, ms, per kind and over all. */
  recovery: { server: Quantiles; agent: Quantiles; all: Quantiles };
  acknowledged: number;
  lost: string[];
  renumbered: string[];
  /** Command ids answered with two different tickets. */
  duplicated: string[];
  /** Numbers held by two tickets. */
  numbersTwice: string[];
  tickets: number;
  stoppedEarly: boolean;
  elapsedMs: number;
}

export interface Quantiles {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

function quantiles(xs: number[]): Quantiles {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => (s.length === 0 ? 0 : Math.round(s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!));
  return { n: s.length, p50: q(0.5), p99: q(0.99), max: Math.round(s.at(-1) ?? 0) };
}

/** RestartSec of the shipped server unit, in ms (the agent's unit has the same). */
export function systemdRestartDelayMs(): number {
  const unit = readFileSync(join(ROOT, 'systemd', 'hallq-server.service'), 'utf8');
  const m = /^RestartSec=(\d+(?:\.\d+)?)s?$/m.exec(unit);
  return m?.[1] ? Math.round(Number(m[1]) * 1000) : 100; // systemd's own default: 100 ms
}

/** Services of the soak hall, each with its own 999 numbers a day: enough for a 1,000-kill campaign. */
const SERVICES = 'ABCDEFGHJKLMNPQRSTUW'.split('');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET `url` until it answers 200 (a measurement, so it polls: every 20 ms), bounded by `boundMs`. */
async function until200(url: string, boundMs: number, headers: Record<string, string> = {}): Promise<boolean> {
  const end = performance.now() + boundMs;
  while (performance.now() < end) {
    try {
      const r = await fetch(url, { headers, signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.status === 200) return true;
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
  return false;
}

interface Proc {
  child: ChildProcess;
  exited: Promise<void>;
}

function launch(kind: 'server' | 'agent', config: string): Proc {
  const child = spawn(process.execPath, [...unitNodeFlags(kind), BIN, kind, '--config', config], { stdio: ['ignore', 'ignore', 'ignore'], cwd: ROOT });
  return { child, exited: new Promise((resolve) => child.once('exit', () => resolve())) };
}

async function kill(p: Proc, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  await p.exited;
}

export async function runSoak(opts: SoakOptions = {}): Promise<SoakReport> {
  const kills = opts.kills ?? 1000;
  const maxMs = opts.maxMs ?? 45 * 60_000;
  const seed = opts.seed ?? Date.now() % 1_000_000;
  const say = opts.say ?? (() => undefined);
  const restartDelayMs = opts.restartDelayMs ?? systemdRestartDelayMs();
  const random = seededRandom(seed);
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'hallq-soak-'));
  const broker = await startMosquitto();
  const httpPort = await freePort();
  const kioskPorts = [await freePort(), await freePort()];
  // The wire hall (test/wire/server-process.ts) with both agents' kiosk pages on their own ports, and
  // SERVICES services: a service gives 999 numbers a day, which a long campaign would use up (refused
  // issues, then nothing acknowledged to check for the rest of the kills).
  const ids = SERVICES.join(', ');
  const base = readFileSync(writeConfig(dir, broker.url, httpPort), 'utf8')
    .replace('  - { id: A, prefix: A, name: { zh: 社保, en: Social } }\n', SERVICES.map((s) => `  - { id: ${s}, prefix: ${s}, name: { zh: 业务${s}, en: Service ${s} } }\n`).join(''))
    .replaceAll('tiers: [[A]]', `tiers: [[${ids}]]`)
    .replace('{ id: kiosk-1, kiosk: {},', `{ id: kiosk-1, kiosk: { port: ${kioskPorts[0]} },`)
    .replace('{ id: kiosk-2, kiosk: {},', `{ id: kiosk-2, kiosk: { port: ${kioskPorts[1]} },`)
    .replace('logLevel: info', 'logLevel: warn');
  const serverConfig = join(dir, 'hall.yaml');
  writeFileSync(serverConfig, base);
  const agentConfigs = ['kiosk-1', 'kiosk-2'].map((id) => {
    const file = join(dir, `${id}.yaml`);
    writeFileSync(file, `${base}agent: { id: ${id}, mqtt: { url: "${broker.url}" }, logLevel: warn }\n`);
    return file;
  });
  const healthz = `http://127.0.0.1:${httpPort}/readyz`;
  const kioskInfo = kioskPorts.map((p) => `http://127.0.0.1:${p}/kiosk/api/info`);

  let server = launch('server', serverConfig);
  if (!(await until200(healthz, 120_000))) throw new Error('soak: the server did not come up');
  const auth = { authorization: `Bearer ${readFileSync(join(dir, 'hall.db.cli-token'), 'utf8').trim()}` };
  const agents = agentConfigs.map((c) => launch('agent', c));
  for (const url of kioskInfo) if (!(await until200(url, 120_000))) throw new Error(`soak: an agent did not come up (${url})`);

  // ── load: acknowledged tickets, by command id (server API) and by kiosk answer ──
  const acked = new Map<string, { ticketId: string; number: string }>();
  const answers = new Map<string, Set<string>>();
  let loading = true;
  let seq = 0;
  const serviceOf = (i: number) => SERVICES[i % SERVICES.length];
  const viaServer = async (): Promise<void> => {
    const n = seq++;
    const id = `soak-${seed}-${n}`;
    // Sent again with the same id until answered: a repeat gets the first outcome, never a second ticket.
    for (let attempt = 0; attempt < 600; attempt++) {
      try {
        const r = await fetch(`http://127.0.0.1:${httpPort}/api/commands`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...auth },
          body: JSON.stringify({ id, type: 'IssueTicket', serviceId: serviceOf(n), delivery: 'none' }),
          signal: AbortSignal.timeout(3000),
        });
        if (r.status !== 200) {
          await r.arrayBuffer();
          await sleep(50);
          continue;
        }
        const body = (await r.json()) as { outcome?: { ok: boolean; ticketId?: string } };
        const t = body.outcome?.ticketId;
        if (!body.outcome?.ok || !t) return;
        const got = answers.get(id) ?? new Set<string>();
        answers.set(id, got.add(t));
        const st = (await (await fetch(`http://127.0.0.1:${httpPort}/api/state`, { headers: auth, signal: AbortSignal.timeout(3000) })).json()) as { tickets: Record<string, { number: string }> };
        const number = st.tickets[t]?.number;
        if (number) acked.set(`cmd:${id}`, { ticketId: t, number });
        return;
      } catch {
        await sleep(50);
      }
    }
  };
  const viaKiosk = async (k: number, n: number): Promise<void> => {
    try {
      const r = await fetch(`http://127.0.0.1:${kioskPorts[k]}/kiosk/api/issue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ serviceId: serviceOf(n), smsOnly: true, phone: '13800138000' }),
        signal: AbortSignal.timeout(15_000),
      });
      if (r.status !== 200) return void (await r.arrayBuffer());
      const body = (await r.json()) as { ticketId: string; number: string };
      acked.set(`kiosk:${body.ticketId}`, { ticketId: body.ticketId, number: body.number });
    } catch {
      // not acknowledged: nothing to check
    }
  };
  const load = (async () => {
    let i = 0;
    while (loading) {
      await Promise.all([viaServer(), viaKiosk(i % 2, i)]);
      i += 1;
      // A busy hall, not a flood: a flood (and its full-state reads) would time the restarted server
      // and agents under a load no hall makes (a few citizens a second at most).
      await sleep(250);
    }
  })();

  // ── kills ──
  const recovery = { server: [] as number[], agent: [] as number[] };
  let stoppedEarly = false;
  for (let k = 0; k < kills; k++) {
    if (performance.now() - started > maxMs) {
      stoppedEarly = true;
      break;
    }
    await sleep(Math.floor(random() * 300));
    const victim = random() < 0.5 ? -1 : Math.floor(random() * 2);
    const t0 = performance.now();
    if (victim < 0) {
      await kill(server);
      await sleep(restartDelayMs);
      server = launch('server', serverConfig);
      if (!(await until200(healthz, 120_000))) throw new Error(`soak: the server did not come back after kill ${k + 1}`);
      recovery.server.push(performance.now() - t0);
    } else {
      await kill(agents[victim]!);
      await sleep(restartDelayMs);
      agents[victim] = launch('agent', agentConfigs[victim]!);
      if (!(await until200(kioskInfo[victim]!, 120_000))) throw new Error(`soak: agent ${victim + 1} did not come back after kill ${k + 1}`);
      recovery.agent.push(performance.now() - t0);
    }
    opts.onKill?.(k + 1, kills);
    if ((k + 1) % 10 === 0) say(`${k + 1} kills, ${acked.size} tickets acknowledged, server p50 ${quantiles(recovery.server).p50} ms, agent p50 ${quantiles(recovery.agent).p50} ms`);
  }
  loading = false;
  await load;

  // ── check ──
  const state = (await (await fetch(`http://127.0.0.1:${httpPort}/api/state`, { headers: auth })).json()) as { tickets: Record<string, { number: string; day: string }> };
  const lost: string[] = [];
  const renumbered: string[] = [];
  for (const [key, a] of acked) {
    const t = state.tickets[a.ticketId];
    if (!t) lost.push(key);
    else if (t.number !== a.number) renumbered.push(`${key}: ${a.number} → ${t.number}`);
  }
  const duplicated = [...answers].filter(([, s]) => s.size > 1).map(([id]) => id);
  const byNumber = new Map<string, number>();
  for (const t of Object.values(state.tickets)) byNumber.set(`${t.day}/${t.number}`, (byNumber.get(`${t.day}/${t.number}`) ?? 0) + 1);
  const numbersTwice = [...byNumber].filter(([, n]) => n > 1).map(([k]) => k);

  for (const a of agents) await kill(a, 'SIGTERM');
  await kill(server, 'SIGTERM');
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    seed,
    restartDelayMs,
    kills: { server: recovery.server.length, agent: recovery.agent.length },
    recovery: { server: quantiles(recovery.server), agent: quantiles(recovery.agent), all: quantiles([...recovery.server, ...recovery.agent]) },
    acknowledged: acked.size,
    lost,
    renumbered,
    duplicated,
    numbersTwice,
    tickets: Object.keys(state.tickets).length,
    stoppedEarly,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** The report as printed by `npm run soak`. */
export function formatSoak(r: SoakReport): string {
  const q = (x: Quantiles) => `n ${x.n}, p50 ${x.p50} ms, p99 ${x.p99} ms, max ${x.max} ms`;
  return [
    `hallq soak (seed ${r.seed}): ${r.kills.server + r.kills.agent} SIGKILLs (server ${r.kills.server}, agents ${r.kills.agent}) in ${(r.elapsedMs / 1000).toFixed(0)} s${r.stoppedEarly ? ' (stopped at the time bound)' : ''}`,
    `kill → serving again (restart delay ${r.restartDelayMs} ms included): server ${q(r.recovery.server)}; agents ${q(r.recovery.agent)}; all ${q(r.recovery.all)}`,
    `tickets: ${r.acknowledged} acknowledged, ${r.tickets} in the log; lost ${r.lost.length}, renumbered ${r.renumbered.length}, duplicated ${r.duplicated.length}, numbers given twice ${r.numbersTwice.length}`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { kills: { type: 'string' }, 'max-minutes': { type: 'string' }, seed: { type: 'string' }, 'restart-delay-ms': { type: 'string' } } });
  // A bar on a terminal's stderr; the lines every 10 kills go to stdout (a log when piped).
  const bar = progressBar('soak', 'kills');
  const r = await runSoak({
    kills: values.kills ? Number(values.kills) : 1000,
    maxMs: (values['max-minutes'] ? Number(values['max-minutes']) : 45) * 60_000,
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    ...(values['restart-delay-ms'] ? { restartDelayMs: Number(values['restart-delay-ms']) } : {}),
    say: (l) => (process.stdout.isTTY && process.stderr.isTTY ? undefined : process.stdout.write(`${l}\n`)),
    onKill: (done, planned) => bar.update(done, planned),
  }).finally(() => bar.stop());
  process.stdout.write(`${formatSoak(r)}\n`);
  const bad = r.lost.length + r.renumbered.length + r.duplicated.length + r.numbersTwice.length;
  process.exitCode = bad === 0 ? 0 : 1;
}
