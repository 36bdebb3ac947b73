/**
 * An idle screen is drawn again with its present text every redrawMs (config `screens[].redrawSeconds`) from its
 * last confirmation of it: a controller powered off and on between two status polls, with no write meanwhile,
 * comes back blank and answers its pings (they say nothing of what it shows), and only a write shows the text
 * again. The real bus on a socat pty at 9600 baud, the screen's emulator behind the line emulator; everything
 * waited for is an event (the emulator's change, the screen's health after a poll), bounded, never a sleep.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../../drivers/common/logger.js';
import type { UpkeepOptions } from '../../../drivers/led-screen/bus-screen.js';
import { BxScreenEmulator } from '../../../drivers/led-screen/bx-emulator.js';
import { BxScreen } from '../../../drivers/led-screen/bx-screen.js';
import type { BusExchange, BusPort } from '../../../drivers/rs485/bus-port.js';
import type { ScreenView } from '../../../drivers/led-screen/screen-emulator.js';
import type { WindowScreen } from '../../../drivers/led-screen/window-screen.js';
import { screenOnLine, type ScreenEmulator } from '../../helpers/screen-line.js';
import { DirectBus } from './direct-bus.js';

const REDRAW_MS = 800;
const PROBE_MS = 150;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(protocol: 'bx' | 'external-call', address: number, redrawMs: number): Promise<{ screen: WindowScreen; emulator: ScreenEmulator; logs: LogRecord[] }> {
  const logs: LogRecord[] = [];
  const upkeep: UpkeepOptions = { offlineAfter: 3, retry: { initialMs: 50, maxMs: 200 }, probeMs: PROBE_MS, redrawMs };
  // Timeouts far above an exchange's wire time (≤ 120 ms): a loaded test machine must not fail a poll, whose write again
  // would draw the text by the failure path, not the redraw.
  const { screen, emulator } = await screenOnLine(protocol, address, { logger: recordingLogger(logs), bus: { timeoutMs: 1000, retries: 1 }, screen: { timeoutMs: 1000, retries: 1, upkeep } }, cleanups);
  return { screen, emulator, logs };
}

function viewShows(emulator: ScreenEmulator, text: string): Promise<ScreenView> {
  return new Promise((resolve) => {
    const off = emulator.onChange((v) => {
      if (!v.text.includes(text)) return;
      off();
      resolve(v);
    });
  });
}

/** Resolves after the screen's `n`-th status poll from now has been answered (each poll's outcome is a health event). */
function pollsAnswered(screen: WindowScreen, logs: LogRecord[], n: number): Promise<void> {
  const from = logs.filter((r) => r.msg === 'bx probe').length;
  return new Promise((resolve) => {
    const off = screen.onHealth((h) => {
      if (h.state !== 'ok' || logs.filter((r) => r.msg === 'bx probe').length < from + n) return;
      off();
      resolve();
    });
  });
}

/** `p`, or a failure naming `what` after `ms` (a bound on a wait for an event, not a sleep). */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const redrawWrites = (logs: LogRecord[]) => logs.filter((r) => /write$/.test(r.msg ?? '') && (r.obj as { why?: string }).why === 'redraw');

describe.each(['bx', 'external-call'] as const)('%s screen powered off and on between two polls, nothing new asked for', (protocol) => {
  it(`shows its present text again within one redraw period (${REDRAW_MS} ms)`, async () => {
    const { screen, emulator, logs } = await rig(protocol, 6, REDRAW_MS);
    await screen.show({ window: 6, ticket: 'C021', paused: false }, { urgent: true });
    expect(emulator.view.text).toBe('C021 请到6号窗口');
    const health: string[] = [];
    screen.onHealth((h) => health.push(h.state));

    const dark = emulator.nextChange();
    emulator.setFault({ type: 'power-off' });
    expect((await dark).text).toBe('');
    emulator.setFault({ type: 'none' }); // back at once, blank: no write went unanswered meanwhile
    expect(emulator.view.text).toBe('');
    const back = Date.now();

    const shown = await within(REDRAW_MS + 2000, 'the present text drawn again', viewShows(emulator, 'C021'));
    expect(shown.text).toBe('C021 请到6号窗口');
    // Within one period of its last confirmation (before the power cycle), plus its exchange on the wire and a loaded host.
    expect(Date.now() - back).toBeLessThan(REDRAW_MS + 1000);
    // By the redraw, not by a failure: the screen answered every exchange.
    expect(health.every((s) => s === 'ok')).toBe(true);
    const redraws = redrawWrites(logs);
    expect(redraws.length).toBeGreaterThanOrEqual(1);
    expect(redraws.every((r) => (r.obj as { urgent: boolean }).urgent === false)).toBe(true);
    // On the wire with the keypads' polls (2), behind calls and refreshes.
    const redrawOnBus = logs.filter((r) => r.msg === 'bus write' && (r.obj as { priority: number }).priority === 2 && !(protocol === 'bx' && (r.obj as { key?: string }).key?.endsWith('#probe')));
    expect(redrawOnBus.length).toBeGreaterThanOrEqual(1);
  });
});

describe('redrawMs 0', () => {
  it('a BX screen powered off and on between two polls stays blank while its polls are answered', async () => {
    const { screen, emulator, logs } = await rig('bx', 7, 0);
    await screen.show({ window: 7, ticket: 'C022', paused: false }, { urgent: true });
    expect(emulator.view.text).toBe('C022 请到7号窗口');
    const dark = emulator.nextChange();
    emulator.setFault({ type: 'power-off' });
    await dark;
    emulator.setFault({ type: 'none' });
    const views: string[] = [];
    emulator.onChange((v) => views.push(v.text));
    // Longer than the redraw period of the test above: polls, each answered (the screen is alive), and nothing drawn.
    const polls = Math.ceil(REDRAW_MS / PROBE_MS) + 2;
    await within(polls * PROBE_MS + 3000, `${polls} status polls answered`, pollsAnswered(screen, logs, polls));
    expect(screen.health.state).toBe('ok');
    expect(views).toEqual([]);
    expect(emulator.view.text).toBe('');
    expect(redrawWrites(logs)).toEqual([]);
  });
});

describe('a redraw on the bus', () => {
  it('goes once at priority 2 with the screen\'s key; a call to that screen replaces it while it waits (the call frame goes, at priority 0)', async () => {
    const emulator = new BxScreenEmulator({ address: 9 });
    const direct = new DirectBus(emulator);
    const asked: BusExchange[] = [];
    let redrawQueued: () => void = () => undefined;
    const queued = new Promise<void>((resolve) => (redrawQueued = resolve));
    const bus: BusPort = {
      exchange: (x) => {
        asked.push(x);
        if (x.priority === 2) redrawQueued();
        return direct.exchange(x);
      },
    };
    const screen = new BxScreen(bus, { address: 9, upkeep: { redrawMs: 30, probeMs: 0 } });
    cleanups.push(() => screen.stop());
    await screen.show({ window: 9, paused: false }, { urgent: false });
    direct.hold();
    await within(5000, 'the redraw asked of the bus', queued);
    const redraw = asked.at(-1);
    expect(redraw).toMatchObject({ priority: 2, retries: 0, key: 'led-bx@9' });
    const before = direct.sent.length;
    const call = screen.show({ window: 9, ticket: 'D001', paused: false }, { urgent: true });
    direct.release();
    await call;
    expect(emulator.view.text).toBe('D001 请到9号窗口');
    expect(direct.sent.slice(before).map((f) => [f.priority, f.key])).toEqual([[0, 'led-bx@9']]);
  });
});
