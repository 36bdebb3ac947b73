import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { HallqError } from '../../drivers/common/error.js';
import type { Keypad, KeypadEvent } from '../../drivers/keypad/driver.js';
import { AgentLink } from '../../src/agent/link.js';
import { attachDisplays } from '../../src/agent/flows/display.js';
import { emptyState, epochOf, execute } from '../../src/core/index.js';
import { allDayHall } from '../helpers/all-day-hall.js';

/**
 * The tryout: the RS-485 line's keypads lost power and came back; the agent heard them again within 2 s,
 * but their displays (waiting count | ticket) stayed blank until the next call. A keypad that comes back
 * online is now shown its window's present count and ticket.
 */
class KeypadStandIn {
  readonly shown: { waiting: number; ticket?: string }[] = [];
  private listener: ((e: KeypadEvent) => void) | undefined;
  on(listener: (e: KeypadEvent) => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }
  emit(e: KeypadEvent): void {
    this.listener?.(e);
  }
  showTicket(waiting: number, ticket?: string): Promise<void> {
    this.shown.push({ waiting, ...(ticket === undefined ? {} : { ticket }) });
    return Promise.resolve();
  }
}

describe('keypad displays after the keypad comes back', () => {
  it('writes the present count and ticket again when a keypad is heard again, and not after detaching', () => {
    const NOW = epochOf('2026-11-23', 600, 480);
    const state = emptyState();
    const run = (cmd: Parameters<typeof execute>[1]) => execute(state, cmd, NOW);
    run({ id: 'cfg', type: 'Configure', config: allDayHall('h', { zh: '测试大厅', en: 'Test hall' }, 2) });
    run({ id: 'open', type: 'OpenWindow', window: 1, staffId: 's1' });
    for (let i = 0; i < 3; i++) run({ id: `issue-${i}`, type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
    run({ id: 'call', type: 'CallNext', window: 1 });
    const link = new AgentLink({ url: 'mqtt://127.0.0.1:1', hall: 'h', agentId: 'counter-1' }, silentLogger);
    link.rewind(state);
    const keypad = new KeypadStandIn();
    const detach = attachDisplays(link, new Map(), new Map([[1, keypad as unknown as Keypad]]), silentLogger);
    // Attached: the present view once.
    expect(keypad.shown).toEqual([{ waiting: 2, ticket: 'A001' }]);
    keypad.emit({ type: 'offline', error: new HallqError('DEVICE_TIMEOUT', 'no reply') });
    expect(keypad.shown).toHaveLength(1);
    keypad.emit({ type: 'online' });
    expect(keypad.shown).toEqual([{ waiting: 2, ticket: 'A001' }, { waiting: 2, ticket: 'A001' }]);
    detach();
    keypad.emit({ type: 'online' });
    expect(keypad.shown).toHaveLength(2);
  });
});
