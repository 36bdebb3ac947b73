/**
 * issue 13: a reader that goes away (`hallq status | head -1`) ends the command quietly, as a Unix
 * tool ends: no Node stack trace, the command's own status. A real pipe, its reading end closed early.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * The CLI (from dist/) with stdout or stderr a pipe whose reading end this process closes: at once
 * (`closeAt` undefined), or once that stream has printed `closeAt`. `after` runs once it is closed.
 */
function withClosedPipe(args: string[], o: { closed: 'stdout' | 'stderr'; closeAt?: string; after?: (child: ReturnType<typeof spawn>) => void }): Promise<Ended> {
  const child = spawn(process.execPath, ['bin/hallq.js', ...args], { env: { ...process.env, HALLQ_RUN: 'dist' }, stdio: ['pipe', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const closing = o.closed === 'stdout' ? child.stdout : child.stderr;
  const other = o.closed === 'stdout' ? child.stderr : child.stdout;
  let seen = '';
  let stderr = '';
  other.setEncoding('utf8');
  other.on('data', (d: string) => (stderr += o.closed === 'stdout' ? d : ''));
  const close = () => {
    closing.destroy();
    o.after?.(child);
  };
  if (o.closeAt === undefined) close();
  else {
    closing.setEncoding('utf8');
    closing.on('data', (d: string) => {
      seen += d;
      if (seen.includes(o.closeAt as string) && !closing.destroyed) close();
    });
  }
  return once(child, 'exit').then(([code, signal]) => {
    clearTimeout(timer);
    return { code: code as number | null, signal: signal as NodeJS.Signals | null, stderr };
  });
}

describe('a closed pipe ends every command quietly', () => {
  it('a one-shot command whose stdout reader is gone exits 0 with no trace', async () => {
    const r = await withClosedPipe(['devices'], { closed: 'stdout' });
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r).toMatchObject({ code: 0, signal: null });
  }, 40_000);

  it('an error line whose stderr reader is gone keeps its status (2: usage)', async () => {
    const r = await withClosedPipe(['nosuch'], { closed: 'stderr' });
    expect(r).toMatchObject({ code: 2, signal: null });
  }, 40_000);

  it('emulate stops as on q when its output is closed (`hallq emulate idcard --pty | head -3`)', async () => {
    // The emulator answers each command on stdout: the first answer after the close meets the broken pipe.
    const r = await withClosedPipe(['emulate', 'idcard', '--pty'], { closed: 'stdout', closeAt: 'commands:', after: (child) => child.stdin?.write('card zhang\n') });
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r).toMatchObject({ code: 0, signal: null });
  }, 40_000);
});
