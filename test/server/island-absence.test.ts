import { statSync, mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingLogger, silentLogger } from '../../drivers/common/logger.js';
import { aliveFile } from '../../src/server/alive-file.js';
import { IslandReturn } from '../../src/server/island-return.js';

/**
 * The tryout of the nineteenth session's fixes: with the server restarted in two seconds, a kiosk's
 * password published "island, leader" retained while it was down, another agent dead, and had that
 * agent's window call a ticket after the restart. A leader's word found retained counts only when the
 * server had been away at least island.afterSeconds (no island forms in less): from the database's
 * alive mark at a start, from the link's drop at a reconnect (src/server/mqtt-server.ts).
 */
describe("a leader's word found retained, and how long the server was away", () => {
  const status = (ret: IslandReturn, agent: string, body: unknown, absentMs?: number) => ret.agentStatus(`hallq/v1/h/agent/${agent}/status`, Buffer.from(JSON.stringify(body)), absentMs);

  it('lets the leader stand in for a dead agent only after an absence of at least afterSeconds', () => {
    for (const [absentMs, ok] of [
      [1_500, false],
      [19_999, false],
      [20_000, true],
      [Infinity, true],
      [undefined, false],
    ] as const) {
      const ret = new IslandReturn(null as never, null as never, () => 1_000, silentLogger, 20_000);
      status(ret, 'counter-1', { online: false });
      status(ret, 'kiosk-1', { online: true, island: 'island', role: 'leader', acting: 'kiosk-1' }, absentMs);
      expect([absentMs, ret.witness.check('kiosk-1', 'counter-1').ok]).toEqual([absentMs, ok]);
    }
  });

  it("the alive mark: unknown at a first start, then the time the last run marked (touched every second)", () => {
    const db = join(mkdtempSync(join(tmpdir(), 'hallq-alive-')), 'hall.db');
    const first = aliveFile(db, recordingLogger());
    expect(first.lastAliveAt).toBeUndefined();
    first.stop();
    const marked = statSync(`${db}.alive`);
    expect(marked.mode & 0o777).toBe(0o600);
    // The last run ended 90 s ago.
    const then = new Date(Date.now() - 90_000);
    utimesSync(`${db}.alive`, then, then);
    const second = aliveFile(db, recordingLogger());
    second.stop();
    expect(Math.abs((second.lastAliveAt ?? 0) - then.getTime())).toBeLessThan(1000);
    expect(statSync(`${db}.alive`).mtimeMs).toBeGreaterThan(then.getTime() + 60_000);
  });
});
