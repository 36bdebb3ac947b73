/**
 * Command lines and files the CLI must refuse clearly instead of guessing, hanging or writing where it
 * should not. The real CLI from this tree's build (dist/).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runHallq, type CliResult } from '../helpers/cli.js';


const hallq = (args: string[], opts: { uid?: number; gid?: number } = {}): Promise<CliResult> => runHallq(args, opts);

const dir = mkdtempSync(join(tmpdir(), 'hallq-refusals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the CLI refuses what it cannot do, clearly', () => {
  it('--server that is not a URL is a usage error naming --server', async () => {
    const r = await hallq(['status', '--server', 'notaurl']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--server is the server\'s address');
    expect(r.stderr).toContain('notaurl');
    expect(r.stderr).not.toContain('Failed to parse URL');
  }, 60_000);

  it('an argument a command does not take is a usage error, not ignored', async () => {
    const r = await hallq(['issue', 'social', 'extra', '--server', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hallq issue takes no argument "extra"');
    const s = await hallq(['status', 'now', '--server', 'http://127.0.0.1:9']);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('hallq status takes no argument "now"');
  }, 60_000);

  it('call 0 is a usage error like call abc (there is no window 0)', async () => {
    const r = await hallq(['call', '0', '--server', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the window is its number, 1 or more, e.g. hallq call 3 (not "0")');
  }, 60_000);

  it('simulate --windows 4-1 (a range that runs backwards) is refused', async () => {
    const r = await hallq(['simulate', 'config/demo.yaml', '--windows', '4-1', '--days', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--windows: the range 4-1 runs backwards');
  }, 60_000);

  it('staff without --config says so once, without a doubled prefix', async () => {
    const r = await hallq(['staff', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('staff needs the hall config');
    expect(r.stderr).not.toContain('staff: staff:');
  }, 60_000);

  it('a config this user may not read is reported as unreadable, not as missing', async () => {
    const file = join(dir, 'secret.yaml');
    writeFileSync(file, 'hall: {}\n');
    chmodSync(file, 0o600);
    // As root the mode is no obstacle: run the CLI as nobody (who can read this tree but not the file).
    const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    if (process.getuid?.() !== 0) chmodSync(file, 0o000);
    const r = await hallq(['config', 'check', file], asOther);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`CONFIG_UNREADABLE: config ${file} is not readable by this user (permission denied, EACCES)`);
    expect(r.stderr).not.toContain('CONFIG_NOT_FOUND');
  }, 60_000);

  it('report --db on a file that is not a hall database refuses it and leaves it byte for byte', async () => {
    const empty = join(dir, 'empty.yaml');
    writeFileSync(empty, '');
    const yaml = join(dir, 'hall.yaml');
    writeFileSync(yaml, 'hall: { id: x }\n');
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE notes (t TEXT)');
    db.close();
    for (const file of [empty, yaml, other]) {
      const before = readFileSync(file);
      const r = await hallq(['report', '--db', file, '--from', '2026-11-01', '--to', '2026-11-30']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${file} is not a hall database`);
      expect(r.stderr).not.toContain('no such table');
      expect(readFileSync(file).equals(before)).toBe(true);
    }
  }, 120_000);

  it('broker --out a directory that cannot be made fails at once, naming --out', async () => {
    const r = await hallq(['broker', '--config', 'config/demo.yaml', '--out', '/proc/nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--out: cannot create /proc/nope');
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const under = await hallq(['broker', '--config', 'config/demo.yaml', '--out', join(file, 'sub')]);
    expect(under.code).toBe(1);
    expect(under.stderr).toContain(`--out: ${file} is not a directory`);
  }, 60_000);
});
