import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessHall } from './daemon-process.js';

/**
 * Another SQLite client on the live hall database (a technician's `sqlite3 hall.db "select …"`, a backup
 * tool) must not take the server's write-ahead log away (issue 12's tryout: it did, because the server
 * opened and closed a descriptor of hall.db after its log was open, which drops every POSIX lock the
 * process holds on the file, SQLite's included; the client then believed it was the last connection,
 * checkpointed and deleted the -wal under the server, whose acknowledged commits went to a deleted file
 * and were gone after a kill -9). A real server process, a second process reading, a SIGKILL.
 */
describe('a second SQLite client on the live database', () => {
  let hall: ProcessHall | undefined;
  afterAll(async () => {
    await hall?.close();
  });

  it('leaves the server its log: every ticket acknowledged after the read survives a kill -9', async () => {
    const h = (hall = await ProcessHall.open('wal-reader'));
    const db = join(h.dir, 'hall.db');
    await h.startServer();
    const issue = async (tag: string) => {
      const res = await h.command({ id: `wal-${tag}`, type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { outcome: { ok: boolean; ticketId?: string } };
      expect(body.outcome.ok).toBe(true);
      return body.outcome.ticketId!;
    };
    const before = [await issue('1'), await issue('2')];
    // A technician's look with Debian's sqlite3 shell: it closes as the last connection when it can lock the
    // file exclusively (when it believes nobody else has it open), and then checkpoints and deletes the log.
    const reader = spawnSync('sqlite3', [db, 'SELECT max(seq) FROM events'], { encoding: 'utf8' });
    expect(reader.status, reader.stderr).toBe(0);
    expect(Number(reader.stdout.trim())).toBeGreaterThan(0);
    expect(existsSync(`${db}-wal`)).toBe(true);
    const after = [await issue('3'), await issue('4'), await issue('5')];
    const seq = (await h.state()).seq;

    await h.restartServer();
    const state = await h.state();
    expect(state.seq).toBeGreaterThanOrEqual(seq);
    for (const id of [...before, ...after]) expect(state.tickets[id]?.status, id).toBeDefined();
  }, 120_000);
});
