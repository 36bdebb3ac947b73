/**
 * A screen's present text is delivered: a write the screen did not confirm is written again, with backoff,
 * while it is still the present text (never an older one), and a screen that lost power while its line
 * stayed up is seen offline and drawn again when it answers. The real bus on a socat pty at 9600 baud, the
 * screens' emulators behind the line emulator; everything waited for is an event.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isHallqError } from '../../../drivers/common/error.js';
import { recordingLogger, type LogRecord } from '../../../drivers/common/logger.js';
import type { UpkeepOptions } from '../../../drivers/led-screen/bus-screen.js';
import type { ScreenFault, ScreenView } from '../../../drivers/led-screen/screen-emulator.js';
import type { ScreenHealth, WindowScreen } from '../../../drivers/led-screen/window-screen.js';
import { screenOnLine, type ScreenEmulator } from '../../helpers/screen-line.js';

type Emulator = ScreenEmulator;
const UPKEEP: UpkeepOptions = { offlineAfter: 3, retry: { initialMs: 50, maxMs: 200 }, probeMs: 100 };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig {
  screen: WindowScreen;
  emulator: Emulator;
  logs: LogRecord[];
}

async function rig(protocol: 'bx' | 'external-call', address: number): Promise<Rig> {
  const logs: LogRecord[] = [];
  const { screen, emulator } = await screenOnLine(protocol, address, { logger: recordingLogger(logs), bus: { timeoutMs: 300, retries: 1 }, screen: { timeoutMs: 150, retries: 1, upkeep: UPKEEP } }, cleanups);
  return { screen, emulator, logs };
}

function healthBecomes(screen: WindowScreen, state: ScreenHealth['state']): Promise<ScreenHealth> {
  return new Promise((resolve) => {
    const off = screen.onHealth((h) => {
      if (h.state !== state) return;
      off();
      resolve(h);
    });
  });
}

function viewShows(emulator: Emulator, text: string): Promise<ScreenView> {
  return new Promise((resolve) => {
    const off = emulator.onChange((v) => {
      if (!v.text.includes(text)) return;
      off();
      resolve(v);
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

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return isHallqError(e) ? e.code : String(e);
  }
}

describe.each(['bx', 'external-call'] as const)('%s screen: its present text is delivered', (protocol) => {
  it.each<[string, ScreenFault]>([
    ['a screen that does not answer', { type: 'no-reply' }],
    ['a screen without power', { type: 'power-off' }],
  ])('%s: the unconfirmed write goes out again by itself; offline after three in a row, ok when confirmed', async (_what, fault) => {
    const { screen, emulator, logs } = await rig(protocol, 3);
    emulator.setFault(fault);
    const offline = healthBecomes(screen, 'offline');
    expect(await codeOf(screen.show({ window: 3, ticket: 'A012', paused: false }, { urgent: true }))).toBe('DEVICE_TIMEOUT');
    expect(await within(10_000, 'offline', offline)).toMatchObject({ state: 'offline', failures: 3, code: 'DEVICE_TIMEOUT' });

    const views: string[] = [];
    emulator.onChange((v) => views.push(v.text));
    const ok = healthBecomes(screen, 'ok');
    const shown = viewShows(emulator, 'A012');
    emulator.setFault({ type: 'none' });
    // Nothing new was asked for: the screen's own write again brings the call up.
    expect((await within(10_000, 'the call shown by a write again', shown)).text).toBe('A012 请到3号窗口');
    await within(10_000, 'health ok', ok);
    expect(views.filter((t) => t !== '')).toEqual(['A012 请到3号窗口']);
    // Written again at the refresh priority, so calls to other windows keep going first.
    const again = logs.filter((r) => /write$/.test(r.msg ?? '') && (r.obj as { again?: boolean }).again === true);
    expect(again.length).toBeGreaterThanOrEqual(2);
    expect(again.every((r) => (r.obj as { urgent: boolean }).urgent === false)).toBe(true);
  });

  it('a newer text replaces the unconfirmed one: the older is never written again', async () => {
    const { screen, emulator, logs } = await rig(protocol, 4);
    emulator.setFault({ type: 'no-reply' });
    const failing = healthBecomes(screen, 'failing');
    expect(await codeOf(screen.show({ window: 4, ticket: 'A001', paused: false }, { urgent: true }))).toBe('DEVICE_TIMEOUT');
    await within(10_000, 'failing', failing);
    const mark = logs.length;
    expect(await codeOf(screen.show({ window: 4, ticket: 'A002', paused: false }, { urgent: true }))).toBe('DEVICE_TIMEOUT');
    const views: string[] = [];
    emulator.onChange((v) => views.push(v.text));
    const shown = viewShows(emulator, 'A002');
    const ok = healthBecomes(screen, 'ok');
    emulator.setFault({ type: 'none' });
    await within(10_000, 'A002 shown by a write again', shown);
    await within(10_000, 'health ok', ok);
    expect(views).toEqual(['A002 请到4号窗口']);
    // Every frame sent since A002 was asked for carries A002 (a write again of A001 would show here).
    const sent = logs.slice(mark).filter((r) => /write$/.test(r.msg ?? ''));
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.some((r) => String((r.obj as { frame: string }).frame).replace(/\s/g, '').includes(Buffer.from('A001').toString('hex')))).toBe(false);
  });
});

describe('a BX screen that loses power while its line stays up', () => {
  it('is seen by its status poll: offline while dark, drawn again with the present text when it answers', async () => {
    const { screen, emulator, logs } = await rig('bx', 5);
    await screen.show({ window: 5, ticket: 'B007', paused: false }, { urgent: true });
    expect(emulator.view.text).toBe('B007 请到5号窗口');
    // Idle, it is polled (the ping shows nothing and changes nothing).
    const polled = new Promise<void>((resolve) => {
      const off = screen.onHealth(() => {
        if (!logs.some((r) => r.msg === 'bx probe')) return;
        off();
        resolve();
      });
    });
    await within(10_000, 'a status poll', polled);
    expect(emulator.view.text).toBe('B007 请到5号窗口');

    const offline = healthBecomes(screen, 'offline');
    const dark = emulator.nextChange();
    emulator.setFault({ type: 'power-off' });
    expect((await dark).text).toBe('');
    await within(10_000, 'offline while dark', offline);

    const redrawn = viewShows(emulator, 'B007');
    const ok = healthBecomes(screen, 'ok');
    emulator.setFault({ type: 'none' }); // powered up again, blank
    expect(emulator.view.text).toBe('');
    expect((await within(10_000, 'drawn again after power-up', redrawn)).text).toBe('B007 请到5号窗口');
    await within(10_000, 'health ok', ok);
  });
});
