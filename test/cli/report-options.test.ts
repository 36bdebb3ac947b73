/**
 * issue 13, `hallq report` as a technician meets it: --by mistyped, --db and --config together, and a
 * database this user may read but not write (a 0444 copy, a read-only folder). The real CLI from this
 * tree's build (dist/); the read-only cases as another user when the tests run as root (root writes anything).
 */
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { hallConfigOf } from '../../src/config/hall-config.js';
import type { Command } from '../../src/core/index.js';
import { HallEngine } from '../../src/server/engine.js';
import { SCHEMA_VERSION } from '../../src/store/index.js';
import { runHallq, scratch } from '../helpers/cli.js';

const { dir } = scratch('report-options');
// Another user (below) must reach the files in it (mkdtemp makes it 0700).
chmodSync(dir, 0o755);
// Another user (below) must reach the files in it (mkdtemp makes it 0700).
chmodSync(dir, 0o755);
const days = ['--from', '2026-11-23', '--to', '2026-11-23'];

const now = Date.parse('2026-11-23T02:00:00Z'); // a Monday, 10:00 in the hall
const issue = (engine: HallEngine, n: number) => engine.handle({ id: `c${n}`, type: 'IssueTicket', serviceId: 'social', delivery: 'none' } as Command, now + n * 1000);

/** A hall database with two tickets issued on 2026-11-23, closed (no write-ahead log left beside it). */
function hallDatabase(path: string): void {
  const engine = HallEngine.open(path, hallConfigOf(loadConfigOrThrow('config/demo.yaml')), silentLogger, now);
  issue(engine, 1);
  issue(engine, 2);
  engine.close();
}
const totalIssued = (stdout: string): number => (JSON.parse(stdout) as { total: { issued: number } }).total.issued;

describe('report options', () => {
  it('--by mistyped: the values there are, and the close one', async () => {
    const r = await runHallq(['report', ...days, '--by', 'servce', '--db', join(dir, 'x.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: USAGE: report: --by must be one of service, window, staff, hour, day (not "servce"); did you mean service? (--by 应为以下之一："service"、"window"、"staff"、"hour"、"day"（而不是 "servce"），是不是要用 --by service？)');
  }, 60_000);

  it('--db and --config together: a usage error saying to give one', async () => {
    const r = await runHallq(['report', ...days, '--db', join(dir, 'x.db'), '--config', 'config/demo.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: USAGE: report takes the hall from --db FILE or from --config FILE (its server.database), not both: give one (--db 和 --config 只能写一个');
    expect(r.stderr).toContain('usage: hallq report');
  }, 60_000);
});

describe('a hall database this user may read but not write', () => {
  const other = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  /** Gives a path to the user the report runs as (when the tests run as root). */
  const own = (p: string) => {
    if (other.uid !== undefined) chownSync(p, other.uid, other.gid);
    return p;
  };
  const report = (db: string) => runHallq(['report', ...days, '--db', db, '--json'], other);
  const src = join(dir, 'closed', 'hall.db');
  const folder = (name: string) => {
    mkdirSync(join(dir, name));
    return own(join(dir, name));
  };
  const copyTo = (name: string) => {
    copyFileSync(src, join(dir, name, 'hall.db'));
    return own(join(dir, name, 'hall.db'));
  };

  beforeAll(() => {
    mkdirSync(join(dir, 'closed'));
    hallDatabase(src);
  });

  it('a 0444 copy, and a copy in a read-only folder: reported, and left as they were', async () => {
    folder('mine');
    const copy = copyTo('mine');
    chmodSync(copy, 0o444);
    folder('shut');
    const inShut = copyTo('shut');
    chmodSync(join(dir, 'shut'), 0o555);
    for (const db of [copy, inShut]) {
      const before = readFileSync(db);
      const mtime = statSync(db).mtimeMs;
      const r = await report(db);
      expect(r.stderr, db).toBe('');
      expect(r.code, db).toBe(0);
      expect(totalIssued(r.stdout), db).toBe(2);
      expect(readFileSync(db).equals(before), db).toBe(true);
      expect(statSync(db).mtimeMs, db).toBe(mtime);
      expect(existsSync(`${db}-wal`) || existsSync(`${db}-journal`), db).toBe(false);
    }
  }, 120_000);

  it('run as root (a technician with sudo): a 0444 copy and a copy in a 0555 folder are left as they were too', async () => {
    if (process.getuid?.() !== 0) return;
    mkdirSync(join(dir, 'root-mine'));
    const copy = join(dir, 'root-mine', 'hall.db');
    copyFileSync(src, copy);
    chmodSync(copy, 0o444);
    mkdirSync(join(dir, 'root-shut'));
    const inShut = join(dir, 'root-shut', 'hall.db');
    copyFileSync(src, inShut);
    chmodSync(join(dir, 'root-shut'), 0o555);
    for (const db of [copy, inShut]) {
      const before = readFileSync(db);
      const r = await runHallq(['report', ...days, '--db', db, '--json']);
      expect(r.code, db).toBe(0);
      expect(totalIssued(r.stdout), db).toBe(2);
      expect(readFileSync(db).equals(before), db).toBe(true);
      expect(existsSync(`${db}-wal`) || existsSync(`${db}-journal`), db).toBe(false);
    }
  }, 120_000);

  it('a live database in a read-only folder: what its write-ahead log holds is reported too', async () => {
    folder('live');
    const db = join(dir, 'live', 'hall.db');
    copyFileSync(src, db);
    own(db);
    const engine = HallEngine.open(db, hallConfigOf(loadConfigOrThrow('config/demo.yaml')), silentLogger, now);
    try {
      issue(engine, 3); // in the write-ahead log, not yet in the file
      expect(statSync(`${db}-wal`).size).toBeGreaterThan(0);
      for (const f of [`${db}-wal`, `${db}-shm`]) own(f);
      chmodSync(join(dir, 'live'), 0o555);
      const r = await report(db);
      expect(r.stderr).toBe('');
      expect(totalIssued(r.stdout)).toBe(3);
    } finally {
      engine.close();
      chmodSync(join(dir, 'live'), 0o755);
    }
  }, 120_000);

  it('a write-ahead log it cannot read without writing, and a newer hallq\'s database: said, with what to do', async () => {
    // A copy of a live database with its -wal but not its -shm, in a read-only folder: SQLite would have to make the -shm.
    folder('half');
    const db = join(dir, 'half', 'hall.db');
    copyFileSync(src, db);
    const wal = `${db}-wal`;
    writeFileSync(wal, Buffer.alloc(4096, 1));
    own(db);
    own(wal);
    chmodSync(join(dir, 'half'), 0o555);
    const r = await report(db);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: STORE_IO: cannot read the hall database ${db} for reports: its write-ahead log ${wal} holds changes not yet in the file (a server is running on it, or stopped without closing it), and SQLite cannot read them without writing ${db}-shm beside it, which this user may not.`);
    expect(r.stderr).toContain('copy both files to a folder this user may write and give --db the copy');
    expect(r.stderr).toContain(`(无法读取大厅数据库 ${db} 来生成报表：它的预写日志 ${wal} 里还有未写入文件的改动`);
    // A newer hallq's database (its schema version above this one's), read-only or not.
    folder('newer');
    const newer = copyTo('newer');
    const w = new Database(newer);
    w.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    w.close();
    chmodSync(newer, 0o444);
    for (const args of [other, {}]) {
      const n = await runHallq(['report', ...days, '--db', newer], args);
      expect(n.code).toBe(1);
      expect(n.stderr).toContain(`error: STORE_IO: ${newer} was written by a newer hallq (database schema version ${SCHEMA_VERSION + 1}; this hallq reads up to ${SCHEMA_VERSION}): upgrade hallq to read it (${newer} 由更新版本的 hallq 写入`);
    }
  }, 120_000);
});
