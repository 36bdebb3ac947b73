import type { VoiceAnnouncer } from '../../../drivers/voice/announcer.js';
import type { AgentLink } from '../link.js';
import { own, type HallEvent } from '../../core/index.js';

export interface VoiceFlowOptions {
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
 */
export function attachVoice(link: AgentLink, announcer: VoiceAnnouncer, opts: VoiceFlowOptions = {}): () => void {
  const recentMs = opts.recentMs ?? DEFAULT_RECENT_CALL_MS;
  const clock = opts.clock ?? Date.now;
  const offLive = link.onEvent((e, d) => {
    if (!d.live || !isCall(e)) return;
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
  });
  return () => {
    offLive();
    offCaughtUp();
  };
}
