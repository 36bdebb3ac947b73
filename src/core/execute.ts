import { apply } from './apply.js';
import type { Command } from './commands.js';
import { decide } from './decide.js';
import type { EventBody, HallEvent } from './events.js';
import { notificationsDue } from './notify.js';
import type { Outcome } from './outcome.js';
import type { HallState } from './state.js';
import { localTime } from './time.js';

export interface Executed {
  /** The events to append, in order, already applied to the state. Empty for a repeated command. */
  events: HallEvent[];
  outcome: Outcome;
  /** True when the command id was seen before: the first answer is returned and nothing changes. */
  duplicate: boolean;
}

/**
 * Runs one command: the day's rollover if the local day changed, the command's own events, then the
 * notices the new state owes. Applies them to `state` in place and returns them for the log.
 * Every command leaves at least one event carrying its outcome, so a replayed log remembers it.
 */
export function execute(state: HallState, cmd: Command, now: number): Executed {
  const seen = state.commands[cmd.id];
  if (seen) return { events: [], outcome: seen, duplicate: true };
  const out: HallEvent[] = [];
  const push = (body: EventBody, outcome?: Outcome) => {
    const e = { ...body, seq: state.seq + 1, at: now, commandId: cmd.id, ...(outcome ? { outcome } : {}) } as HallEvent;
    apply(state, e);
    out.push(e);
  };
  if (state.config) {
    const day = localTime(now, state.config.utcOffsetMinutes).day;
    if (day !== state.day) {
      const expired = Object.values(state.tickets)
        .filter((t) => t.status === 'issued' || t.status === 'waiting' || t.status === 'called' || t.status === 'serving')
        .map((t) => t.id);
      push({ type: 'DayStarted', day, expired });
    }
  }
  const decision = decide(state, cmd, now);
  const bodies: EventBody[] = decision.events.length > 0 ? decision.events : [{ type: decision.outcome.ok ? 'CommandNoop' : 'CommandRejected' }];
  bodies.forEach((b, i) => push(b, i === bodies.length - 1 ? decision.outcome : undefined));
  for (const n of notificationsDue(state, now)) push(n);
  return { events: out, outcome: decision.outcome, duplicate: false };
}

/** Rebuilds a state from events (the log, or the stream an agent receives). */
export function replayInto(state: HallState, events: Iterable<HallEvent>): HallState {
  for (const e of events) apply(state, e);
  return state;
}
