/**
 * A technician's tryout: exit 3 for every invalid config at a daemon's start, exit 4 in every usage
 * text, "needs a value" naming the option with an example that fits it, and a negative number out of
 * range. The real CLI from this tree's build (dist/).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function hallq(args: string[], input?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['bin/hallq.js', ...args], { encoding: 'utf8', env: { ...process.env, HALLQ_RUN: 'dist' }, timeout: 50_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? '');
  });
}

const dir = mkdtempSync(join(tmpdir(), 'hallq-tryout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const demo = readFileSync('config/demo.yaml', 'utf8');
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const errorLineOf = (stderr: string) => stderr.split('\n').find((l) => l.startsWith('error: ')) ?? '';

describe('exit codes', () => {
  it('an agent whose password file is missing is an invalid config: exit 3, like a schema problem', async () => {
    const config = write('agent-nopw.yaml', `${demo}\nagent:\n  mqtt: { url: "mqtt://127.0.0.1:9", username: demo-agent, passwordFile: ${join(dir, 'nope.password')} }\n`);
    const r = await hallq(['agent', '--config', config]);
    expect(errorLineOf(r.stderr)).toMatch(/^error: CONFIG_INVALID: .*agent\.mqtt\.passwordFile/);
    expect(r.code).toBe(3);
  }, 60_000);

  it.each([[['--help']], [['server', '--help']], [['staff', '--help']]])('hallq %j lists exit 4 (SERVER_RUNNING)', async (args) => {
    const r = await hallq(args);
    expect(r.stdout).toContain('exit codes: 0 ok · 1 failure · 2 usage · 3 invalid config · 4 another server runs (SERVER_RUNNING)');
  }, 60_000);
});

describe('an option without its value', () => {
  it.each([
    [['server', '--config'], 'error: USAGE: --config needs a value, e.g. --config /etc/hallq/hall.yaml (--config 后面要写上值，例如 --config /etc/hallq/hall.yaml)'],
    [['agent', '-c'], 'error: USAGE: --config needs a value, e.g. --config /etc/hallq/hall.yaml (--config 后面要写上值，例如 --config /etc/hallq/hall.yaml)'],
    [['staff', 'passwd', 's04', '--config'], 'error: USAGE: --config needs a value, e.g. --config /etc/hallq/hall.yaml (--config 后面要写上值，例如 --config /etc/hallq/hall.yaml)'],
    [['status', '--server'], 'error: USAGE: --server needs a value, e.g. --server http://127.0.0.1:8080 (--server 后面要写上值，例如 --server http://127.0.0.1:8080)'],
    [['report', '--from'], 'error: USAGE: --from needs a value, e.g. --from 2026-03-02 (--from 后面要写上值，例如 --from 2026-03-02)'],
    [['print-test', '--png'], 'error: USAGE: --png needs a value (--png 后面要写上值)'],
    [['simulate', 'config/demo.yaml', '--seed', '-1'], 'error: USAGE: --seed is out of range: a whole number from 0 up (not "-1") (--seed 超出范围：应为不小于 0 的整数（而不是 "-1"）)'],
    [['demo', '--seconds', '-1'], 'error: USAGE: --seconds is out of range: a whole number from 0 up (not "-1") (--seconds 超出范围：应为不小于 0 的整数（而不是 "-1"）)'],
  ])('hallq %j', async (args, line) => {
    const r = await hallq(args);
    expect(r.code).toBe(2);
    expect(errorLineOf(r.stderr)).toBe(line);
  }, 60_000);
});
