import type { WindowView } from '../core/index.js';
import { Throttle } from '../bus/throttle.js';

/**
 * How often a window's retained view (`state/window/<n>`) may be sent when only its `waiting` count
 * changed, in ms. An issue or a call changes the count of every window that can call the service (in
 * the demo hall about four views a command, more messages than the events): a screen's "waiting N" a
 * quarter of a second late costs nobody, and the broker's work per command falls (issue 12,
 * docs/ARCHITECTURE.md "What a command costs").
 */
export const WAITING_ONLY_MS = 250;

/** The view without its waiting count: what the window's own screen and staff act on. */
function ownPart(view: WindowView): string {
  const { waiting: _waiting, ...rest } = view;
  return JSON.stringify(rest);
}

/**
 * Paces the retained window views. A view whose own part (status, staff, pause, current ticket)
 * changed is sent at once; one whose waiting count alone changed waits for the throttle (at most one
 * send of the due windows per `intervalMs`, always one after the last change), which sends each
 * due window's view as it is then (`send` reads the present state), never an older count.
 */
export class WindowViewPacer {
  private readonly sent = new Map<number, string>();
  private readonly due = new Set<number>();
  private readonly throttle: Throttle;

  /** `send(window, view?)` publishes the window's view: the one given, or the present one when none is. */
  constructor(
    private readonly send: (window: number, view?: WindowView) => void,
    intervalMs = WAITING_ONLY_MS,
  ) {
    this.throttle = new Throttle(() => this.sendDue(), intervalMs);
  }

  /** A window's view after a commit. */
  changed(view: WindowView): void {
    const own = ownPart(view);
    if (this.sent.get(view.window) === own) {
      this.due.add(view.window);
      this.throttle.request();
      return;
    }
    this.sent.set(view.window, own);
    this.due.delete(view.window);
    this.send(view.window, view);
  }

  /** Every view was just sent whole (a (re)connect): nothing is due. */
  sentAll(views: WindowView[]): void {
    this.due.clear();
    for (const v of views) this.sent.set(v.window, ownPart(v));
  }

  /** A window the config no longer has: nothing more is sent for it. */
  forget(window: number): void {
    this.sent.delete(window);
    this.due.delete(window);
  }

  /** Sends what is due now, not at the throttle's time (the server stopping). */
  flush(): void {
    this.throttle.cancel();
    this.sendDue();
  }

  private sendDue(): void {
    const windows = [...this.due];
    this.due.clear();
    for (const w of windows) this.send(w);
  }
}
