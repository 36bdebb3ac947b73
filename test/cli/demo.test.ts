import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('hallq demo', () => {
  it('shows a morning rush within the first minutes, and Ctrl-C (to the whole process group, as a terminal sends it) stops everything cleanly', async () => {
    // Its own process group, like a shell's foreground job: Ctrl-C reaches every process in it (socat too, unless it has its own).
    const child = spawn(process.execPath, ['bin/hallq.js', 'demo', '--speed', '10', '--seed', '3'], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (err += d));
    // Wait for the events: printed tickets with people ahead, a window opened on its keypad, a call, a near-turn SMS, a transfer.
    // The pick-up window (12, the only one for the pick-up service) is staffed too, or its tickets only pile up.
    const seen = () =>
      out.includes('opened by') &&
      out.includes('🪟 12 号窗口开放') && out.includes('📢 请') && /🎫 printed: .*前面还有 [1-9]\d* 人/.test(out) && /📱 SMS to 1\d\d\*{4}\d{4}: .*(即将|前面|请)/.test(out) && out.includes('↪️') && /status page of [A-H]\d{3}: http/.test(out);
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`demo exited early (${String(code)}): ${out}\n${err}`)));
      child.stdout.on('data', (d: string) => {
        out += d;
        if (seen()) resolve();
      });
    });
    child.removeAllListeners('exit');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('hall server   http://127.0.0.1:');
    expect(out).toContain('hallq demo stopped.');
    // As clean as q: no JSON log line, no warning, no stack trace on the terminal.
    expect(err).toBe('');
    expect(out).not.toMatch(/^\s*\{"level"/m);
    expect(out).not.toMatch(/\n\s+at .+:\d+:\d+/);
    // The printed ticket carries number, service, position and windows, and the whole ticket follows.
    expect(out).toMatch(/🎫 printed: [A-H]\d{3} \| \S+ .+ \| 前面还有 \d+ 人 · 等待顺序 \d+ \| /);
    expect(out).toMatch(/ {3}│ 过号顺延 3 位重新排队（限一次）/);
  }, 150_000);
});
