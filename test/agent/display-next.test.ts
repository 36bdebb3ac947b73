import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import type { WindowScreen } from '../../drivers/led-screen/window-screen.js';
import { AgentLink } from '../../src/agent/link.js';
import { attachDisplays } from '../../src/agent/flows/display.js';
import { emptyState, epochOf, execute, type Command } from '../../src/core/index.js';
import { allDayHall } from '../helpers/all-day-hall.js';

/**
 * The tryout: "next" at a busy window (ServiceCompleted, then TicketCalled, one command) wrote the finished
 * window's idle frame (`1号窗口`) to its screen before the call's (`B055 请到1号窗口`), so on the RS-485
 * line the call waited out one frame's wire time behind it. Now a window's refresh that is not a call waits
 * for the end of the turn, and a call in the same turn takes its place: one frame, urgent, the call's.
 */
class ScreenStandIn {
  readonly shown: { ticket?: string; urgent: boolean }[] = [];
  show(content: { ticket?: string }, opts: { urgent: boolean }): Promise<void> {
    this.shown.push({ ...(content.ticket === undefined ? {} : { ticket: content.ticket }), urgent: opts.urgent });
    return Promise.resolve();
  }
}

describe('a window screen at "next"', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shows the call alone, not the finished ticket's idle frame before it; a count change alone still shows", () => {
    vi.useFakeTimers();
    const NOW = epochOf('2026-11-23', 600, 480);
    const state = emptyState();
    const run = (cmd: Record<string, unknown>, at = NOW) => execute(state, cmd as unknown as Command, at).events;
    run({ id: 'cfg', type: 'Configure', config: allDayHall('h', { zh: '测试大厅', en: 'Test hall' }, 2) });
    run({ id: 'open', type: 'OpenWindow', window: 1, staffId: 's1' });
    for (let i = 0; i < 3; i++) run({ id: `issue-${i}`, type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
    run({ id: 'call', type: 'CallNext', window: 1 });
    const link = new AgentLink({ url: 'mqtt://127.0.0.1:1', hall: 'h', agentId: 'counter-1' }, silentLogger);
    link.rewind(structuredClone(state));
    const screen = new ScreenStandIn();
    const detach = attachDisplays(link, new Map([[1, screen as unknown as WindowScreen]]), new Map(), silentLogger);
    screen.shown.length = 0;
    const put = (events: unknown[]) => {
      for (const e of events) link.handleMessage('hallq/v1/h/events', Buffer.from(JSON.stringify(e)));
    };

    const next = run({ id: 'next', type: 'CallNext', window: 1 }, NOW + 60_000);
    expect(next.map((e) => e.type).slice(0, 2)).toEqual(['ServiceCompleted', 'TicketCalled']);
    // Its events in two reads of the socket, a moment apart: still one frame, the call's.
    put(next.slice(0, 1));
    vi.advanceTimersByTime(2);
    put(next.slice(1));
    vi.advanceTimersByTime(100);
    expect(screen.shown).toEqual([{ ticket: 'A002', urgent: true }]);

    // A new ticket changes only the waiting count: shown (not urgent) a moment later.
    put(run({ id: 'issue-x', type: 'IssueTicket', serviceId: 'A', delivery: 'none' }, NOW + 61_000));
    expect(screen.shown).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(screen.shown).toEqual([{ ticket: 'A002', urgent: true }, { ticket: 'A002', urgent: false }]);
    detach();
  });
});
