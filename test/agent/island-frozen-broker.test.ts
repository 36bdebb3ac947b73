import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { readHallLog } from '../helpers/hall-log.js';
import { startReady, within, type Daemon } from '../helpers/hallq-process.js';
import { freePort } from '../helpers/mosquitto.js';
import { startShippedHallBroker, type ShippedBroker } from '../helpers/shipped-mosquitto.js';
import { wireHallFile } from '../wire/rig.js';
import { emulatedLine, lineConfig, type EmulatedLine } from './emulated.js';

/**
 * A window-keypad agent on a broker link that hangs without closing (the tryout: Mosquitto frozen with
 * SIGSTOP, as when the server's box loses power or its cable and no connection is closed). Its keypad
 * presses are withdrawn after their 8 s answer time, before island mode's afterSeconds; it went island
 * only after the MQTT keepalive (over a minute), every press failing meanwhile. Now a withdrawn press
 * counts as unanswered until the server answers anything: the agent goes island afterSeconds after the
 * first press, a press then calls on the island, and after SIGCONT the island returns to the server.
 * Real processes: `hallq server` and `hallq agent` (the build), the shipped Mosquitto with the hall's
 * ACL, the agent's RS-485 line (screens and keypads) emulated on a pty.
 */
const SERVER_USER = 'hallq-server';
const AGENT = 'counter-1';
/** Above the keypad's 8 s answer time (KEYPAD_ANSWER_MS), as in the tryout (10) and the default (20). */
const AFTER_S = 10;
const WINDOWS = [1, 2];
/** Bounds on what takes well under a second on an idle machine; far below the agent's MQTT keepalive (60 s, closed at 90). */
const BOUND_MS = 15_000;

/** A UTC offset that puts the hall at about midday now (the daemons run on the real clock): no day rollover in a run. */
function middayOffset(now: number): number {
  const minuteOfDay = Math.floor(now / 60_000) % 1440;
  return Math.round((720 - minuteOfDay) / 15) * 15;
}

describe('a keypad agent whose broker link hangs without closing', () => {
  let dir: string;
  let dbPath: string;
  let httpPort: number;
  let broker: ShippedBroker & { passwords: ReadonlyMap<string, string> };
  let line: EmulatedLine;
  let server: Daemon | undefined;
  let agent: Daemon | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hallq-island-frozen-'));
    broker = await startShippedHallBroker(wireHallFile().hall.id, SERVER_USER, [AGENT]);
    const rs485 = join(dir, 'rs485');
    line = await emulatedLine(WINDOWS, rs485);
    for (const u of [SERVER_USER, AGENT]) writeFileSync(join(dir, `${u}.pw`), broker.passwords.get(u) ?? '', { mode: 0o600 });
    httpPort = await freePort();
    dbPath = join(dir, 'hall.db');
    const hall = wireHallFile();
    const config = {
      ...hall,
      hall: { ...hall.hall, utcOffsetMinutes: middayOffset(Date.now()) },
      agents: [{ id: AGENT, devices: { rs485: [lineConfig(rs485, WINDOWS)] } }],
      agent: { id: AGENT, mqtt: { url: broker.url, username: AGENT, passwordFile: join(dir, `${AGENT}.pw`) } },
      island: { leaseSize: 20, lowWater: 5, afterSeconds: AFTER_S, outbox: join(dir, 'island.db') },
      server: { mqtt: { url: broker.url, username: SERVER_USER, passwordFile: join(dir, `${SERVER_USER}.pw`) }, http: { host: '127.0.0.1', port: httpPort }, database: dbPath, logLevel: 'info' },
    };
    configSchema.parse(config);
    const configPath = join(dir, 'hall.yaml');
    writeFileSync(configPath, JSON.stringify(config));
    server = await startReady('server', configPath, { HALLQ_RUN: 'dist' });
    agent = await startReady('agent', configPath, { HALLQ_RUN: 'dist' });
    await within(agent.says(/"keypad":1,[^\n]*"keypad online"/), BOUND_MS, "the agent's keypad 1 online");
  }, 120_000);

  afterAll(async () => {
    await agent?.kill();
    await server?.kill();
    await line?.close();
    // Goes on first if frozen (a failed run), then ends.
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let commands = 0;
  const api = async (command: Record<string, unknown>): Promise<{ outcome: { ok: boolean; ticketId?: string } }> => {
    const token = readFileSync(`${dbPath}.cli-token`, 'utf8').trim();
    const res = await fetch(`http://127.0.0.1:${httpPort}/api/commands`, { method: 'POST', body: JSON.stringify({ id: `test-${String((commands += 1))}`, ...command }), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    expect(res.status, JSON.stringify(command)).toBe(200);
    return (await res.json()) as never;
  };

  /**
   * Window 1's call key: resolves with the next ticket number its screen shows (the press changes it: someone
   * waits). A change without a number (the window's own refresh for an earlier event, a moment late) is not it.
   */
  const pressCall = async (): Promise<string | undefined> => {
    const screen = line.screens.get(1);
    if (!screen) throw new Error('no screen at window 1');
    const before = screen.view.text;
    const changed = new Promise<string>((resolve) => {
      const off = screen.onChange((v) => {
        if (v.text === before || !/[A-Z]\d{3,}/.test(v.text)) return;
        off();
        resolve(v.text);
      });
    });
    line.keypads.get(1)?.press('call');
    return /[A-Z]\d{3,}/.exec(await within(changed, BOUND_MS, `window 1's screen after its call key (showing ${before})`))?.[0];
  };

  it('goes island afterSeconds after a press withdrawn unanswered, calls on the island, and returns after SIGCONT', async () => {
    const a = agent as Daemon;
    expect((await api({ type: 'OpenWindow', window: 1, staffId: 's1' })).outcome.ok).toBe(true);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const o = (await api({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' })).outcome;
      if (!o.ok || !o.ticketId) throw new Error(`not issued: ${JSON.stringify(o)}`);
      ids.push(o.ticketId);
    }
    const numbers = ids.map((id) => readHallLog(dbPath).state.tickets[id]?.number);
    // Online: a press calls the first citizen.
    expect(await pressCall()).toBe(numbers[0]);

    // The broker freezes: its connections stay open, nothing flows.
    const from = a.output().length;
    broker.signal('SIGSTOP');
    const pressedAt = Date.now();
    line.keypads.get(1)?.press('call');
    await within(a.says('keypad command withdrawn: no answer from the server in time', from), BOUND_MS, 'the press withdrawn');
    // Nothing waits for an answer any more; the press still counts: island mode afterSeconds after it, not after the keepalive.
    await within(a.says('island mode: the server is unreachable', from), AFTER_S * 1000 + BOUND_MS - (Date.now() - pressedAt), 'island mode within afterSeconds of the press');
    expect(Date.now() - pressedAt).toBeGreaterThanOrEqual(AFTER_S * 1000);
    expect(a.output().slice(from)).not.toMatch(/Keepalive timeout|broker connection lost/);

    // On the island the next press calls the next citizen (it finishes the first), and is not withdrawn.
    expect(await pressCall()).toBe(numbers[1]);
    expect(a.output().slice(from).match(/keypad command withdrawn/g)).toHaveLength(1);

    // The broker goes on: the agent hears the server answer and returns its island.
    broker.signal('SIGCONT');
    await within(a.says('island mode over', from), BOUND_MS * 2, 'the return after SIGCONT');
    const s = readHallLog(dbPath).state;
    expect(s.tickets[ids[0] ?? '']?.status).toBe('done');
    expect(s.tickets[ids[1] ?? '']).toMatchObject({ status: 'called', window: 1 });
    // Online again: the next press calls the third.
    expect(await pressCall()).toBe(numbers[2]);
  }, 120_000);
});
