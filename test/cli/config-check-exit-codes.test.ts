/**
 * Review: README's command table did not say that `hallq config check` exits 3 on a file with
 * problems. Each way the command ends is run here (the built program, as a script runs it), and the
 * README row of `hallq config check` must name every exit code it gave, as `exit N`.
 * Needs a build: `bash scripts/build.sh --noCheck`.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoYaml, scratch } from '../helpers/cli.js';

const { dir, write } = scratch('config-check-exit');

function hallq(...args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/hallq.js', ...args], { encoding: 'utf8', env: { ...process.env, HALLQ_RUN: 'dist' } }, (err, stdout) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout });
    });
  });
}

/** The README table row of `hallq config check`. */
function readmeRow(): string {
  const row = readFileSync('README.md', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('| `hallq config check '));
  expect(row).toBeDefined();
  return row ?? '';
}

describe('hallq config check: every exit code it gives is in the README', () => {
  const demo = demoYaml();
  const cases: { name: string; args: string[]; code: number }[] = [
    { name: 'a valid file', args: [write('ok.yaml', demo)], code: 0 },
    { name: 'a valid file with a warning', args: [write('warned.yaml', `${demo}\nserver: { http: { trustProxy: true } }\n`)], code: 0 },
    { name: 'a schema problem', args: [write('bad.yaml', `${demo}\nserver: { http: { port: 99999 } }\n`)], code: 3 },
    { name: 'a schema problem, --json', args: [write('bad-json.yaml', `${demo}\nserver: { http: { port: 99999 } }\n`), '--json'], code: 3 },
    { name: 'a file it names that is not there', args: [write('nofile.yaml', `${demo}\nserver: { sms: { keyFile: ${join(dir, 'gone.key')} } }\n`)], code: 3 },
    { name: 'a YAML syntax error', args: [write('syntax.yaml', 'hall: [\n')], code: 3 },
    // Valid syntax, no data: an alias inside its own anchor (once a stack overflow, exit 1), and with --json.
    { name: 'an alias inside its own anchor', args: [write('self-alias.yaml', 'hall: &h {id: x, <<: *h}\n')], code: 3 },
    { name: 'an alias inside its own anchor, --json', args: [write('self-alias-json.yaml', 'a: &a [*a]\n'), '--json'], code: 3 },
    { name: 'a city config with a problem', args: [write('city.yaml', 'city: {}\n')], code: 3 },
    { name: 'a file that is not there', args: [join(dir, 'missing.yaml')], code: 1 },
    { name: 'a file that is not there, --json', args: [join(dir, 'missing.yaml'), '--json'], code: 1 },
    { name: 'a folder', args: [dir], code: 1 },
  ];

  it.each(cases)('$name: exit $code', async ({ args, code }) => {
    expect((await hallq('config', 'check', ...args)).code).toBe(code);
  });

  it('no file, a wrong subcommand, an unknown option: exit 2', async () => {
    expect((await hallq('config', 'check')).code).toBe(2);
    expect((await hallq('config', 'chek', join(dir, 'ok.yaml'))).code).toBe(2);
    expect((await hallq('config', 'check', join(dir, 'ok.yaml'), '--jsn')).code).toBe(2);
  });

  it('the README row names each of them', () => {
    const row = readmeRow();
    for (const code of new Set([...cases.map((c) => c.code), 2])) expect(row, `exit ${code}`).toMatch(new RegExp(`\\bexits? ${code}\\b`));
  });
});
