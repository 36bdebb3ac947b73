import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../drivers/common/logger.js';
import { ratingKeyPath } from '../../src/server/auth/rating-token.js';
import { statusKeyPath } from '../../src/server/auth/status-token.js';
import { loadOrCreateKey } from '../../src/server/sms/key-file.js';
import { httpRig } from '../http/rig.js';

/**
 * The ops tryout of the nineteenth session restored only hall.db (as the README then said a backup
 * needed): the server made new key files, logged at info, and every status link of the day answered
 * unknown-ticket. A key made for a database that has run a hall day is now a warning that says what
 * it breaks and to put the key file back; a fresh database's keys are an info line as before.
 */
describe('key files made for a database with history', () => {
  it('warns, naming what no longer opens; a fresh database only informs', async () => {
    const fresh = recordingLogger();
    const first = await httpRig({ logger: fresh });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${first.cliToken}` };
    const r = await first.app.inject({ method: 'POST', url: '/api/commands', headers, payload: { id: 'i1', type: 'IssueTicket', serviceId: 'social', delivery: 'none' } });
    expect(r.statusCode).toBe(200);
    await first.close();
    const made = (log: typeof fresh, level: string) => log.records.filter((x) => x.level === level && x.msg?.startsWith('generated the')).map((x) => x.msg);
    expect(made(fresh, 'warn')).toEqual([]);
    expect(made(fresh, 'info')).toEqual(expect.arrayContaining(['generated the status page key', 'generated the rating link key']));

    // The database restored without its key files.
    rmSync(statusKeyPath(first.db));
    rmSync(ratingKeyPath(first.db));
    const restored = recordingLogger();
    const second = await httpRig({ db: first.db, logger: restored });
    await second.close();
    expect(made(restored, 'warn')).toEqual([
      expect.stringContaining("generated the status page key for a database that has history: the status links and QR codes of today's tickets no longer open"),
      expect.stringContaining('generated the rating link key for a database that has history'),
    ]);
    expect(made(restored, 'info')).toEqual([]);
  });
});

describe('the SMS contact key made for a database with history', () => {
  it('warns that the stored numbers no longer open; made for a fresh one, it informs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-sms-key-'));
    const log = recordingLogger();
    loadOrCreateKey({ database: join(dir, 'fresh.db'), logger: log, history: false });
    loadOrCreateKey({ database: join(dir, 'restored.db'), logger: log, history: true });
    expect(log.records.map((r) => [r.level, r.msg])).toEqual([
      ['info', 'generated the SMS contact key (keep it with the database backups)'],
      ['warn', expect.stringContaining('generated the SMS contact key for a database that has history: the phone numbers it holds no longer open')],
    ]);
  });
});
