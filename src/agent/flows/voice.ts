import type { VoiceAnnouncer } from '../../../drivers/voice/announcer.js';
import type { AgentLink } from '../link.js';
import { own } from '../../core/index.js';

export interface VoiceFlowOptions {
  /** Silence after an emergency notice before it is read again (default 5000 ms). */
  emergencyPauseMs?: number;
}

/**
 * "请 A012 号 到 3 号窗口 办理" for every call and recall, through the one queue so calls never overlap.
 * An emergency notice (DB22/T 2871.4 §11.6) is read on repeat while it is in force: queued again
 * a pause after each reading ends, read from the replica's present state (so a restarted agent
 * picks it up, and a cleared or replaced notice is never read again).
 */
export function attachVoice(link: AgentLink, announcer: VoiceAnnouncer, opts: VoiceFlowOptions = {}): () => void {
  const pauseMs = opts.emergencyPauseMs ?? 5000;
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
  const off = link.onEvent((e) => {
    if (e.type === 'EmergencyRaised' && pending === undefined) {
      clearTimeout(timer);
      readNotice();
    }
    if (e.type !== 'TicketCalled' && e.type !== 'TicketRecalled') return;
    const t = own(link.replica.state.tickets, e.ticketId);
    if (t) announcer.announce({ ticket: t.number, window: e.window });
  });
  readNotice();
  return () => {
    stopped = true;
    clearTimeout(timer);
    off();
    announcer.off('finished', done);
    announcer.off('failed', done);
  };
}
