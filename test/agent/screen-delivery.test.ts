// Screens on a live RS-485 line (tryout): a screen that loses power while the line stays up is seen offline
// in the agent's health and drawn again with the present state by itself when it answers; a call whose
// write the screen did not confirm is written again until it is, with no new event from the hall; a screen powered
// off and on between two exchanges is drawn again by the redraw of its config's screens[].redrawSeconds.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { startAgentFrom, type RunningAgent } from '../../src/agent/main.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { configSchema } from '../../src/config/schema.js';
import { hallClock, postCommand, startServer, tempDb, wireConfig, type ServerRig } from '../wire/rig.js';
import { emulatedLine, healthWhen, lineConfig, screenShows, stateOf, type EmulatedLine } from './emulated.js';

/** `p`, or a failure naming `what` after `ms` (a bound on a wait for an event, not a sleep). */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe('screens whose writes are not confirmed, on a line that stays up', () => {
  let broker: EmbeddedBroker;
  let server: ServerRig;
  let line: EmulatedLine;
  let agent: RunningAgent;
  const logs: LogRecord[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'hallq-screen-delivery-'));
  const path = join(dir, 'rs485-0');

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    line = await emulatedLine([1, 2], path);
    const { id, name, utcOffsetMinutes, hours, services, windows, staff } = wireConfig;
    const config = configSchema.parse({
      hall: { id, name, utcOffsetMinutes },
      hours,
      services,
      windows,
      staff,
      // Window 2's external-call card is redrawn every second (the others at the default, 60 s).
      agents: [{ id: 'caller-9', devices: { rs485: [redrawEvery(lineConfig(path, [1, 2]), 2, 1)] } }],
      agent: { id: 'caller-9', mqtt: { url: broker.url } },
    });
    server = await startServer(broker.url, tempDb(), hallClock(), [], { agents: config.agents });
    agent = await startAgentFrom(config, {
      logger: recordingLogger(logs),
      env: {},
      requestTimeoutMs: 1500,
      devices: { backoff: { initialMs: 100, maxMs: 400 }, stableDirs: [dir], screenUpkeep: { retry: { initialMs: 100, maxMs: 400 }, probeMs: 300 } },
    });
  });

  afterAll(async () => {
    await agent?.stop();
    await line?.close();
    await server?.stop();
    await broker?.close();
  });

  const redrawEvery = <L extends { screens: Array<{ window: number }> }>(l: L, window: number, seconds: number): L => ({ ...l, screens: l.screens.map((sc) => (sc.window === window ? { ...sc, redrawSeconds: seconds } : sc)) });
  const command = async (c: Record<string, unknown>) => expect((await postCommand(server.baseUrl, c)).body.outcome?.ok, JSON.stringify(c)).toBe(true);

  it('a BX screen that loses power is offline while dark and shows the present call again when it is back', async () => {
    await within(10_000, 'the line ok', healthWhen(agent.devices, (l) => stateOf(l, 'rs485-0') === 'ok'));
    await command({ id: 'open-1', type: 'OpenWindow', window: 1, staffId: 's1' });
    await command({ id: 'issue-1', type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
    const screen1 = line.screens.get(1);
    if (!screen1) throw new Error('no screen 1');
    const shown = screenShows(screen1, 'A001');
    await command({ id: 'call-1', type: 'CallNext', window: 1 });
    await within(10_000, 'screen 1 shows A001', shown);
    await within(10_000, 'screen 1 ok', healthWhen(agent.devices, (l) => stateOf(l, 'screen-1') === 'ok'));

    // Power lost, the line up: nothing is written to window 1 (its text did not change), its status poll goes unanswered.
    const offline = healthWhen(agent.devices, (l) => stateOf(l, 'screen-1') === 'offline');
    screen1.setFault({ type: 'power-off' });
    expect(screen1.view.text).toBe('');
    const list = await within(10_000, 'screen 1 offline in the health', offline);
    expect(stateOf(list, 'rs485-0')).toBe('ok');
    expect(list.find((d) => d.name === 'screen-1')?.detail).toContain('DEVICE_TIMEOUT');

    // Power back, blank: drawn again with the present call, and ok, with no new event from the hall.
    const redrawn = screenShows(screen1, 'A001');
    const ok = healthWhen(agent.devices, (l) => stateOf(l, 'screen-1') === 'ok');
    screen1.setFault({ type: 'none' });
    expect(await within(10_000, 'screen 1 drawn again', redrawn)).toContain('1号窗口');
    await within(10_000, 'screen 1 ok again', ok);
  });

  it('a call whose write timed out is written again until the screen confirms it', async () => {
    const screen2 = line.screens.get(2);
    if (!screen2) throw new Error('no screen 2');
    await command({ id: 'open-2', type: 'OpenWindow', window: 2, staffId: 's2' });
    await command({ id: 'issue-2', type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
    screen2.setFault({ type: 'no-reply' });
    const notConfirmed = healthWhen(agent.devices, (l) => stateOf(l, 'screen-2') === 'offline');
    await command({ id: 'call-2', type: 'CallNext', window: 2 });
    await within(10_000, 'screen 2 offline after writes in a row unconfirmed', notConfirmed);

    const shown = screenShows(screen2, 'A002');
    const ok = healthWhen(agent.devices, (l) => stateOf(l, 'screen-2') === 'ok');
    screen2.setFault({ type: 'none' });
    expect(await within(10_000, 'screen 2 shows the call', shown)).toContain('2号窗口');
    await within(10_000, 'screen 2 ok', ok);
  });

  it('an external-call card powered off and on with nothing written meanwhile shows the call again within its redrawSeconds', async () => {
    const screen2 = line.screens.get(2);
    if (!screen2) throw new Error('no screen 2');
    expect(screen2.view.text).toContain('A002');
    const dark = screen2.nextChange();
    screen2.setFault({ type: 'power-off' });
    await dark;
    screen2.setFault({ type: 'none' }); // back at once, blank; the card has no status query
    expect(screen2.view.text).toBe('');
    const back = Date.now();
    expect(await within(10_000, 'screen 2 drawn again by its redraw', screenShows(screen2, 'A002'))).toContain('2号窗口');
    expect(Date.now() - back).toBeLessThan(1000 + 1500);
    expect(logs.some((r) => (r.obj as { why?: string }).why === 'redraw')).toBe(true);
  });
});
