import { describe, expect, it } from 'vitest';
import { KeypadEmulator } from '../../drivers/keypad/emulator.js';
import { DemoConsole, type DemoConsoleOptions } from '../../src/demo/console.js';

/**
 * Tryout: `x 5` Enter `q` Enter printed only "hallq demo stopped." (and a pipe's keys before its `q` were
 * never echoed): keys run one at a time in the order typed, `q` included, so `q` waits for the keys before it.
 */
describe('the demo console: q waits its turn', () => {
  it('echoes every key typed before q, then quits; a key typed after q is not run', async () => {
    const printed: string[] = [];
    let release: () => void = () => {};
    const slowKey = new Promise<void>((r) => (release = r));
    let quitted: () => void = () => {};
    const quit = new Promise<void>((r) => (quitted = r));
    const o: DemoConsoleOptions = {
      link: {} as DemoConsoleOptions['link'],
      keypads: new Map([[1, new KeypadEmulator({ address: 1 })]]),
      printer: {} as DemoConsoleOptions['printer'],
      screens: new Map(),
      print: (l) => printed.push(l),
      refusals: {} as DemoConsoleOptions['refusals'],
      keypadOnline: () => true,
      // A key whose answer takes a while (a ticket at the kiosk).
      take: async (service) => {
        await slowKey;
        printed.push(`took ${service}`);
      },
      card: () => printed.push('card'),
      quit: () => {
        printed.push('quit');
        quitted();
      },
    };
    const c = new DemoConsole(o);
    c.line('t social');
    c.line('c 99');
    c.line('q');
    c.line('card');
    // q has not quit while the ticket before it waits for its answer.
    await Promise.resolve();
    expect(printed).toEqual([]);
    release();
    await quit;
    await c.idle();
    expect(printed).toEqual(['took social', '⛔ c 99: 没有 99 号窗口 · no window 99 — 窗口 windows 1–1', 'quit']);
  });
});
