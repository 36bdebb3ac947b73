import { apply, emptyState, type HallEvent, type HallState } from '../core/index.js';
import { logHead } from '../bus/log-head.js';

/** How many of the latest applied events keep their identity: a status or catch-up a few seconds behind is still compared. */
const HEADS_KEPT = 4096;

/**
 * The agent's copy of the hall state, fed by the event stream. Events apply strictly in seq order:
 * a repeat (QoS 1 redelivery) is ignored, a gap is reported so the agent asks for what it missed.
 * The identities of the latest events applied are kept (src/bus/log-head.ts), so a server whose log
 * holds another history at the same seq (a backup restored, a database replaced) is told apart.
 */
export class Replica {
  #state: HallState = emptyState();
  /** seq → identity of the event applied there, the latest HEADS_KEPT; emptied whenever the state is replaced. */
  private readonly heads = new Map<number, string>();

  get state(): HallState {
    return this.#state;
  }

  /** The seq of the state last put in whole (0: none): events up to it have no identity noted here, and need none. */
  loadedSeq = 0;
  /** The latest time (epoch ms) of an event applied since then: a server status from after it, at a lower seq, is a server gone back. */
  latestAt = -Infinity;

  /** Replaces the state (a load, a rewind, a resync): the identities noted belong to the old one and go. */
  set state(state: HallState) {
    this.#state = state;
    this.heads.clear();
    this.loadedSeq = state.seq;
    this.latestAt = -Infinity;
  }

  get seq(): number {
    return this.#state.seq;
  }

  receive(e: HallEvent): 'applied' | 'duplicate' | 'gap' {
    if (e.seq <= this.#state.seq) return 'duplicate';
    if (e.seq !== this.#state.seq + 1) return 'gap';
    apply(this.#state, e);
    this.heads.set(e.seq, logHead(e));
    this.heads.delete(e.seq - HEADS_KEPT);
    if (e.at > this.latestAt) this.latestAt = e.at;
    return 'applied';
  }

  /** The identity of the event applied at `seq`, if it is among the latest applied since the state was last replaced. */
  headAt(seq: number): string | undefined {
    return this.heads.get(seq);
  }

  /**
   * Replaces the state with the server's (a replica starting from nothing); `force`: also one behind this one
   * (another history). `from`: the identity of its seq's event and the server's time when it was taken,
   * when the server named them, so the history checks work from the load on.
   */
  load(state: HallState, force = false, from?: { head?: string; at?: number }): void {
    if (!force && state.seq < this.#state.seq) return;
    this.state = state;
    if (from?.head !== undefined && state.seq > 0) this.heads.set(state.seq, from.head);
    if (from?.at !== undefined) this.latestAt = from.at;
  }
}
