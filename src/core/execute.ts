import { apply } from './apply.js';
import type { Command } from './commands.js';
import { decide } from './decide.js';
import type { EventBody, HallEvent } from './events.js';
import { notificationsDue } from './notify.js';
import type { Outcome } from './outcome.js';
import type { RejectionCode } from './rejections.js';
import type { HallState } from './state.js';
import { localTime } from './time.js';
import { own } from './own.js';

export interface Executed {
  /** The events to append, in order, already applied to the state. Empty for a repeated command. */
  events: HallEvent[];
  outcome: Outcome;
  /** True when the command id was seen before: the first answer is returned and nothing changes. */
  duplicate: boolean;
  /**
   * False for a refusal about something the hall does not know (unforgottenRefusal): nothing was
   * applied, there are no events, and the caller should not store the outcome either.
   */
  recorded: boolean;
}

/**
 * Refusals that name an id the hall does not know (or a command it cannot read). They change nothing
 * and are not worth an event: recording them would let any client grow the durable log without bound
 * by sending commands about made-up tickets, windows or services.
 */
export const unrecordedRefusals: ReadonlySet<RejectionCode> = new Set<RejectionCode>([
  'not-configured',
  'invalid-command',
  'unknown-service',
  'unknown-ticket',
  'unknown-window',
  'unknown-staff',
  'unknown-appointment',
  'unknown-rating',
  // Another agent's word on a print it did not make changes nothing; recorded, it would let one agent grow the log.
  'print-other-kiosk',
  // Numbers given back that the kiosk does not hold free (made up, or another kiosk's): recorded, any kiosk could grow the log.
  'numbers-not-held',
]);

/**
 * Runs one command: the day's rollover if the local day moved forward, the command's own events, then the
 * notices the new state owes. Applies them to `state` in place and returns them for the log.
 * Every command leaves at least one event carrying its outcome, so a replayed log remembers it,
 * except a refusal in unrecordedRefusals and a Tick with nothing due, which leave nothing at all.
 */
export function execute(state: HallState, cmd: Command, now: number): Executed {
  const seen = own(state.commands, cmd.id);
  if (seen) return { events: [], outcome: seen, duplicate: true, recorded: true };
  const out: HallEvent[] = [];
  const push = (body: EventBody, outcome?: Outcome) => {
    const e = { ...body, seq: state.seq + 1, at: now, commandId: cmd.id, ...(outcome ? { outcome } : {}) } as HallEvent;
    apply(state, e);
    out.push(e);
  };
  const day = state.config ? localTime(now, state.config.utcOffsetMinutes).day : state.day;
  // The day only moves forward ('YYYY-MM-DD' sorts as dates; '' before the first): a clock or utcOffset
  // stepped back over midnight keeps the hall in its day, so no number of it is issued twice (the tryout:
  // a day started again expired every waiting ticket, then reissued A001 under the same ticket id).
  const newDay = state.config !== null && day > state.day;
  // Decided before anything is applied (unless the day rolls over first), so an unrecorded refusal
  // leaves the state as it was.
  const early = newDay ? undefined : decide(state, cmd, now);
  if (early && !early.outcome.ok && unrecordedRefusals.has(early.outcome.code)) return { events: [], outcome: early.outcome, duplicate: false, recorded: false };
  // A clock tick with nothing due (no new day, no print timed out, no notice owed) changes nothing: recorded,
  // an idle hall would write and send every agent an event every tick (2,880 a day at 30 s).
  if (cmd.type === 'Tick' && early?.outcome.ok && early.events.length === 0 && notificationsDue(state, now).length === 0) return { events: [], outcome: early.outcome, duplicate: false, recorded: false };
  if (newDay) {
    const expired = Object.values(state.tickets)
      .filter((t) => t.status === 'issued' || t.status === 'waiting' || t.status === 'called' || t.status === 'serving')
      .map((t) => t.id);
    push({ type: 'DayStarted', day, expired });
  }
  const decision = early ?? decide(state, cmd, now);
  const bodies: EventBody[] = decision.events.length > 0 ? decision.events : [{ type: decision.outcome.ok ? 'CommandNoop' : 'CommandRejected' }];
  bodies.forEach((b, i) => push(b, i === bodies.length - 1 ? decision.outcome : undefined));
  for (const n of notificationsDue(state, now)) push(n);
  return { events: out, outcome: decision.outcome, duplicate: false, recorded: true };
}

/** Rebuilds a state from events (the log, or the stream an agent receives). */
export function replayInto(state: HallState, events: Iterable<HallEvent>): HallState {
  for (const e of events) apply(state, e);
  return state;
}
