/**
 * Start time and memory of `hallq server` against bare Node (issue 12; goals ≤ 0.5 s on an empty log,
 * ≤ 1 s on 30 days, RSS ≤ 90 MB at start).
 *
 * Each run spawns the real command as the unit does (`node FLAGS bin/hallq.js server --config …`, FLAGS from
 * the unit's ExecStart, scripts/node-flags.ts) from the build (dist/) against a real Mosquitto, and measures
 * from spawn to the READY=1 datagram on NOTIFY_SOCKET, read by a listener that does what systemd does (a
 * small Python 3 program: it reads the datagram and closes the barrier fd systemd-notify waits on; without
 * python3 or systemd-notify, to the "hall server ready" log line, which follows READY=1). Then it reads the
 * process's VmRSS and the CPU time it has used (user + system, all threads: the figure a loaded machine
 * does not inflate). The 30-day log is written as the server leaves it: events, snapshots and the report
 * tables folded up to the last event. The baseline `node -e 0` is timed from spawn to exit, and bare Node's
 * RSS read the same way from a process that only waits. Variants run interleaved, round after round; min
 * and median are printed.
 *
 *   npx tsx scripts/bench/startup.ts [--rounds N] [--days N]     (alone; `npm run build` first)
 *   benchStartup(say, opts) from scripts/bench.ts
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { parse, stringify } from 'yaml';
import { simSpecOf } from '../../src/cli/simulate.js';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { apply, emptyState, type HallEvent } from '../../src/core/index.js';
import { simulate } from '../../src/sim/simulate.js';
import { EventLog, SnapshotFile, snapshotFilePath } from '../../src/store/index.js';
import { eventsBetweenSnapshots } from '../../src/server/engine.js';
import { encodeEvent } from '../../src/store/rows.js';
import { ReportProjection } from '../../src/reports/projection.js';
import { unitNodeFlags } from '../node-flags.js';
import { freePort, startMosquitto } from '../../test/helpers/mosquitto.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'hallq.js');

export interface StartupOptions {
  rounds?: number;
  /** Days of log for the "long log" variant (the issue asks for 30). */
  days?: number;
  /** Also time the TypeScript sources through tsx (development), for comparison. */
  fromSource?: boolean;
}

interface Sample {
  ms: number;
  rssMb: number;
  /** CPU time (user + system, ms) the process had used at READY. */
  cpuMs?: number;
  /** Where the time went, from the server's own log lines (ms): to "event log open", replay, broker connect, the rest. */
  phases?: { load: number; replay: number; connect: number; rest: number };
}

/** The pino `time` (epoch ms) of the first log line with this message. */
function logTime(out: string, msg: string): number | undefined {
  for (const line of out.split('\n')) {
    if (!line.includes(`"msg":"${msg}"`)) continue;
    try {
      return (JSON.parse(line) as { time: number }).time;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};
const min = (xs: readonly number[]): number => Math.min(...xs);

/** utime + stime of a process, ms (clock ticks of 10 ms, as on every Linux Node runs on here). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The demo hall served from this box: the demo config with this run's broker, port and database. */
function writeServerConfig(dir: string, brokerUrl: string, httpPort: number, database: string, name = `hall-${httpPort}`): string {
  const doc = parse(readFileSync(join(ROOT, 'config', 'demo.yaml'), 'utf8')) as Record<string, unknown>;
  doc.server = { mqtt: { url: brokerUrl }, http: { host: '127.0.0.1', port: httpPort }, database, logLevel: 'info' };
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(doc));
  return file;
}

/**
 * A log of `days` simulated days of the demo hall, written as the server would have written it (the same
 * rows, command outcomes and snapshots as far apart as the engine's eventsBetweenSnapshots) but in one transaction per batch
 * instead of one fsync per command, so it takes seconds. Returns the number of events.
 */
export function writeSimulatedLog(config: string, database: string, days: number): number {
  const c = loadConfigOrThrow(config);
  const spec = simSpecOf(c, { days, seed: 1 });
  if (typeof spec === 'string') throw new Error(spec);
  EventLog.open<HallEvent>(database).close(); // creates the schema
  const db = new Database(database);
  db.pragma('synchronous = OFF');
  const insertEvent = db.prepare('INSERT INTO events (seq, at, command_id, type, pos, body) VALUES (@seq, @at, @command_id, @type, @pos, @body)');
  const insertCommand = db.prepare('INSERT INTO commands (id, outcome, last_seq) VALUES (@id, @outcome, @last_seq)');
  const state = emptyState();
  let events = 0;
  let sinceSnapshot = 0;
  let snapshotEvery = eventsBetweenSnapshots(0);
  let lastSnapshot: { seq: number; json: string } | undefined;
  db.exec('BEGIN');
  simulate({
    ...spec,
    onCommand: (cmd, evs) => {
      evs.forEach((e, pos) => {
        insertEvent.run(encodeEvent(e, pos));
        apply(state, e);
      });
      insertCommand.run({ id: cmd.id, outcome: JSON.stringify({ ok: true }), last_seq: state.seq });
      events += evs.length;
      sinceSnapshot += evs.length;
      if (sinceSnapshot >= snapshotEvery) {
        const json = JSON.stringify(state);
        snapshotEvery = eventsBetweenSnapshots(json.length);
        lastSnapshot = { seq: state.seq, json };
        sinceSnapshot = 0;
      }
    },
  });
  db.exec('COMMIT');
  db.close();
  // The server's snapshot worker writes them into the snapshot file, bound to the log's event at their seq;
  // a start reads only the newest.
  if (lastSnapshot !== undefined) {
    const log = EventLog.open<HallEvent>(database, { readonly: true });
    const file = SnapshotFile.openForWriting(snapshotFilePath(database) ?? '');
    file.save(lastSnapshot.seq, log.eventDigest(lastSnapshot.seq) ?? '', lastSnapshot.json);
    file.close();
    log.close();
  }
  // The running server folds every append into the report tables: a restart finds them current.
  const reports = ReportProjection.open(database);
  reports.catchUp();
  reports.close();
  return events;
}

/**
 * systemd's side of NOTIFY_SOCKET, as PID 1 does it: a unix datagram socket that reads each message and
 * closes the file descriptors that come with it (systemd-notify's BARRIER=1 waits for that close), in a
 * small Python 3 program (Node cannot bind a unix datagram socket). Each message goes to stdout on one line.
 */
const NOTIFY_LISTENER = `
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            for i in range(0, len(payload) - len(payload) % 4, 4):
                os.close(int.from_bytes(payload[i:i + 4], sys.byteorder))
    print(data.decode("utf-8", "replace").replace("\\n", " | "), flush=True)
`;

async function notifyListener(dir: string): Promise<{ path: string; count(): number; next(after: number): Promise<void>; close(): void } | undefined> {
  const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  if (!has('python3') || !has('systemd-notify')) return undefined;
  const path = join(dir, 'notify.sock');
  const child = spawn('python3', ['-c', NOTIFY_LISTENER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let waiters: Array<{ after: number; done: () => void }> = [];
  const count = () => out.split('READY=1').length - 1;
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (log += d));
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`notify listener exited ${String(code)}: ${log}`)));
  });
  child.stdout.on('data', (d: string) => {
    out += d;
    const n = count();
    const due = waiters.filter((w) => n > w.after);
    waiters = waiters.filter((w) => n <= w.after);
    for (const w of due) w.done();
  });
  return {
    path,
    count,
    next: (after) => new Promise<void>((done) => (count() > after ? done() : waiters.push({ after, done }))),
    close: () => child.kill(),
  };
}

function killGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    // The group: systemd-notify children waiting on their barrier go too.
    process.kill(-(child.pid ?? 0), 'SIGKILL');
  });
}

function withoutCacheDir(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { CACHE_DIRECTORY: _, ...rest } = env;
  return rest;
}

/** A database file, its snapshot file and their SQLite side files, gone (a variant that starts on the same path each round). */
function removeDatabase(db: string): void {
  for (const base of [db, `${db}.snapshots`]) for (const f of [base, `${base}-wal`, `${base}-shm`, `${base}-journal`]) rmSync(f, { force: true });
}

/** One start of `hallq server`: ms from spawn to READY=1, and RSS then. */
async function startServer(config: string, run: 'dist' | 'src', notify: Awaited<ReturnType<typeof notifyListener>>, cacheDir?: string, flags: string[] = unitNodeFlags('server')): Promise<Sample> {
  const before = notify?.count() ?? 0;
  const epoch0 = Date.now();
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [...flags, BIN, 'server', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...withoutCacheDir(process.env), HALLQ_RUN: run, ...(notify ? { NOTIFY_SOCKET: notify.path } : {}), ...(cacheDir ? { CACHE_DIRECTORY: cacheDir } : {}) },
  });
  let out = '';
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`hallq server exited ${String(code)}: ${out}`))));
  const logged = new Promise<void>((resolve) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      if (out.includes('hall server ready')) resolve();
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (out += d));
  });
  await Promise.race([notify ? notify.next(before) : logged, exited]);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const sample: Sample = { ms, rssMb: rssMb(child.pid ?? 0), cpuMs: cpuMs(child.pid ?? 0) };
  // The lines before READY=1 are written before it is sent; the pipe may deliver them a moment later.
  const connectedLine = new Promise<void>((resolve) => {
    const check = () => (out.includes('connected to broker') ? resolve() : child.stdout.once('data', check));
    check();
  });
  await Promise.race([connectedLine, exited]);
  // With the code cache (the unit's --experimental-vm-modules and a cache directory), the caches a start lacked
  // are written right after READY: waited for, so the next start finds them (src/cli/code-cache.ts).
  if (cacheDir && run === 'dist' && flags.includes('--experimental-vm-modules')) {
    const written = new Promise<void>((resolve) => {
      const check = () => (out.includes('modules loaded with the code cache') ? resolve() : child.stdout.once('data', check));
      check();
    });
    await Promise.race([written, exited]);
  }
  const open = logTime(out, 'event log open');
  const replayed = logTime(out, 'event log replayed');
  const connected = logTime(out, 'connected to broker');
  if (open !== undefined && replayed !== undefined && connected !== undefined) {
    sample.phases = { load: open - epoch0, replay: replayed - open, connect: connected - replayed, rest: epoch0 + ms - connected };
  }
  child.removeAllListeners('exit');
  await killGroup(child);
  return sample;
}

async function nodeBaseline(): Promise<Sample> {
  const t0 = process.hrtime.bigint();
  await new Promise<void>((resolve) => spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).once('exit', () => resolve()));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  // RSS of a Node that has started and waits, read as the server's is.
  const idle = spawn(process.execPath, ['-e', 'process.stdout.write("up\\n"); setInterval(() => {}, 1e6)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve) => idle.stdout.once('data', () => resolve()));
  const rss = rssMb(idle.pid ?? 0);
  await new Promise<void>((resolve) => {
    idle.once('exit', () => resolve());
    idle.kill('SIGKILL');
  });
  return { ms, rssMb: rss };
}

/** Runs the start-time bench and reports through say(); returns the figures (ms and MB, per variant). */
export async function benchStartup(say: (line: string) => void, opts: StartupOptions = {}): Promise<Record<string, { msMin: number; msMedian: number; rssMedian: number }>> {
  const rounds = opts.rounds ?? 7;
  const days = opts.days ?? 30;
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('no build: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'hallq-bench-start-'));
  const broker = await startMosquitto();
  const notify = await notifyListener(dir);
  try {
    const port = await freePort();
    const longTemplate = join(dir, 'long-template.db');
    const t = Date.now();
    const events = writeSimulatedLog(writeServerConfig(dir, broker.url, port, longTemplate), longTemplate, days);
    say(`start: ${days}-day log of the demo hall written (${events} events, report tables folded, ${((Date.now() - t) / 1000).toFixed(0)} s); ${rounds} rounds, node ${unitNodeFlags('server').join(' ') || 'without flags'} (as the unit runs it), ready = ${notify ? 'READY=1 on NOTIFY_SOCKET' : 'the "hall server ready" log line'}`);
    // As the unit runs it: the same config file at every start, and CacheDirectory= (CACHE_DIRECTORY) for the
    // config checked at the last start (src/config/config-cache.ts) and the build's code cache
    // (src/cli/code-cache.ts); one start of each variant before the rounds fills it. Interleaved with it: no
    // cache directory (the first start after an install or a config change, near enough), and the cache
    // directory without the code cache (the unit's flags but --experimental-vm-modules).
    const cacheDir = join(dir, 'cache');
    mkdirSync(cacheDir);
    const emptyDb = join(dir, 'empty.db');
    const emptyConfig = writeServerConfig(dir, broker.url, port, emptyDb, 'hall-empty');
    const longDb = join(dir, 'long.db');
    const longConfig = writeServerConfig(dir, broker.url, port, longDb, 'hall-long');
    const empty = (cache: string | undefined, flags?: string[]) => () => (removeDatabase(emptyDb), startServer(emptyConfig, 'dist', notify, cache, flags));
    // The unit's flags without the one the code cache needs: what the code cache is worth (src/cli/code-cache.ts).
    const noCodeCache = unitNodeFlags('server').filter((f) => f !== '--experimental-vm-modules');
    const long = () => {
      removeDatabase(longDb);
      copyFileSync(longTemplate, longDb);
      if (existsSync(`${longTemplate}.snapshots`)) copyFileSync(`${longTemplate}.snapshots`, `${longDb}.snapshots`);
      return startServer(longConfig, 'dist', notify, cacheDir);
    };
    await empty(cacheDir)();
    await long();
    const variants: Array<{ name: string; run: (round: number) => Promise<Sample> }> = [
      { name: 'node -e 0', run: () => nodeBaseline() },
      { name: 'server, empty log, no cache directory', run: empty(undefined) },
      { name: 'server, empty log, no code cache', run: empty(cacheDir, noCodeCache) },
      { name: 'server, empty log', run: empty(cacheDir) },
      { name: `server, ${days}-day log`, run: long },
    ];
    if (opts.fromSource) variants.push({ name: 'server, empty log, sources via tsx', run: (round) => startServer(writeServerConfig(dir, broker.url, port, join(dir, `src-${round}.db`)), 'src', notify) });
    const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round so no variant always runs first (caches, a busy neighbour).
      for (let i = 0; i < variants.length; i++) {
        const v = variants[(i + round) % variants.length];
        if (v) samples.get(v.name)?.push(await v.run(round));
      }
    }
    const base = samples.get('node -e 0') ?? [];
    const baseMs = median(base.map((s) => s.ms));
    const baseRss = median(base.map((s) => s.rssMb));
    const result: Record<string, { msMin: number; msMedian: number; rssMedian: number }> = {};
    for (const [name, xs] of samples) {
      const ms = xs.map((s) => s.ms);
      const rss = xs.map((s) => s.rssMb);
      result[name] = { msMin: min(ms), msMedian: median(ms), rssMedian: median(rss) };
      const ratio = name === 'node -e 0' ? '' : ` → ${(median(ms) / baseMs).toFixed(1)} × node -e 0, RSS ${(median(rss) / baseRss).toFixed(2)} × bare Node`;
      const cpu = xs.flatMap((x) => (x.cpuMs === undefined ? [] : [x.cpuMs]));
      const cpuText = cpu.length > 0 ? `; CPU to READY min ${min(cpu).toFixed(0)} ms, median ${median(cpu).toFixed(0)} ms` : '';
      say(`start: ${name.padEnd(36)} min ${min(ms).toFixed(0).padStart(5)} ms, median ${median(ms).toFixed(0).padStart(5)} ms; RSS median ${median(rss).toFixed(0)} MB${cpuText}${ratio}`);
      const phases = xs.flatMap((x) => (x.phases ? [x.phases] : []));
      if (phases.length > 0) {
        const m = (k: keyof NonNullable<Sample['phases']>) => median(phases.map((p) => p[k])).toFixed(0);
        say(`start:   ${name}, medians: ${m('load')} ms loading code and config, ${m('replay')} ms replaying the log, ${m('connect')} ms to the broker link, ${m('rest')} ms HTTP and READY`);
      }
    }
    // The caches' shares, round by round (the variants ran interleaved): CPU and time to READY with / without.
    const of = (name: string, k: 'cpuMs' | 'ms') => (samples.get(name) ?? []).map((x) => x[k] ?? NaN);
    const share = (what: string, without: string) => {
      for (const k of ['ms', 'cpuMs'] as const) {
        const a = of('server, empty log', k);
        const b = of(without, k);
        const ratios = a.map((c, i) => c / (b[i] ?? NaN)).filter((r) => Number.isFinite(r));
        if (ratios.length > 0) say(`start: empty log, ${k === 'ms' ? 'time' : 'CPU'} to READY with ${what} / without, per round: min ${min(ratios).toFixed(2)}, median ${median(ratios).toFixed(2)}`);
      }
    };
    share('the cache directory (config and code cache)', 'server, empty log, no cache directory');
    share('the code cache (both with the config cache)', 'server, empty log, no code cache');
    return result;
  } finally {
    notify?.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, days: { type: 'string' }, source: { type: 'boolean' } } });
  await benchStartup((line) => console.log(line), {
    ...(values.rounds ? { rounds: Number(values.rounds) } : {}),
    ...(values.days ? { days: Number(values.days) } : {}),
    fromSource: values.source === true,
  });
}
