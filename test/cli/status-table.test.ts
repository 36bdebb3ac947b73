/**
 * `hallq status`'s window table (tryout: a long pause reason in the status column widened every line).
 * The reason goes last, cut at 40 display columns; the other columns keep their width whatever it is.
 */
import { describe, expect, it } from 'vitest';
import { windowsTable } from '../../src/cli/client.js';

const win = (window: number, status: 'open' | 'paused' | 'closed', pauseReason?: string) => ({ window, status, staffId: `s0${window}`, current: undefined, waiting: 3, ...(pauseReason === undefined ? {} : { pauseReason }) });

describe('hallq status, the windows table', () => {
  it('puts a pause reason last and cut, so the status column stays as wide as the word', () => {
    const long = '系统升级维护中，请到隔壁窗口办理，给您带来不便敬请谅解，谢谢配合与支持';
    const text = windowsTable([win(1, 'open'), win(2, 'paused', long), win(3, 'paused', '午休')]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^window\s+status\s+staff\s+current\s+waiting\s+reason$/);
    // The staff column starts at the same place on every line: the status column is "paused" wide, not the reason's.
    const staffAt = (l: string) => l.search(/s0\d/);
    const at = lines.slice(-3).map(staffAt);
    expect(new Set(at).size).toBe(1);
    expect(at[0]).toBeLessThan(20);
    const cutLine = lines.find((l) => l.includes('系统升级'));
    expect(cutLine).toMatch(/…$/);
    expect(cutLine).not.toContain('谢谢配合');
    expect(lines.find((l) => l.includes('午休'))).toMatch(/午休$/);
  });

  it('has no reason column when no window has one, and keeps a reason that fits whole', () => {
    expect(windowsTable([win(1, 'open'), win(2, 'closed')]).split('\n')[0]).toMatch(/^window\s+status\s+staff\s+current\s+waiting$/);
    const exact = 'x'.repeat(40);
    expect(windowsTable([win(1, 'paused', exact)])).toContain(exact);
    expect(windowsTable([win(1, 'paused', 'x'.repeat(41))])).toContain(`${'x'.repeat(39)}…`);
  });
});
