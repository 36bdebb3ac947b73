import type { VoiceAnnouncer } from '../../../drivers/voice/announcer.js';
import type { AgentLink } from '../link.js';
import { own, type HallEvent } from '../../core/index.js';

export interface VoiceFlowOptions {
  /** Silence after an emergency notice before it is read again (default 5000 ms). */
  emergencyPauseMs?: number;
  /**
   * After a catch-up, a window's current call is spoken only if it was made at most this long ago, ms
   * (config `agent devices.voice.announceMissedWithinSeconds`, default 30 s). Older ones are history.
   */
  recentMs?: number;
  /** The hall's clock (epoch ms), to compare with an event's `at`. Default Date.now. */
  clock?: () => number;
}

export const DEFAULT_RECENT_CALL_MS = 30_000;

const isCall = (e: HallEvent): e is Extract<HallEvent, { type: 'TicketCalled' | 'TicketRecalled' }> => e.type === 'TicketCalled' || e.type === 'TicketRecalled';

/**
 * "请 A012 号 到 3 号窗口 办理" for every live call and recall, through the one queue so calls never overlap.
 * Replayed history is never spoken: after a catch-up (the link was away), only the call each window
 * has now is announced, once, and only when it is recent (`recentMs`); a call already finished, or
 * followed by another at the same window, stays silent.
 * An emergency notice (DB22/T 2871.4 §11.6) is read on repeat while it is in force: queued again
 * a pause after each reading ends, read from the replica's present state (so a restarted agent, or one
 * whose replica was loaded whole or resynced, picks it up, and a cleared or replaced notice is never read again).
 */
export function attachVoice(link: AgentLink, announcer: VoiceAnnouncer, opts: VoiceFlowOptions = {}): () => void {
  const pauseMs = opts.emergencyPauseMs ?? 5000;
  const recentMs = opts.recentMs ?? DEFAULT_RECENT_CALL_MS;
  const clock = opts.clock ?? Date.now;
  let pending: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const readNotice = () => {
    timer = undefined;
    const text = link.replica.state.emergency?.text;
    if (stopped || text === undefined || pending !== undefined) return;
    const r = announcer.notice(text, 1);
    if (r.queued) pending = r.seq;
  };
  const done = (e: { seq: number }) => {
    if (e.seq !== pending) return;
    pending = undefined;
    if (!stopped && link.replica.state.emergency !== undefined) timer ??= setTimeout(readNotice, pauseMs);
  };
  announcer.on('finished', done);
  announcer.on('failed', done);
  const offLive = link.onEvent((e, d) => {
    // The notice is read from the present state, so a replayed raise is as good as a live one.
    if (e.type === 'EmergencyRaised' && pending === undefined) {
      clearTimeout(timer);
      readNotice();
    }
    // Another agent's island calls replayed on the server's return were spoken then, not now.
    if (!d.live || d.islandReplay || !isCall(e)) return;
    const t = own(link.replica.state.tickets, e.ticketId);
    if (t) announcer.announce({ ticket: t.number, window: e.window });
  });
  const offCaughtUp = link.onCaughtUp((replayed) => {
    // The last call replayed at each window, if that ticket is still the window's current one and called.
    const last = new Map<number, Extract<HallEvent, { type: 'TicketCalled' | 'TicketRecalled' }>>();
    for (const e of replayed) if (isCall(e)) last.set(e.window, e);
    const state = link.replica.state;
    for (const [window, e] of last) {
      const w = own(state.windows, String(window));
      const t = own(state.tickets, e.ticketId);
      if (w?.current !== e.ticketId || t?.status !== 'called') continue;
      if (clock() - e.at > recentMs) continue;
      announcer.announce({ ticket: t.number, window });
    }
    // A state loaded whole (a start, a server on another history) brings a notice in force with no event of it.
    if (timer === undefined) readNotice();
  });
  // The same after a resync (the return from island mode, a rewind): the notice is the present state's.
  const offResync = link.onResync(() => {
    if (timer === undefined) readNotice();
  });
  readNotice();
  return () => {
    stopped = true;
    clearTimeout(timer);
    offLive();
    offCaughtUp();
    offResync();
    announcer.off('finished', done);
    announcer.off('failed', done);
  };
}
