import type { VoiceAnnouncer } from '../../../drivers/voice/announcer.js';
import type { AgentLink } from '../link.js';
import { own } from '../../core/index.js';

/** "请 A012 号 到 3 号窗口 办理" for every call and recall, through the one queue so calls never overlap. */
export function attachVoice(link: AgentLink, announcer: VoiceAnnouncer): () => void {
  return link.onEvent((e, meta) => {
    if (e.type !== 'TicketCalled' && e.type !== 'TicketRecalled') return;
    // Another agent's island calls replayed on the server's return were spoken then, not now.
    if (meta.islandReplay) return;
    const t = own(link.replica.state.tickets, e.ticketId);
    if (t) announcer.announce({ ticket: t.number, window: e.window });
  });
}
