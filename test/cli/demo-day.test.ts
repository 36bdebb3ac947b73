import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { runDemo, type RunningDemo } from '../../src/demo/demo.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Issue #13: keys typed together are echoed in the order typed, each with the outcome the hall
 * decided for its own command; and a demo whose clock crosses the hall's midnight goes on into the
 * new day (the hall's DayStarted closes every window): it says so, the staff log in again, calls work.
 * The clock is the demo's own (runDemo's `clock`), started ten minutes before the hall's midnight.
 */
describe('hallq demo: keys in the order typed, and the hall’s midnight', () => {
  let demo: RunningDemo;
  const input = new PassThrough();
  const out: string[] = [];
  const waiters: { test: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'hallq-demo-day-'));
  const offsetMin = loadConfigOrThrow('config/demo.yaml').hall.utcOffsetMinutes;
  // The next hall midnight as a UTC instant, and a clock that reads ten minutes before it.
  const local = Date.now() + offsetMin * 60_000;
  const midnight = Math.ceil(local / DAY_MS) * DAY_MS - offsetMin * 60_000;
  let shift = midnight - 10 * 60_000 - Date.now();
  const clock = () => Date.now() + shift;
  const print = (text: string) => {
    for (const line of text.split('\n')) {
      out.push(line);
      for (const w of [...waiters]) if (w.test(line)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(line);
    }
  };
  const next = (expected: RegExp): Promise<string> => new Promise<string>((resolve) => waiters.push({ test: (l) => expected.test(l), resolve }));
  const key = (line: string, expected: RegExp): Promise<string> => {
    const p = next(expected);
    input.write(`${line}\n`);
    return p;
  };
  /** The next `n` console lines that `expected` matches, in the order printed. */
  const lines = (n: number, expected: RegExp): Promise<string[]> =>
    new Promise((resolve) => {
      const got: string[] = [];
      const take = () =>
        waiters.push({
          test: (l) => expected.test(l),
          resolve: (l) => {
            got.push(l);
            if (got.length === n) resolve(got);
            else take();
          },
        });
      take();
    });

  beforeAll(async () => {
    demo = await runDemo({ config: 'config/demo.yaml', mqttPort: 0, httpPort: 0, kioskPort: 0, speed: 1, seed: 7, trickle: false, print, input, logFile: join(dir, 'demo.log'), clock });
  }, 180_000);
  afterAll(async () => {
    await demo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('echoes keys typed together in the order typed, each with its own outcome: a second rating refused, pause then resume', async () => {
    expect(await key('o 3', /^(⛔|✅|…|ℹ️) +o 3:/)).toBe('✅ o 3: 3 号窗口开放（s03）· window 3 opened by s03');
    expect(await key('t social', /^(⛔|✅) t social:/)).toMatch(/^✅ t social: A001 /);
    expect(await key('c 3', /^(⛔|✅|…|ℹ️) +c 3:/)).toBe('✅ c 3: 已叫号 A001 · called A001');
    // Both typed before either is answered: the first is recorded, the second refused with the hall's reason.
    const ratings = lines(3, /^(⛔|✅|…|ℹ️) +g 3 5 /);
    input.write('g 3 5\ng 3 5\n');
    expect(await ratings).toEqual([
      '✅ g 3 5 (非常不满意): 已请 A001 评价 · rating asked for A001',
      '✅ g 3 5 (非常不满意): 已记录 A001 的评价 · recorded for A001',
      '⛔ g 3 5 (非常不满意): 该服务已评价 · This service has already been rated',
    ]);
    // Pause then resume, typed together: resume meets the paused window and the window is open after.
    const pu = lines(2, /^(⛔|✅|…|ℹ️) +[pu] 3:/);
    input.write('p 3\nu 3\n');
    expect(await pu).toEqual(['✅ p 3: 3 号窗口已暂停（暂停服务）· window 3 paused', '✅ u 3: 3 号窗口恢复服务 · window 3 resumed']);
    expect(demo.link.replica.state.windows['3']?.status).toBe('open');
    // Close and open again with the demo's keys.
    expect(await key('x 3', /^(⛔|✅|…|ℹ️) +x 3:/)).toBe('✅ x 3: 3 号窗口已关闭 · window 3 closed');
    expect(await key('x 3', /^(⛔|✅|…|ℹ️) +x 3:/)).toBe('ℹ️  x 3: 3 号窗口未开启 · window 3 is closed');
    expect(await key('c 3', /^(⛔|✅|…|ℹ️) +c 3:/)).toBe('⛔ c 3: 3 号窗口未开启 · window 3 is closed');
    expect(await key('o 3', /^(⛔|✅|…|ℹ️) +o 3:/)).toBe('✅ o 3: 3 号窗口开放（s03）· window 3 opened by s03');
    expect(await key('o 3 5', /^(⛔|✅|…|ℹ️) +o 3 5:/)).toBe('⛔ o 3 5: 窗口已有人员登录 · Another staff member is logged in at this window');
  }, 120_000);

  it('runs its agent with a kiosk print journal on disk in its data folder, as a hall runs it', () => {
    const dataDir = out.find((l) => l.startsWith('  data          '))?.slice('  data          '.length);
    expect(dataDir).toMatch(/hallq-demo-/);
    expect(existsSync(join(dataDir ?? '', 'kiosk-journal.db'))).toBe(true);
    expect(readFileSync(join(dir, 'demo.log'), 'utf8')).not.toContain('agent.kioskJournal: not set');
  });

  it('says no new day at its start, when the day has not turned', () => {
    expect(out.filter((l) => l.startsWith('🌅'))).toEqual([]);
  });

  it('crosses the hall’s midnight: says the day started, the staff log in again, a ticket of the new day is called', async () => {
    const day = next(/^🌅 /);
    const reopened = next(/^🪟 3 号窗口开放/);
    // The clock jumps past midnight; the server's next tick (or command) starts the day.
    shift = midnight + 60_000 - Date.now();
    const started = await day;
    const dayName = new Date(midnight + offsetMin * 60_000).toISOString().slice(0, 10);
    expect(started).toContain(`新的一天 ${dayName}`);
    expect(started).toContain(`a new day (${dayName})`);
    expect(started).toContain('staff log in again at window 3');
    await reopened;
    expect(demo.link.replica.state.day).toBe(dayName);
    expect(demo.link.replica.state.windows['3']?.status).toBe('open');
    // Numbers start again with the day, and the call works.
    expect(await key('t social', /^(⛔|✅) t social:/)).toMatch(/^✅ t social: A001 \(社会保障\), 前面还有 0 人/);
    expect(await key('c 3', /^(⛔|✅|…|ℹ️) +c 3:/)).toBe('✅ c 3: 已叫号 A001 · called A001');
    // Said once: the turn of the day, nothing at the start.
    expect(out.filter((l) => l.startsWith('🌅'))).toHaveLength(1);
  }, 120_000);
});
