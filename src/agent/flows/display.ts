import type { Logger } from '../../../drivers/common/logger.js';
import type { Keypad } from '../../../drivers/keypad/driver.js';
import type { WindowScreen } from '../../../drivers/led-screen/window-screen.js';
import { windowView, windowsTouched, type HallEvent } from '../../core/index.js';
import type { AgentLink } from '../link.js';

/**
 * Server events become what the window screens and the keypads' displays show. Screens skip
 * unchanged content themselves; the called window's screen goes first on the bus (urgent). After a
 * catch-up every screen shows the present state once, without the urgent flash of a call.
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
  const off = link.onEvent((e: HallEvent, d) => {
    // Replayed history is not shown step by step (nor flashed as urgent): the catch-up's end shows what is current.
    if (!d.live) return;
    // The called window first (urgent), then the others whose waiting count moved.
    const urgent = e.type === 'TicketCalled' || e.type === 'TicketRecalled' ? e.window : undefined;
    if (urgent !== undefined) refresh(urgent, true);
    for (const w of windowsTouched(link.replica.state, e)) if (w !== urgent && (screens.has(w) || keypads.has(w))) refresh(w, false);
  });
  const offCaughtUp = link.onCaughtUp(() => all());
  all();
  return () => {
    off();
    offCaughtUp();
  };
}
