import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import type { VoiceAnnouncer } from '../../drivers/voice/announcer.js';
import { attachVoice } from '../../src/agent/flows/voice.js';
import { AgentLink } from '../../src/agent/link.js';
import { emptyState, epochOf, execute, type Command, type HallEvent, type HallState } from '../../src/core/index.js';
import { allDayHall } from '../helpers/all-day-hall.js';

/**
 * An emergency notice in force reaches the speaker when the agent's replica gets it whole, with no event
 * of it: a state loaded at a start or from a server on another history (a restored database), a resync.
 * Before, the notice was read only on its EmergencyRaised event, so such an agent stayed silent.
 */
const T0 = epochOf('2026-11-23', 600, 480);

function hallWithNotice(): HallState {
  const state = emptyState();
  const cmds: Record<string, unknown>[] = [
    { type: 'Configure', config: allDayHall('h', { zh: '大厅', en: 'Hall' }, 1), source: 'system' },
    { type: 'RaiseEmergency', preset: 'fire' },
  ];
  cmds.forEach((c, i) => execute(state, { ...c, id: `c${i}` } as Command, T0 + i));
  expect(state.emergency?.text).toBeTruthy();
  return state;
}

/** The announcer's notice queue as the flow uses it: what it was asked to read. */
function fakeAnnouncer() {
  const read: string[] = [];
  const a = Object.assign(new EventEmitter(), {
    notice: (text: string) => (read.push(text), { queued: true, seq: read.length }),
    announce: () => ({ queued: true, seq: 0 }),
  });
  return { announcer: a as unknown as VoiceAnnouncer, read };
}

describe('voice and a notice that came with a whole state', () => {
  it('reads it after a state load (caught up) and after a resync, once each until its reading ends', () => {
    const link = new AgentLink({ url: 'mqtt://127.0.0.1:1', hall: 'h', agentId: 'caller-1' }, silentLogger);
    const loaded = fakeAnnouncer();
    const off = attachVoice(link, loaded.announcer, { emergencyPauseMs: 60_000 });
    expect(loaded.read).toHaveLength(0);
    link.replica.load(hallWithNotice());
    // What catchUp's end does after a state load: the caught-up listeners, no event replayed.
    (link as unknown as { emitCaughtUp(replayed: HallEvent[]): void }).emitCaughtUp([]);
    expect(loaded.read).toHaveLength(1);
    // Still being read: a second whole state does not queue it twice.
    link.rewind(hallWithNotice());
    expect(loaded.read).toHaveLength(1);
    off();

    const resynced = fakeAnnouncer();
    const other = new AgentLink({ url: 'mqtt://127.0.0.1:1', hall: 'h', agentId: 'caller-2' }, silentLogger);
    const off2 = attachVoice(other, resynced.announcer, { emergencyPauseMs: 60_000 });
    other.rewind(hallWithNotice());
    expect(resynced.read).toHaveLength(1);
    off2();
  });
});
