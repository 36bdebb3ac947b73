// An RS-485 line cut and a fresh controller behind it (tryout): every screen of the line is drawn again
// from the present state, not only those whose text changed during the cut, and nothing is replayed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { DEFAULT_CLIPS } from '../../drivers/voice/default-clips.js';
import { startAgentFrom, type RunningAgent } from '../../src/agent/main.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { configSchema } from '../../src/config/schema.js';
import { clip, writeLibrary } from '../drivers/voice/clip-fixture.js';
import { hallClock, postCommand, type ServerRig, startServer, tempDb, wireHallFile } from '../wire/rig.js';
import { emulatedLine, healthWhen, lineConfig, screenShows, stateOf, type EmulatedLine } from './emulated.js';

/** `p`, or a failure naming `what` after `ms` (a bound on a wait for an event, not a sleep). */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe('an RS-485 line cut, then a fresh controller on the same path', () => {
  let broker: EmbeddedBroker;
  let server: ServerRig;
  let line: EmulatedLine | undefined;
  let agent: RunningAgent;
  const logs: LogRecord[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'hallq-line-back-'));
  const path = join(dir, 'rs485-0');

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    // Synthetic clips for every token a call needs; the wav output writes each call into a folder.
    await writeLibrary(dir, Object.fromEntries(DEFAULT_CLIPS.map((c, i) => [c.token, clip(80, i + 1)])));
    line = await emulatedLine([1, 2], path);
    const config = configSchema.parse({
      ...wireHallFile(),
      agents: [{ id: 'caller-9', devices: { rs485: [lineConfig(path, [1, 2])], voice: { output: 'wav', clips: dir, wavDir: dir, repeat: 1 } } }],
      agent: { id: 'caller-9', mqtt: { url: broker.url } },
    });
    server = await startServer(broker.url, tempDb(), hallClock(), [], { agents: config.agents });
    agent = await startAgentFrom(config, { logger: recordingLogger(logs), env: {}, requestTimeoutMs: 1500, devices: { backoff: { initialMs: 100, maxMs: 400 }, stableDirs: [dir] } });
  });

  afterAll(async () => {
    await agent?.stop();
    await line?.close();
    await server?.stop();
    await broker?.close();
  });

  it('draws every screen of the line again from the present state, and speaks no old call again', async () => {
    const announcer = agent.devices.announcer;
    expect(announcer).toBeDefined();
    const spoken: string[] = [];
    announcer?.on('started', (e) => spoken.push(e.label));
    const spokenDone = (label: string) => new Promise<void>((resolve) => announcer?.on('finished', (e) => e.label === label && resolve()));
    await within(10_000, 'the line and its screens ok', healthWhen(agent.devices, (l) => stateOf(l, 'rs485-0') === 'ok' && stateOf(l, 'keypad-1') === 'ok' && stateOf(l, 'keypad-2') === 'ok'));

    // Window 1 calls A001; its screen shows it and the voice says it once.
    const command = async (c: Record<string, unknown>) => expect((await postCommand(server.baseUrl, c)).body.outcome?.ok, JSON.stringify(c)).toBe(true);
    await command({ id: 'open-1', type: 'OpenWindow', window: 1, staffId: 's1' });
    await command({ id: 'open-2', type: 'OpenWindow', window: 2, staffId: 's2' });
    await command({ id: 'issue-1', type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
    await command({ id: 'issue-2', type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
    const first = spokenDone('A001@1');
    await command({ id: 'call-1', type: 'CallNext', window: 1 });
    const oldScreen1 = line?.screens.get(1);
    if (!oldScreen1) throw new Error('no screen 1');
    // The keypad's display is written after the screen's urgent exchange has ended on the bus: by then the
    // screen has acknowledged A001 (the agent takes it as shown).
    const keypadShown = new Promise<void>((resolve) => line?.keypads.get(1)?.on((e) => e.type === 'display' && e.display.ticket.trim() !== '' && resolve()));
    expect(await within(10_000, 'screen 1 shows A001', screenShows(oldScreen1, 'A001'))).toContain('1号窗口');
    await within(10_000, "keypad 1's display shows the call", keypadShown);
    await within(10_000, 'A001 spoken', first);

    // The line is cut: the line, its screens and keypads go offline.
    const down = healthWhen(agent.devices, (l) => ['rs485-0', 'screen-1', 'screen-2', 'keypad-1', 'keypad-2'].every((n) => stateOf(l, n) === 'offline'));
    await line?.close();
    line = undefined;
    await within(10_000, 'the line and its devices offline', down);

    // During the cut window 2 calls A002: spoken live, its screen cannot be written.
    const second = spokenDone('A002@2');
    await command({ id: 'call-2', type: 'CallNext', window: 2 });
    await within(10_000, 'A002 spoken', second);

    // A fresh controller on the same path has lost what the old one showed.
    const back = healthWhen(agent.devices, (l) => stateOf(l, 'rs485-0') === 'ok');
    const fresh = await emulatedLine([1, 2], path);
    line = fresh;
    await within(10_000, 'the line back', back);
    const screen1 = fresh.screens.get(1);
    const screen2 = fresh.screens.get(2);
    if (!screen1 || !screen2) throw new Error('no screens');
    // Window 1's text did not change during the cut; it is drawn again all the same, and window 2's too.
    const [text1, text2] = await Promise.all([
      within(10_000, "screen 1 drawn again with window 1's call (unchanged during the cut)", screenShows(screen1, 'A001')),
      within(10_000, "screen 2 drawn with window 2's call (made during the cut)", screenShows(screen2, 'A002')),
    ]);
    expect(text1).toContain('1号窗口');
    expect(text2).toContain('2号窗口');

    // The redraw is the present state, not a call: written at the refresh priority (not urgent), and the
    // voice said each call once, when it was made.
    const from = logs.findIndex((r) => r.msg === 'device link back');
    expect(from).toBeGreaterThan(0);
    const writes = logs.slice(from).filter((r) => r.level === 'debug' && /^(bx|external-call) write$/.test(r.msg ?? '') && 'urgent' in r.obj);
    // (Window 2's call, made during the cut, may have waited in the bus and gone out on the new port: it is logged before.)
    expect(writes.filter((r) => r.bindings.busAddress === 1).length).toBeGreaterThanOrEqual(1);
    expect(writes.every((r) => (r.obj as { urgent: boolean }).urgent === false)).toBe(true);
    expect(spoken).toEqual(['A001@1', 'A002@2']);
  });
});
