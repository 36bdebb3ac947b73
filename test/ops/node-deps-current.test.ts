/**
 * scripts/node-deps-current.mjs, which scripts/ensure-node-deps.sh asks before running `npm ci`: by
 * the lock's contents, not its date (a clone whose node_modules was complete re-ran npm ci because
 * package-lock.json was newer). The script alone, on scratch folders: npm is never run here.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = resolve('scripts/node-deps-current.mjs');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function clone(lock: Record<string, unknown> | undefined, hidden: Record<string, unknown> | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-deps-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'node_modules'));
  if (hidden) writeFileSync(join(dir, 'node_modules/.package-lock.json'), JSON.stringify({ name: 'hallq', lockfileVersion: 3, packages: hidden }));
  if (lock) writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'hallq', lockfileVersion: 3, packages: lock }));
  return dir;
}

function check(dir: string): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => execFile(process.execPath, [script, dir], { encoding: 'utf8' }, (err, _out, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stderr })));
}

const root = { '': { name: 'hallq', version: '1.0.0', dependencies: { a: '^1.0.0' } } };
const a1 = { 'node_modules/a': { version: '1.0.0', resolved: 'https://r/a-1.0.0.tgz' } };
const linuxOnly = { 'node_modules/@x/darwin': { version: '2.0.0', optional: true, os: ['darwin'] } };

describe('node-deps-current', () => {
  it('a complete node_modules is current even when the lock file is newer (the old date test ran npm ci)', async () => {
    const dir = clone({ ...root, ...a1, ...linuxOnly }, { ...a1 });
    const past = new Date(Date.now() - 3600_000);
    utimesSync(join(dir, 'node_modules/.package-lock.json'), past, past);
    expect(await check(dir)).toEqual({ code: 0, stderr: '' });
  });

  it('a package at another version is not current', async () => {
    const r = await check(clone({ ...root, 'node_modules/a': { version: '1.1.0' } }, { ...a1 }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('node_modules/a is 1.0.0, the lock wants 1.1.0');
  });

  it('a package the lock has and node_modules has not is not current (unless optional)', async () => {
    const r = await check(clone({ ...root, ...a1, 'node_modules/b': { version: '3.0.0' } }, { ...a1 }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('node_modules/b is not installed');
  });

  it('no hidden lockfile (an install that did not finish) is not current', async () => {
    const r = await check(clone({ ...root, ...a1 }, undefined));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('node_modules/.package-lock.json is missing');
  });

  it("this clone's own node_modules is current", async () => {
    expect((await check('.')).code).toBe(0);
  });
});
