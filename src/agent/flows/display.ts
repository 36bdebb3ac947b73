import type { Logger } from '../../../drivers/common/logger.js';
import type { Keypad } from '../../../drivers/keypad/driver.js';
import type { WindowScreen } from '../../../drivers/led-screen/window-screen.js';
import { windowView, windowsTouched, type HallEvent } from '../../core/index.js';
import type { AgentLink } from '../link.js';

/**
 * Server events become what the window screens and the keypads' displays show. Screens skip
 * unchanged content themselves (until told to forget it: their line came back, DeviceManager); the
 * called window's screen goes first on the bus (urgent). After a
 * catch-up every screen shows the present state once, without the urgent flash of a call. A keypad that
 * comes back online is shown its window's present count and ticket again.
 */
export function attachDisplays(link: AgentLink, screens: Map<number, WindowScreen>, keypads: Map<number, Keypad>, logger: Logger): () => void {
  const timers = new Set<NodeJS.Timeout>();
  /** `noticeTry`: an emergency notice (or its clearing) is written again after a failure, a few times, while it is still current. */
  const refresh = (window: number, urgent: boolean, noticeTry?: number) => {
    const v = windowView(link.replica.state, window);
    const emergency = link.replica.state.emergency;
    const screen = screens.get(window);
    screen
      ?.show({ window, paused: v.status === 'paused', ...(v.current ? { ticket: v.current.number } : {}), ...(emergency ? { notice: emergency.text } : {}) }, { urgent })
      .catch((e: unknown) => {
        logger.warn({ window, err: String(e) }, 'screen update failed');
        if (noticeTry === undefined || noticeTry >= NOTICE_TRIES || link.replica.state.emergency?.text !== emergency?.text) return;
        const t = setTimeout(() => {
          timers.delete(t);
          if (link.replica.state.emergency?.text === emergency?.text) refresh(window, true, noticeTry + 1);
        }, NOTICE_RETRY_MS);
        timers.add(t);
      });
    showOnKeypad(window, v);
  };
  const showOnKeypad = (window: number, v = windowView(link.replica.state, window)) => {
    keypads
      .get(window)
      ?.showTicket(v.waiting, v.current?.number)
      .catch((e: unknown) => logger.warn({ window, err: String(e) }, 'keypad display failed'));
  };
  // A keypad heard again after silence (its power or cable back) has a blank display: written again with
  // the present count and ticket, as a screen is at its redraw (the tryout: keypads blank until the next call).
  const offKeypads = [...keypads].map(([window, keypad]) => keypad.on((e) => e.type === 'online' && showOnKeypad(window)));
  /**
   * Refreshes that are not a call wait for the end of the turn: the events of one command arrive together,
   * and "next" at a busy window is ServiceCompleted then TicketCalled. Written at once, the finished
   * window's frame went on the wire first and the call waited out its wire time behind it (the tryout:
   * `1号窗口` on the screen just before `B055 请到1号窗口`); a call within SETTLE_MS replaces it (the
   * events of a group may come in more than one read of the socket).
   */
  const soon = new Map<number, NodeJS.Timeout>();
  const refreshSoon = (window: number) => {
    if (soon.has(window)) return;
    soon.set(
      window,
      setTimeout(() => {
        soon.delete(window);
        refresh(window, false);
      }, SETTLE_MS),
    );
  };
  let shownNotice = link.replica.state.emergency?.text;
  const all = () => {
    for (const w of new Set([...screens.keys(), ...keypads.keys()])) refresh(w, false);
  };
  const off = link.onEvent((e: HallEvent, d) => {
    // Replayed history is not shown step by step (nor flashed as urgent): the catch-up's end shows what is current.
    if (!d.live) return;
    // An emergency notice goes to every screen at once (DB22/T 2871.4 §11.6), and its clearing too;
    // compared with the replica's present state.
    const notice = link.replica.state.emergency?.text;
    if (notice !== shownNotice) {
      shownNotice = notice;
      for (const w of screens.keys()) refresh(w, true, 1);
      return;
    }
    // The called window first (urgent), then the others whose waiting count moved.
    const urgent = e.type === 'TicketCalled' || e.type === 'TicketRecalled' ? e.window : undefined;
    if (urgent !== undefined) {
      clearTimeout(soon.get(urgent));
      soon.delete(urgent);
      refresh(urgent, true);
    }
    for (const w of windowsTouched(link.replica.state, e)) if (w !== urgent && (screens.has(w) || keypads.has(w))) refreshSoon(w);
  });
  const offCaughtUp = link.onCaughtUp(() => {
    const notice = link.replica.state.emergency?.text;
    if (notice === shownNotice) return all();
    shownNotice = notice;
    for (const w of new Set([...screens.keys(), ...keypads.keys()])) refresh(w, false, 1);
  });
  all();
  return () => {
    off();
    for (const o of offKeypads) o();
    for (const t of timers) clearTimeout(t);
    timers.clear();
    for (const t of soon.values()) clearTimeout(t);
    soon.clear();
    offCaughtUp();
  };
}

/** How long a window's refresh that is not a call waits for a call of the same command (ms): far below a frame's wire time (~90 ms at 9600 baud). */
const SETTLE_MS = 5;

/** Writes of an emergency notice to one screen, and the pause between them (the bus already retried each). */
const NOTICE_TRIES = 5;
const NOTICE_RETRY_MS = 1000;
