import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { queueView, type HallConfig } from '../../src/core/index.js';
import { HallEngine } from '../../src/server/engine.js';
import { hallConfig, monday } from '../core/fixtures.js';

/**
 * A service taken out of the config while its tickets wait (the tryout of the fifteenth session: 276
 * pickup tickets left waiting, never callable, nothing said): the server warns at its start with the
 * service and the count, and says nothing once every waiting ticket has a window again.
 */
const root = mkdtempSync(join(tmpdir(), 'hallq-uncallable-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const warned = (records: LogRecord[]) => records.filter((r) => r.level === 'warn' && /no window of the config can call/.test(r.msg ?? '')).map((r) => r.obj);

describe('waiting tickets no window can call', () => {
  it('are warned about at the start, by service and count, after their service left the config', async () => {
    const path = join(root, 'hall.db');
    const full = hallConfig();
    const engine = HallEngine.open(path, full, recordingLogger([]), monday('09:00'));
    for (const [i, serviceId] of ['A', 'B', 'B'].entries()) {
      const r = engine.handle({ id: `i${i}`, type: 'IssueTicket', serviceId, delivery: 'none' }, monday('09:01'));
      expect(r.outcome.ok).toBe(true);
    }
    engine.close();
    await engine.whenClosed();

    // B out of the config: its two waiting tickets have no window.
    const withoutB: HallConfig = { ...full, services: full.services.filter((s) => s.id !== 'B'), windows: full.windows.map((w) => ({ ...w, tiers: w.tiers.map((t) => t.filter((s) => s !== 'B')).filter((t) => t.length > 0) })) };
    const records: LogRecord[] = [];
    const again = HallEngine.open(path, withoutB, recordingLogger(records), monday('09:05'));
    expect(warned(records)).toEqual([{ services: { B: 2 }, count: 2 }]);
    // Not hidden from the hall's view (`hallq queue`, /api/queue, the retained queue state): the ops tryout
    // of the nineteenth session found them gone from it while they still waited.
    expect(queueView(again.state).services['B']).toEqual({ waiting: 2, issued: 2, served: 0, outOfConfig: true });
    expect(queueView(again.state).services['A']).toEqual({ waiting: 1, issued: 1, served: 0 });
    again.close();
    await again.whenClosed();

    // Given back: nothing to say.
    const none: LogRecord[] = [];
    const back = HallEngine.open(path, full, recordingLogger(none), monday('09:06'));
    expect(warned(none)).toEqual([]);
    back.close();
    await back.whenClosed();
  });
});
