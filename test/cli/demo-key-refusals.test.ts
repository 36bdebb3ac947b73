import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyRefused } from '../../src/agent/flows/keypad-refusals.js';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { runDemo, type RunningDemo } from '../../src/demo/demo.js';
import { demoSendsSms } from '../../src/demo/sms-choice.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Issue #13 (a technician's tryout of `hallq demo`): every key echoes its outcome, also the ones the
 * agent's caller flow sends no command for (a staff number nobody has, a transfer with nobody being
 * served, a key with no function): the agent refuses them itself, with a code and its words, and the
 * console echoes that at once, never "no answer within 15 s (keypad offline?)". And a demo given a
 * config that says `server.sms.provider: none` sends no SMS, as the server with that config: no phone,
 * no SMS-only ticket, no text, the hall's smsEnabled false. The demo's clock is injected: the hall's noon.
 */
describe('hallq demo: keys the agent refuses itself, and a config without SMS', () => {
  let demo: RunningDemo;
  const input = new PassThrough();
  const out: string[] = [];
  const waiters: { test: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'hallq-demo-refusals-'));
  const config = join(dir, 'hall.yaml');
  // The demo hall, saying as a hall without SMS does: provider none.
  // Its kiosk names the hall's server as phones reach it: the demo says why its links are not that.
  // And its server serves HTTPS (server.http.tls): the demo serves plain HTTP on 127.0.0.1 and says so.
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=hall.test'], { stdio: 'ignore' });
  writeFileSync(config, `${readFileSync('config/demo.yaml', 'utf8').replace('kiosk: {}', 'kiosk: { statusBaseUrl: "http://192.168.1.10:8080" }')}\nserver:\n  sms:\n    provider: none\n  http:\n    tls: { certFile: "${certFile}", keyFile: "${keyFile}" }\n`);
  const offsetMin = loadConfigOrThrow(config).hall.utcOffsetMinutes;
  // A clock that reads the hall's noon today: no midnight (a new day closing the windows) during the test.
  const local = Date.now() + offsetMin * 60_000;
  const noon = Math.floor(local / DAY_MS) * DAY_MS + 12 * 3600_000 - offsetMin * 60_000;
  const shift = noon - Date.now();
  const clock = () => Date.now() + shift;
  const print = (text: string) => {
    for (const line of text.split('\n')) {
      out.push(line);
      for (const w of [...waiters]) if (w.test(line)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(line);
    }
  };
  const next = (expected: RegExp): Promise<string> => new Promise<string>((resolve) => waiters.push({ test: (l) => expected.test(l), resolve }));
  /** Sends a key line and resolves with the first later console line that `expected` matches. */
  const key = (line: string, expected: RegExp): Promise<string> => {
    const p = next(expected);
    input.write(`${line}\n`);
    return p;
  };
  /** The agent's next own refusal at window `w`. */
  const refused = (w: number): Promise<KeyRefused> =>
    new Promise((resolve) => {
      const off = demo.agent.keypadRefusals.on((r) => {
        if (r.window !== w) return;
        off();
        resolve(r);
      });
    });
  /** Window `w`'s keypad's next beep (the agent's refusal on the keypad itself). */
  const beep = (w: number): Promise<number> =>
    new Promise((resolve) => {
      const off = demo.hardware.keypadEmulators.get(w)!.on((e) => {
        if (e.type !== 'beep') return;
        off();
        resolve(e.count);
      });
    });

  beforeAll(async () => {
    demo = await runDemo({ config, mqttPort: 0, httpPort: 0, kioskPort: 0, speed: 1, seed: 11, trickle: false, print, input, logFile: join(dir, 'demo.log'), clock });
  }, 180_000);
  afterAll(async () => {
    await demo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('o with a staff number nobody has is refused at once by the agent, in Chinese and English', async () => {
    const beeped = beep(1);
    expect(await key('o 1 99', /^(⛔|✅|…|ℹ️) +o 1 99:/)).toBe('⛔ o 1 99: 没有该工作人员 · No such staff member');
    await beeped;
    expect(await key('o 1 0', /^(⛔|✅|…|ℹ️) +o 1 0:/)).toBe('⛔ o 1 0: 没有该工作人员 · No such staff member');
    // A staff number that exists still opens the window; the same login again says it is open.
    expect(await key('o 3', /^(⛔|✅|…|ℹ️) +o 3:/)).toBe('✅ o 3: 3 号窗口开放（s03）· window 3 opened by s03');
    expect(await key('o 3', /^(⛔|✅|…|ℹ️) +o 3:/)).toBe('ℹ️  o 3: 3 号窗口已开放 · window 3 is already open');
    expect(await key('o 3 99', /^(⛔|✅|…|ℹ️) +o 3 99:/)).toBe('⛔ o 3 99: 没有该工作人员 · No such staff member');
  }, 60_000);

  it('o with a number nobody has echoes its own refusal while another login is on the same keypad, open or closed', async () => {
    // A technician's tryout: `o 3 99` at window 3, open for s03, echoed "✅ window 3 opened by s03" — the
    // answer to another login on that keypad (the demo's own staff logging in), not to 99.
    const kp = demo.hardware.keypadEmulators.get(3)!;
    const opened = () =>
      new Promise<string>((resolve) => {
        const off = demo.link.onEvent((e) => {
          if (e.type !== 'WindowOpened' || e.window !== 3) return;
          off();
          resolve(e.staffId);
        });
      });
    // Window 3 is open for s03 (the test before): s03's number typed again, then 99 by the console.
    kp.typeLogin('3');
    expect(await key('o 3 99', /^(⛔|✅|…|ℹ️) +o 3 99:/)).toBe('⛔ o 3 99: 没有该工作人员 · No such staff member');
    // Window 3 closed: s03's login opens it, and 99 is still refused.
    expect(await key('x 3', /^(⛔|✅|…|ℹ️) +x 3:/)).toBe('✅ x 3: 3 号窗口已关闭 · window 3 closed');
    const reopened = opened();
    kp.typeLogin('3');
    expect(await key('o 3 99', /^(⛔|✅|…|ℹ️) +o 3 99:/)).toBe('⛔ o 3 99: 没有该工作人员 · No such staff member');
    expect(await reopened).toBe('s03');
  }, 60_000);

  it('the keypad inputs the agent sends no command for are refused with a code, never dropped', async () => {
    const kp = demo.hardware.keypadEmulators.get(3)!;
    // Transfer, then a window number, with nobody being served at window 3.
    let r = refused(3);
    kp.press('transfer');
    kp.typeLogin('5');
    expect(await r).toMatchObject({ window: 3, input: 'login', outcome: { ok: false, code: 'no-current-ticket', message: { zh: '当前没有正在办理的号码', en: 'No ticket is being served at this window' } } });
    // Keys with no function here, and enter with nothing typed.
    r = refused(3);
    kp.press('one-metre-line');
    expect(await r).toMatchObject({ input: 'one-metre-line', outcome: { code: 'key-no-action', message: { zh: '该按键在此没有功能', en: 'This key has no function here' } } });
    r = refused(3);
    kp.press('cancel');
    expect(await r).toMatchObject({ input: 'cancel', outcome: { code: 'key-no-action' } });
    r = refused(3);
    kp.pressEnter();
    expect(await r).toMatchObject({ input: 'unrecognised', outcome: { code: 'key-no-action' } });
    // Cancel ends a transfer waiting for its number: the number typed next is a login again.
    kp.press('transfer');
    kp.press('cancel');
    r = refused(3);
    kp.typeLogin('99');
    expect(await r).toMatchObject({ input: 'login', outcome: { code: 'unknown-staff', detail: '99' } });
  }, 60_000);

  it('p and u while the keypad waits for a 好差评 rating echo paused and resumed', async () => {
    expect(await key('t social', /^(⛔|✅) t social:/)).toMatch(/^✅ t social: A001 /);
    expect(await key('c 3', /^(⛔|✅|…|ℹ️) +c 3:/)).toBe('✅ c 3: 已叫号 A001 · called A001');
    const kp = demo.hardware.keypadEmulators.get(3)!;
    const rating = new Promise<void>((resolve) => {
      const off = kp.on((e) => {
        if (e.type === 'rating-mode' && e.on) {
          off();
          resolve();
        }
      });
    });
    kp.press('rating-request');
    await rating;
    expect(await key('p 3', /^(⛔|✅|…|ℹ️) +p 3:/)).toBe('✅ p 3: 3 号窗口已暂停（暂停服务）· window 3 paused');
    expect(await key('u 3', /^(⛔|✅|…|ℹ️) +u 3:/)).toBe('✅ u 3: 3 号窗口恢复服务 · window 3 resumed');
  }, 60_000);

  it('follows server.sms.provider: none: no SMS-only ticket, no phone asked, no text, the hall sends none', async () => {
    expect(out.some((l) => /^ {2}sms {11}off: server\.sms\.provider is none in /.test(l))).toBe(true);
    // The keys it lists have no SMS-only ticket.
    const keys = out.findIndex((l) => l.startsWith('  keys          '));
    expect(out[keys]).toMatch(/^ {2}keys {10}t <service> {2}take a ticket · c <window>/);
    expect(out.slice(keys, keys + 4).join('\n')).not.toContain('sms');
    // The config's statusBaseUrl is not this demo's server: said, with why.
    expect(out).toContain("                not the config's agents[0].kiosk.statusBaseUrl http://192.168.1.10:8080: that is the hall's own server as phones reach it; this demo's server is this process, on 127.0.0.1 only");
    // The config's TLS is not the demo's: said under the hall server line, and its links answer in plain HTTP.
    const hallLine = out.findIndex((l) => l.startsWith('  hall server   '));
    expect(out[hallLine + 1]).toBe("                plain HTTP: the config's server.http.tls is not used here (the demo listens on 127.0.0.1 only); a hall's server started with this config serves HTTPS");
    expect(out[hallLine]).toContain(`http://127.0.0.1:${demo.httpPort}/api/hall`);
    expect((await fetch(`http://127.0.0.1:${demo.httpPort}/livez`)).status).toBe(200);
    expect(demo.link.replica.state.config?.smsEnabled).toBe(false);
    // The kiosk page asks for no phone and offers no SMS ticket.
    const info = (await (await fetch(`http://127.0.0.1:${demo.kioskPort}/kiosk/api/info`)).json()) as { sms: boolean };
    expect(info.sms).toBe(false);
    expect(await key('t social sms', /^(⛔|✅) t social sms:/)).toBe('⛔ t social sms: 本大厅未开通短信通知，不能短信取号 · This hall sends no SMS, so no SMS-only tickets');
    // Paper out: the refusal names no SMS key (there is none in this hall).
    expect(await key('paper out', /^🧻 /)).toMatch(/缺纸/);
    await next(/^🖨️ {2}打印机离线/);
    expect(await key('t social', /^(⛔|✅) t social:/)).toBe('⛔ t social: 打印机缺纸（本大厅不发短信，没有短信票）· the printer is out of paper (this hall sends no SMS: no SMS-only ticket)');
    await key('paper ok', /^🧻 /);
    expect(out.filter((l) => l.startsWith('📱'))).toEqual([]);
  }, 60_000);

  it('reads the SMS choice from the config as written: none is off, no provider (the demo hall) or a provider is on', () => {
    expect(demoSendsSms(config)).toBe(false);
    expect(demoSendsSms('config/demo.yaml')).toBe(true);
    const modem = join(dir, 'modem.yaml');
    copyFileSync('config/hall.example.yaml', modem);
    expect(demoSendsSms(modem)).toBe(true);
  });
});
