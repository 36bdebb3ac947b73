import type { Logger } from '../../../drivers/common/logger.js';
import type { Keypad } from '../../../drivers/keypad/driver.js';
import type { WindowScreen } from '../../../drivers/led-screen/window-screen.js';
import { windowView, type HallEvent } from '../../core/index.js';
import type { AgentLink } from '../link.js';

/**
 * Server events become what the window screens and the keypads' displays show. Screens skip
 * unchanged content themselves; the called window's screen goes first on the bus (urgent).
 */
export function attachDisplays(link: AgentLink, screens: Map<number, WindowScreen>, keypads: Map<number, Keypad>, logger: Logger): () => void {
  const refresh = (window: number, urgent: boolean) => {
    const v = windowView(link.replica.state, window);
    const screen = screens.get(window);
    screen
      ?.show({ window, paused: v.status === 'paused', ...(v.current ? { ticket: v.current.number } : {}) }, { urgent })
      .catch((e: unknown) => logger.warn({ window, err: String(e) }, 'screen update failed'));
    keypads
      .get(window)
      ?.showTicket(v.waiting, v.current?.number)
      .catch((e: unknown) => logger.warn({ window, err: String(e) }, 'keypad display failed'));
  };
  const all = () => {
    for (const w of new Set([...screens.keys(), ...keypads.keys()])) refresh(w, false);
  };
  const off = link.onEvent((e: HallEvent) => {
    if (e.type === 'TicketCalled' || e.type === 'TicketRecalled') refresh(e.window, true);
    else if ('window' in e && typeof e.window === 'number') refresh(e.window, false);
    else if (e.type === 'TicketIssued' || e.type === 'TicketPrinted' || e.type === 'DayStarted' || e.type === 'HallConfigured' || e.type === 'TicketTransferred') all();
  });
  all();
  return off;
}
