/**
 * Crash safety of append (DESIGN §7): a child appends commands in batches (group commit) in a loop and acknowledges
 * each one on stdout after appendBatch() returns; we SIGKILL it at seeded-random moments, 200 times on one growing file, and after every kill
 * check that nothing acknowledged is lost, seqs are contiguous from 1, and every command is whole with its outcome.
 * Reproduce a failure with HALLQ_CRASH_SEED=<seed printed in the message>; HALLQ_CRASH_RUNS shortens a local run.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/store/index.js';
import type { LogEvent } from '../../src/store/index.js';
import type { CrashOutcome } from './fixtures/crash-child.js';
import { seededRandom } from './fixtures/seeded-random.js';

const RUNS = Number(process.env.HALLQ_CRASH_RUNS ?? 200);
const SEED = Number(process.env.HALLQ_CRASH_SEED ?? 20240611);

type KillMode = 'during-open' | 'after-ready' | 'mid-burst';
interface Ack {
  seq: number;
  id: string;
}
interface RunResult {
  ready: number | undefined;
  acks: Ack[];
  /** The last seq of each batch the child began to commit (said before appendBatch). */
  batchEnds: number[];
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

let dir = '';
let child = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hallq-crash-'));
  child = join(dir, 'crash-child.mjs');
  // One bundle, run with plain node: start-up is the cost of 200 runs, and tsx would double it.
  // better-sqlite3 stays external (native addon), imported by absolute URL because the bundle lives outside the repo.
  const sqlite = pathToFileURL(createRequire(import.meta.url).resolve('better-sqlite3')).href;
  await build({
    entryPoints: [join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'crash-child.ts')],
    outfile: child,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    plugins: [
      {
        name: 'external-better-sqlite3',
        setup(b) {
          b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: sqlite, external: true }));
        },
      },
    ],
  });
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** A child that has loaded its code and waits for `go` before touching the log. */
interface Booted {
  proc: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Lines after `loaded` are handed to whoever takes the child. */
  onLine: (line: string) => void;
  stderr: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Node start-up (hundreds of ms on loaded cores) dwarfs a crash run, so children boot ahead in a small pool
 * while earlier ones run, get killed and are checked.
 */
class ChildPool {
  readonly #waiting: Promise<Booted>[] = [];
  readonly #all: Booted['proc'][] = [];
  #nextId = 1;
  constructor(
    private readonly path: string,
    private readonly size: number,
  ) {}

  /** The next booted child; keeps up to `size` more booting, but no more than `remaining` will need. */
  take(remaining: number): Promise<Booted> {
    while (this.#waiting.length < Math.min(this.size, remaining) + 1) this.#waiting.push(this.#boot(this.#nextId++));
    const next = this.#waiting.shift();
    if (next === undefined) throw new Error('empty pool');
    return next;
  }

  #boot(run: number): Promise<Booted> {
    const proc = spawn(process.execPath, [child, this.path, String(run)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#all.push(proc);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      // 'close' follows exit and the draining of stdout, so acks written just before a kill are still seen.
      proc.on('close', (code, signal) => resolve({ code, signal }));
    });
    return new Promise((resolve, reject) => {
      const booted: Booted = { proc, onLine: () => {}, stderr: '', exited };
      let pending = '';
      proc.on('error', reject);
      proc.stderr.setEncoding('utf8').on('data', (s: string) => (booted.stderr += s));
      proc.stdout.setEncoding('utf8').on('data', (s: string) => {
        pending += s;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (line === 'loaded') resolve(booted);
          else booted.onLine(line);
        }
      });
      void exited.then(({ code, signal }) => reject(new Error(`child ${run} ended before loading (${code ?? signal}): ${booted.stderr}`)));
    });
  }

  /** Ends the children this pool started that are still waiting (only those; by their handle). */
  async close(): Promise<void> {
    for (const proc of this.#all) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await Promise.allSettled(this.#waiting);
  }
}

/** Lets a booted child go and kills it per `mode`; resolves once it has exited and its stdout is drained. */
async function crashOnce(c: Booted, mode: KillMode, delayMs: number, ackCount: number): Promise<RunResult> {
  const result: RunResult = { ready: undefined, acks: [], batchEnds: [], signal: null, code: null, stderr: '' };
  let killed = false;
  const kill = () => {
    if (!killed) {
      killed = true;
      c.proc.kill('SIGKILL');
    }
  };
  c.onLine = (line) => {
    const [word, a, b] = line.split(' ');
    if (word === 'ready') {
      result.ready = Number(a);
      if (mode === 'after-ready') setTimeout(kill, delayMs);
    } else if (word === 'batch') {
      result.batchEnds.push(Number(a));
    } else if (word === 'ack' && b !== undefined) {
      result.acks.push({ seq: Number(a), id: b });
      // Killed the moment the parent hears ack k: the child is already inside the next append.
      if (mode === 'mid-burst' && result.acks.length === ackCount) kill();
    }
  };
  c.proc.stdin.end('go\n');
  // The open (WAL recovery, pragmas, migration on a fresh file) takes a few ms after `go`.
  if (mode === 'during-open') setTimeout(kill, delayMs);
  const { code, signal } = await c.exited;
  return { ...result, code, signal, stderr: c.stderr };
}

interface Check {
  lastSeq: number;
  commands: number;
}

/** Opens the log as the restarted host would and checks every invariant; returns what it found. */
function verify(path: string, previous: Check, r: RunResult, where: string): Check {
  const log = EventLog.open<LogEvent>(path);
  try {
    const lastSeq = log.lastSeq();
    const events = log.read(0); // throws STORE_CORRUPT on a hole or an unreadable row
    expect(events.length, `${where}: count`).toBe(lastSeq);
    events.forEach((e, i) => expect(e.seq, `${where}: seq at index ${i}`).toBe(i + 1));

    // Group by command: each command's events must be contiguous, complete, and match its recorded outcome.
    const byCommand = new Map<string, number[]>();
    for (const e of events) {
      const seqs = byCommand.get(e.commandId) ?? [];
      seqs.push(e.seq);
      byCommand.set(e.commandId, seqs);
    }
    for (const [id, seqs] of byCommand) {
      const outcome = log.commandOutcome(id) as CrashOutcome | undefined;
      if (outcome === undefined) throw new Error(`${where}: command ${id} has events but no outcome`);
      const first = outcome.lastSeq - outcome.events + 1;
      expect(seqs, `${where}: events of ${id}`).toEqual(Array.from({ length: outcome.events }, (_, i) => first + i));
    }
    // And no outcome without its events (the children always append 1–3).
    const raw = new Database(path, { readonly: true });
    const commands = raw.prepare('SELECT count(*) FROM commands').pluck().get() as number;
    raw.close();
    expect(commands, `${where}: commands table vs commands in events`).toBe(byCommand.size);

    // The log only grows across kills: what the last check saw is what the child found at open.
    expect(lastSeq, `${where}: log shrank`).toBeGreaterThanOrEqual(previous.lastSeq);
    if (r.ready !== undefined) expect(r.ready, `${where}: child's lastSeq at open`).toBe(previous.lastSeq);

    // Every acknowledged command is there, whole, ending at the acknowledged seq.
    for (const ack of r.acks) {
      const outcome = log.commandOutcome(ack.id) as CrashOutcome | undefined;
      expect(outcome?.lastSeq, `${where}: acknowledged ${ack.id}`).toBe(ack.seq);
      expect(byCommand.get(ack.id)?.at(-1), `${where}: last event of ${ack.id}`).toBe(ack.seq);
    }
    // A batch (group commit) is durable whole or not at all: the log ends where one ended, never inside one.
    expect([previous.lastSeq, ...r.batchEnds], `${where}: the log ends inside a batch`).toContain(lastSeq);
    // Acks are written right after each batch's commit, so at most the last batch (≤ 4 commands) and the
    // rest of the one being acknowledged (≤ 3) can be durable but unacknowledged.
    const acked = r.acks.at(-1)?.seq ?? previous.lastSeq;
    expect(commands - previous.commands - r.acks.length, `${where}: unacknowledged commands`).toBeLessThanOrEqual(7);
    expect(lastSeq - acked, `${where}: events after the last ack`).toBeLessThanOrEqual(21);
    return { lastSeq, commands };
  } finally {
    log.close();
  }
}

describe('event log under SIGKILL', () => {
  it(`keeps every acknowledged append across ${RUNS} kills (seed ${SEED})`, async () => {
    const path = join(dir, 'events.db');
    const random = seededRandom(SEED);
    const pool = new ChildPool(path, 3);
    let state: Check = { lastSeq: 0, commands: 0 };
    const seen = { 'during-open': 0, 'after-ready': 0, 'mid-burst': 0, committedUnacked: 0, acks: 0 };
    try {
      for (let run = 1; run <= RUNS; run++) {
        const p = random();
        const mode: KillMode = p < 0.1 ? 'during-open' : p < 0.7 ? 'after-ready' : 'mid-burst';
        // during-open: 0–3 ms after `go` lands in the open (recovery, migration); after-ready: 0–5 ms of appends.
        const delayMs = mode === 'during-open' ? Math.floor(random() * 4) : Math.floor(random() * 6);
        const ackCount = 1 + Math.floor(random() * 12);
        const where = `seed ${SEED} run ${run} (${mode}, delay ${delayMs} ms, ack ${ackCount})`;

        const r = await crashOnce(await pool.take(RUNS - run), mode, delayMs, ackCount);
        if (r.signal !== 'SIGKILL') throw new Error(`${where}: child ended by itself (code ${r.code}): ${r.stderr}`);
        const next = verify(path, state, r, where);
        seen[mode]++;
        seen.acks += r.acks.length;
        if (next.commands - state.commands > r.acks.length) seen.committedUnacked++;
        state = next;
      }
    } finally {
      await pool.close();
    }
    console.log(`crash test seed ${SEED}: ${JSON.stringify(seen)}, final lastSeq ${state.lastSeq}, commands ${state.commands}`);
    // The schedule must have exercised the log at all: plenty of appends happened and were killed around.
    expect(seen.acks).toBeGreaterThan(RUNS);
    expect(state.lastSeq).toBeGreaterThan(RUNS);
    // ~45 s on two busy cores, nearly all of it node start-up; the margin is for a machine busier still.
  }, 180_000);
});
