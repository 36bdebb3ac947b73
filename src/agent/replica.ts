import { apply, emptyState, type HallEvent, type HallState } from '../core/index.js';

/**
 * The agent's copy of the hall state, fed by the event stream. Events apply strictly in seq order:
 * a repeat (QoS 1 redelivery) is ignored, a gap is reported so the agent asks for what it missed.
 */
export class Replica {
  state: HallState = emptyState();

  get seq(): number {
    return this.state.seq;
  }

  receive(e: HallEvent): 'applied' | 'duplicate' | 'gap' {
    if (e.seq <= this.state.seq) return 'duplicate';
    if (e.seq !== this.state.seq + 1) return 'gap';
    apply(this.state, e);
    return 'applied';
  }

  /** Replaces the state with the server's (a replica starting from nothing). */
  load(state: HallState): void {
    if (state.seq >= this.state.seq) this.state = state;
  }
}
