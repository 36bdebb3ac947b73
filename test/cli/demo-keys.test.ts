import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo, type RunningDemo } from '../../src/demo/demo.js';
import { duplicateKeys } from '../helpers/json-keys.js';

/**
 * The demo's keys through its own input stream, the hall quiet (no trickle), so every outcome is known:
 * each key echoes what it did or why the hall refused it. Then every line of the run's JSON log is
 * parsed strictly: one key per field.
 */
describe('hallq demo keys', () => {
  let demo: RunningDemo;
  const input = new PassThrough();
  const out: string[] = [];
  const waiters: { test: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'hallq-demo-keys-'));
  const logFile = join(dir, 'demo.log');
  const print = (text: string) => {
    for (const line of text.split('\n')) {
      out.push(line);
      for (const w of [...waiters]) if (w.test(line)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(line);
    }
  };
  /** Sends a key line and resolves with the first later console line that `expected` matches. */
  const key = (line: string, expected: RegExp | string): Promise<string> => {
    const test = (l: string) => (typeof expected === 'string' ? l === expected : expected.test(l));
    const p = new Promise<string>((resolve) => waiters.push({ test, resolve }));
    input.write(`${line}\n`);
    return p;
  };

  beforeAll(async () => {
    demo = await runDemo({ config: 'config/demo.yaml', mqttPort: 0, httpPort: 0, kioskPort: 0, speed: 1, seed: 5, trickle: false, print, input, logFile, pngDir: join(dir, 'png') });
  }, 180_000);
  afterAll(async () => {
    await demo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('echoes every key: a window that does not exist, a closed window, nothing waiting, pause, resume, call, ratings', async () => {
    expect(await key('c 99', /^⛔ c 99:/)).toBe('⛔ c 99: 没有 99 号窗口 · no window 99 — 窗口 windows 1–12');
    // Window 3 is closed: the refusal and its reason, in Chinese and English.
    expect(await key('c 3', /^(⛔|✅|…) c 3:/)).toMatch(/^⛔ c 3: \S+.* · .+/);
    // A closed window is worded one way whichever key meets it, g too (the hall answers it as nothing to rate).
    expect(await key('g 5 1', /^(⛔|✅|…) g 5 1/)).toBe('⛔ g 5 1 (非常满意): 5 号窗口未开启 · window 5 is closed');
    expect(await key('g', /^⛔ g/)).toBe('⛔ g: 请输入窗口号 · which window? — 窗口 windows 1–12');
    const opened = new Promise<string>((resolve) => waiters.push({ test: (l) => l.startsWith('🪟 3 号窗口开放'), resolve }));
    demo.hardware.keypadEmulators.get(3)!.typeLogin('3');
    await opened;
    // Open, nothing waiting.
    expect(await key('c 3', /^(⛔|✅|…|ℹ️) +c 3:/)).toBe('ℹ️  c 3: 无人等候 · nothing waiting for window 3');
    expect(await key('p 3', /^(⛔|✅|…) p 3:/)).toBe('✅ p 3: 3 号窗口已暂停（暂停服务）· window 3 paused');
    expect(await key('u 3', /^(⛔|✅|…) u 3:/)).toBe('✅ u 3: 3 号窗口恢复服务 · window 3 resumed');
    // A ticket: printed whole, with its status link, and (--png) drawn as a PNG whose path is shown.
    const png = new Promise<string>((resolve) => waiters.push({ test: (l) => l.startsWith('   ↳ '), resolve }));
    const echoed = new Promise<string>((resolve) => waiters.push({ test: (l) => l.startsWith('✅ t social:') || l.startsWith('⛔ t social:'), resolve }));
    const printed = key('t social', /^🎫 printed: A001 /);
    const status = await new Promise<string>((resolve) => waiters.push({ test: (l) => l.startsWith('   状态页 status page of A001: '), resolve }));
    await printed;
    // The key's own echo: the number it took, as the other keys echo theirs.
    expect(await echoed).toBe('✅ t social: A001 (社会保障), 前面还有 0 人 · 0 ahead — 已打印 · printed');
    const pngLine = await png;
    expect(pngLine).toBe(`   ↳ ${join(dir, 'png', 'ticket-0001-A001.png')}`);
    expect([...readFileSync(join(dir, 'png', 'ticket-0001-A001.png')).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(status).toMatch(/^ {3}状态页 status page of A001: http:\/\/127\.0\.0\.1:\d+\/s\/[\w-]{43}$/);
    expect(out.some((l) => l.startsWith('   │ 过号顺延 3 位重新排队'))).toBe(true);
    expect(await key('c 3', /^(⛔|✅|…) c 3:/)).toBe('✅ c 3: 已叫号 A001 · called A001');
    // A rating: asked, then recorded; a second one for the same ticket is refused with the reason.
    const recorded = new Promise<string>((resolve) => waiters.push({ test: (l) => l.startsWith('✅ g 3 5 (非常不满意): 已记录'), resolve }));
    expect(await key('g 3 5', /^(⛔|✅|…) g 3 5/)).toBe('✅ g 3 5 (非常不满意): 已请 A001 评价 · rating asked for A001');
    expect(await recorded).toBe('✅ g 3 5 (非常不满意): 已记录 A001 的评价 · recorded for A001');
    // The hall's line for it says the grade in words, not its enum value.
    expect(out).toContain('⭐ A001 在 3 号窗口评价：非常不满意 · rated very dissatisfied at window 3');
    expect(await key('g 3 1', /^(⛔|✅|…) g 3 1/)).toBe('⛔ g 3 1 (非常满意): 该服务已评价 · This service has already been rated');
    expect(await key('g 3', /^g <window>/)).toBe('g <window> <1-5>: 评价 1 = 非常满意 … 5 = 非常不满意 · grade 1 = very satisfied … 5 = very dissatisfied');
  }, 90_000);

  it('every other key echoes too: t without a service, recall, card, paper, screens, an unknown key', async () => {
    expect(await key('t', /^⛔ t: /)).toMatch(/^⛔ t: 请选择业务 · which service\? 业务 services: social medical /);
    expect(await key('t social paper', /^⛔ t social paper:/)).toBe('⛔ t social paper: 业务后只能加 sms（短信取号）· only sms may follow the service (an SMS-only ticket): t social sms');
    expect(await key('r 3', /^(⛔|✅|…|ℹ️) +r 3:/)).toBe('✅ r 3: 重呼 A001（第 1 次）· recalled A001 (1×)');
    expect(await key('r 99', /^⛔ r 99:/)).toBe('⛔ r 99: 没有 99 号窗口 · no window 99 — 窗口 windows 1–12');
    // Each card key lays a new citizen's card, which the agent reads: the one before is taken off first
    // (a reader reads a card once per placing; the second key's card used to be announced and never read).
    const cardOnKiosk = async (): Promise<string> => {
      const info = (await (await fetch(`http://127.0.0.1:${demo.kioskPort}/kiosk/api/info`)).json()) as { card: { idMasked: string } | null };
      return info.card?.idMasked ?? '';
    };
    const read = () => new Promise<void>((resolve) => demo.hardware.cardReader.once('card', () => resolve()));
    let wasRead = read();
    expect(await key('card', /^🪪 /)).toMatch(/^🪪 身份证已放上读卡器（.+）· ID card on the reader$/);
    await wasRead;
    const first = await cardOnKiosk();
    expect(first).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
    wasRead = read();
    expect(await key('card', /^🪪 /)).toMatch(/^🪪 身份证已放上读卡器（.+）· ID card on the reader$/);
    await wasRead;
    const second = await cardOnKiosk();
    expect(second).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
    expect(second).not.toBe(first);
    expect(await key('paper sideways', /^⛔ paper:/)).toBe('⛔ paper: 请用 paper out（缺纸）、paper near（将尽）或 paper ok · paper out, near or ok');
    // No silent default: a bare `paper` used to set the paper to ok.
    expect(await key('paper', /^⛔ paper:/)).toBe('⛔ paper: 请用 paper out（缺纸）、paper near（将尽）或 paper ok · paper out, near or ok');
    // A word too many is refused, not ignored.
    expect(await key('t social sms extra', /^⛔ t social sms extra:/)).toMatch(/^⛔ t social sms extra: 多余的内容 "extra" · too many words/);
    expect(await key('s', /^ {2}屏 screen {2}3: /)).toMatch(/A001/);
    expect(await key('zz', /^未知按键/)).toMatch(/^未知按键 "zz" · unknown key "zz"\. keys: t <service>/);
  }, 60_000);

  it('with the printer out of paper: an unknown service is named with the service keys, t refuses and names the SMS key, t … sms takes an SMS-only ticket', async () => {
    const out0 = out.length;
    expect(await key('paper out', /^🧻 /)).toBe('🧻 打印机纸张：缺纸 · printer paper: out (the agent sees it at its next status poll)');
    await new Promise<string>((resolve) => waiters.push({ test: (l) => l === '🖨️  打印机离线 · printer: offline (paper out)', resolve }));
    expect(await key('t nosuch', /^⛔ t nosuch/)).toMatch(/^⛔ t nosuch: 没有 nosuch 这项业务 · no such service — 业务 services: social medical /);
    expect(await key('t social', /^(⛔|✅) t social:/)).toBe('⛔ t social: 打印机缺纸，可用 t social sms 取短信票 · the printer is out of paper: take an SMS-only ticket with t social sms');
    // The SMS-only key: a number without paper, the phone masked, its status page and the SMS it was sent.
    const status = new Promise<string>((resolve) => waiters.push({ test: (l) => l.startsWith('   状态页 status page of A002: '), resolve }));
    const sms = new Promise<string>((resolve) => waiters.push({ test: (l) => l.startsWith('📱 SMS to ') && l.includes('A002'), resolve }));
    const echoed = await key('t social sms', /^(⛔|✅) t social sms:/);
    expect(echoed).toMatch(/^✅ t social sms: A002 \(社会保障\), 前面还有 0 人 · 0 ahead — 短信取号，发往 (1\d{2}\*{4}\d{4}) · SMS only, to \1$/);
    expect(await status).toMatch(/^ {3}状态页 status page of A002: http:\/\/127\.0\.0\.1:\d+\/s\/[\w-]{43}$/);
    const phone = /to (1\d{2}\*{4}\d{4})$/.exec(echoed)?.[1];
    expect(await sms).toMatch(new RegExp(`^📱 SMS to ${(phone ?? 'none').replace(/\*/g, '\\*')}: .*A002`));
    // No full phone number on the console, and no raw log line.
    expect(out.slice(out0).filter((l) => /1\d{10}/.test(l))).toEqual([]);
    expect(out.slice(out0).filter((l) => l.trimStart().startsWith('{'))).toEqual([]);
    await key('paper ok', /^🧻 /);
  }, 60_000);

  // Tryout: a keypad transfer could not be rehearsed (no key for it), nor a no-show.
  it('tr transfers the citizen served at a window to another through its keypad; n is the no-show key', async () => {
    // Window 3 serves A001 (the first test); A002 waits (the SMS-only ticket).
    expect(await key('tr 3 5', /^(⛔|✅|…|ℹ️) +tr 3 5:/)).toBe('✅ tr 3 5: A001 转到 5 号窗口 · A001 transferred to window 5');
    const a001 = Object.values(demo.link.replica.state.tickets).find((t) => t.number === 'A001');
    expect(a001).toMatchObject({ status: 'waiting', targetWindow: 5, transfers: 1 });
    // Nobody served at window 3 now: the agent refuses the number itself, and says why.
    expect(await key('tr 3 5', /^(⛔|✅|…|ℹ️) +tr 3 5:/)).toMatch(/^⛔ tr 3 5: \S+.* · .+/);
    expect(await key('tr 3', /^⛔ tr 3/)).toBe('⛔ tr 3: 请输入转往的窗口号 · which window to? tr <window> <to>');
    // A001 waits for window 5 only: window 3 calls A002.
    expect(await key('c 3', /^(⛔|✅|…|ℹ️) +c 3:/)).toBe('✅ c 3: 已叫号 A002 · called A002');
    expect(await key('n 3', /^(⛔|✅|…|ℹ️) +n 3:/)).toBe('✅ n 3: A002 未到，顺延重新排队 · A002 did not come: queued again further back');
    expect(await key('n 3 1', /^⛔ n 3 1:/)).toMatch(/^⛔ n 3 1: 多余的内容 "1" · too many words/);
  }, 60_000);

  it('every key reply is Chinese first, then English', () => {
    const replies = out.filter((l) => /^(✅|⛔|ℹ️|…|🧻|🪪) |^(t|tr|c|r|n|p|u|g|paper)( [^:]*)?: |^未知按键/.test(l));
    expect(replies.length).toBeGreaterThanOrEqual(20);
    for (const l of replies) expect(l, l).toMatch(/[\u4e00-\u9fff].*· [A-Za-z]/);
  });

  it('writes JSON log lines with one key per field', async () => {
    await demo.stop();
    const lines = readFileSync(logFile, 'utf8').split('\n').filter((l) => l !== '');
    // The run logged: the server's store, the agent's devices, the printer's health.
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.some((l) => l.includes('"printer health changed"'))).toBe(true);
    const bad = lines.map((l) => ({ l, dups: duplicateKeys(l) })).filter((x) => x.dups.length > 0);
    expect(bad).toEqual([]);
  }, 60_000);

  it('the duplicate-key check finds a duplicate, at any depth', () => {
    expect(duplicateKeys('{"component":"server","a":1,"component":"store"}')).toEqual(['component']);
    expect(duplicateKeys('{"x":{"device":"p","device":"q"},"y":[{"k":1,"k":2}]}')).toEqual(['x.device', 'y[0].k']);
    expect(duplicateKeys('{"a":"\\"b\\":1","b":2}')).toEqual([]);
    expect(() => duplicateKeys('{"a":1} x')).toThrow(/trailing/);
  });
});
