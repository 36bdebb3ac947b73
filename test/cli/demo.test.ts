import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('hallq demo', () => {
  it('runs the whole hall on emulated devices, and Ctrl-C stops everything cleanly', async () => {
    const child = spawn(process.execPath, ['bin/hallq.js', 'demo', '--speed', '10', '--seed', '3'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    // Wait for the events: a printed ticket, a window opened on its keypad, a call spoken; then Ctrl-C.
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`demo exited early (${String(code)}): ${out}`)));
      child.stdout.on('data', (d: string) => {
        out += d;
        if (out.includes('🎫 printed:') && out.includes('opened by') && out.includes('📢 请')) resolve();
      });
    });
    child.removeAllListeners('exit');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('hall server   http://127.0.0.1:');
    expect(out).toContain('hallq demo stopped.');
    // The printed ticket carries number, service, position and windows.
    expect(out).toMatch(/🎫 printed: [A-H]\d{3} \| \S+ .+ \| 前面还有 \d+ 人 · 等待顺序 \d+ \| /);
  }, 90_000);
});
