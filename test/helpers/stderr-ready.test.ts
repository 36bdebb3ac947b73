import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { watchStderr } from './stderr-ready.js';

/** The bounded wait every test server's start goes through (Mosquitto, NATS, PostgreSQL). */
describe('watchStderr', () => {
  const node = (code: string) => spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });

  it('resolves at the line, and keeps what follows', async () => {
    const child = node("process.stderr.write('starting\\nbroker running\\n'); setTimeout(() => process.stderr.write('later\\n'), 50)");
    const w = watchStderr(child, / running/, { what: 'test server', ms: 10_000 });
    await w.ready;
    await new Promise((r) => child.once('exit', r));
    expect(w.text()).toBe('starting\nbroker running\nlater\n');
  });

  // 2 s: the child has written its line by then even on a loaded machine.
  it('rejects after its bound, naming the server and its log, and lets the caller stop it', async () => {
    const child = node("process.stderr.write('stuck at step 2\\n'); setInterval(() => {}, 1000)");
    let stopped = false;
    const w = watchStderr(child, / running/, { what: 'test server', ms: 2000, onTimeout: () => ((stopped = true), child.kill('SIGKILL')) });
    await expect(w.ready).rejects.toThrow(/^test server not ready within 2000 ms: stuck at step 2/);
    expect(stopped).toBe(true);
  });

  it('rejects when the server exits first, with its log', async () => {
    const child = node("process.stderr.write('bad config line 3\\n'); process.exit(3)");
    await expect(watchStderr(child, / running/, { what: 'test server', ms: 10_000 }).ready).rejects.toThrow(/test server exited with 3: bad config line 3/);
  });
});
