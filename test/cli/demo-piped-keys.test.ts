import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * Tryout: `hallq demo --seconds N` with keys through a pipe ignored them, silently. Keys typed through a
 * pipe are read with --seconds too; the pipe's end does not stop the demo (its --seconds, `q` or Ctrl-C does).
 */
describe('hallq demo --seconds with keys through a pipe', () => {
  it('answers each piped key, keeps running after the pipe ends, and stops on Ctrl-C', async () => {
    const child = spawn(process.execPath, ['bin/hallq.js', 'demo', '--speed', '10', '--seed', '3', '--seconds', '600'], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (err += d));
    const until = (seen: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`demo exited early (${String(code)}): ${out}\n${err}`));
        const onData = () => {
          if (!seen()) return;
          child.off('exit', onExit);
          child.stdout.off('data', onData);
          resolve();
        };
        child.once('exit', onExit);
        child.stdout.on('data', (d: string) => (out += d));
        child.stdout.on('data', onData);
      });
    await until(() => out.includes('  keys          '));
    child.stdin.end('x 3\n');
    const echo = /^(⛔|✅|…|ℹ️) +x 3: /m;
    await until(() => echo.test(out));
    // After the pipe's end the hall goes on: something happens after the key's echo.
    const after = (out.match(echo)?.index ?? 0) + 1;
    await until(() => /(📢 请|🎫 printed)/.test(out.slice(after)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('hallq demo stopped.');
    expect(err).toBe('');
  }, 150_000);
});
