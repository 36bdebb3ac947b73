// A tryout's case: an islanded kiosk whose own disk is full (its island file and print journal cannot be
// written) answered 500 "The system is busy, please try again" three times. Its own store failing is like
// the server's: 503 store-failing, the citizen sent to the desk, said once in the log until it works again.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import type { KioskFlow } from '../../src/agent/flows/kiosk.js';
import { buildKioskApp, CardSlot } from '../../src/agent/kiosk-http.js';
import type { AgentLink } from '../../src/agent/link.js';
import { emptyState } from '../../src/core/index.js';

describe("the kiosk's own store full", () => {
  it('answers 503 store-failing (to the desk), warns once, and issues again once it can write', async () => {
    // A real SQLite write refused for room: the database may not grow past its pages (SQLITE_FULL, as a full disk gives).
    const db = new Database(':memory:');
    db.exec('CREATE TABLE outbox (body TEXT)');
    db.pragma(`max_page_count = ${String(db.pragma('page_count', { simple: true }))}`);
    const insert = db.prepare('INSERT INTO outbox (body) VALUES (?)');
    let full = true;
    const flow = {
      canPrint: () => true,
      smsEnabled: () => false,
      smsAway: () => false,
      smsOnlyOffered: () => false,
      issue: () => {
        if (full) insert.run('x'.repeat(8192));
        return Promise.resolve({ ok: true as const, ticketId: 't1', number: 'A001', position: 1, windows: [1], printed: true });
      },
    } as unknown as KioskFlow;
    const link = { replica: { state: emptyState() }, onEvent: () => () => undefined } as unknown as AgentLink;
    const records: LogRecord[] = [];
    const app = await buildKioskApp(link, flow, new CardSlot(), { host: '127.0.0.1', port: 0, statusBaseUrl: 'http://hall.test' }, recordingLogger(records));
    await app.ready();
    try {
      for (let i = 0; i < 3; i++) {
        const res = await app.inject({ method: 'POST', url: '/kiosk/api/issue', payload: { serviceId: 'A' } });
        expect(res.statusCode).toBe(503);
        expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'store-failing', messageZh: '暂时无法取号，请咨询导办人员' } });
      }
      const warned = records.filter((r) => r.level === 'warn' && String(r.msg).includes('this kiosk cannot save to its own disk'));
      expect(warned).toHaveLength(1);
      expect(String(warned[0]?.msg)).toContain('the disk is full');
      expect(records.filter((r) => r.level === 'error')).toEqual([]);
      full = false;
      expect((await app.inject({ method: 'POST', url: '/kiosk/api/issue', payload: { serviceId: 'A' } })).statusCode).toBe(200);
    } finally {
      await app.close();
      db.close();
    }
  });
});
