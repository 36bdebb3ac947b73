/**
 * issue 13, `hallq report` as a technician meets it: --by mistyped, --db and --config together, and a
 * database this user may read but not write (a 0444 copy, a read-only folder). The real CLI from this
 * tree's build (dist/); the read-only cases as another user when the tests run as root (root writes anything).
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHallq, scratch } from '../helpers/cli.js';

const { dir } = scratch('report-options');
// Another user (below) must reach the files in it (mkdtemp makes it 0700).
chmodSync(dir, 0o755);
// Another user (below) must reach the files in it (mkdtemp makes it 0700).
chmodSync(dir, 0o755);
const days = ['--from', '2026-11-23', '--to', '2026-11-23'];

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
