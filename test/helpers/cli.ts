import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as absolute } from 'node:path';
import { afterAll } from 'vitest';

/** What a `hallq` command line ended with. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The real CLI from this tree's build (dist/, as `npm test` builds it first), killed if it has not
 * ended after 50 s (a hang fails the test and leaves no process behind). `input` is written to its
 * stdin (then closed); `env` is added to this process's; `uid`/`gid` run it as another user; `cwd` runs it
 * from another folder, as a technician types it anywhere.
 */
export function runHallq(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; uid?: number; gid?: number; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const { env, input, ...rest } = opts;
    const child = execFile(process.execPath, [absolute('bin/hallq.js'), ...args], { encoding: 'utf8', env: { ...process.env, HALLQ_RUN: 'dist', ...env }, timeout: 50_000, killSignal: 'SIGKILL', ...rest }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? '');
  });
}

/** A scratch folder for one test file: `write(name, text)` puts a file in it and gives its path; removed after the file's tests. */
export interface Scratch {
  dir: string;
  write(name: string, text: string): string;
}

export function scratch(prefix: string): Scratch {
  const dir = mkdtempSync(join(tmpdir(), `hallq-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write: (name, text) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
  };
}

/** The demo hall's config as text (config/demo.yaml), to append a key to or replace one in. */
export const demoYaml = (): string => readFileSync('config/demo.yaml', 'utf8');
