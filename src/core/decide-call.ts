import type { CommandOf } from './commands.js';
import { accept, reject, rejectOwn, ticketStands, type Decision } from './decision.js';
import { callReason, windowSequence, type SequenceEntry } from './dispatcher.js';
import type { EventBody } from './events.js';
import { canServe, poolOf, serviceOf, windowDefOf } from './hall.js';
import type { HallConfig, WindowDef } from './model.js';
import type { HallState, Ticket, WindowState } from './state.js';
import { own } from './own.js';

/** Calls and the service that follows them, at one window. */

type Found = { def: WindowDef; win: WindowState } | Decision;

function openWindow(state: HallState, config: HallConfig, id: number): Found {
  const def = windowDefOf(config, id);
  const win = own(state.windows, String(id));
  if (!def || !win) return reject('unknown-window', String(id));
  if (win.status === 'closed') return reject('window-closed');
  if (win.status === 'paused') return reject('window-paused');
  return { def, win };
}

function currentTicket(state: HallState, win: WindowState): Ticket | undefined {
  const t = win.current === undefined ? undefined : own(state.tickets, win.current);
  return t && (t.status === 'called' || t.status === 'serving') ? t : undefined;
}

/** The id of the ticket window `id` is on (called or being served), as its screen and keypad show it; null when none. */
export function ticketAtWindow(state: HallState, id: number): string | null {
  const win = own(state.windows, String(id));
  return (win && currentTicket(state, win)?.id) ?? null;
}

/** Ending the current citizen's service implicitly (call-next, pause and close do it; keypads have no "done" key). */
export function finishCurrent(state: HallState, win: WindowState, now: number): EventBody[] {
  const t = currentTicket(state, win);
  if (!t) return [];
  return [{ type: 'ServiceCompleted', ticketId: t.id, window: win.id, durationMs: Math.max(0, now - (t.startedAt ?? t.calledAt ?? now)) }];
}

function callEvent(state: HallState, def: WindowDef, win: WindowState, entry: SequenceEntry, reason: ReturnType<typeof callReason>): EventBody {
  const interleave = entry.step === 'priority' || entry.step === 'normal' ? entry.step : undefined;
  return {
    type: 'TicketCalled',
    ticketId: entry.ticket.id,
    window: def.id,
    reason,
    pool: poolOf(def),
    ...(interleave ? { interleave } : {}),
    ...(win.staffId === undefined ? {} : { staffId: win.staffId }),
  };
}

export function decideCallNext(state: HallState, config: HallConfig, cmd: CommandOf<'CallNext'>, now: number): Decision {
  const found = openWindow(state, config, cmd.window);
  if ('outcome' in found) return found;
  const { def, win } = found;
  // A press meant for the ticket the window was on then: once it has moved on, finishing whatever it is on
  // now would send a citizen away unserved (a second press made while the first went unanswered).
  if (cmd.after !== undefined && (currentTicket(state, win)?.id ?? null) !== cmd.after) return reject('window-moved-on');
  const events = finishCurrent(state, win, now);
  const [entry] = windowSequence(state, def, now, 1);
  if (!entry) return accept(events, undefined, 'queue-empty');
  events.push(callEvent(state, def, win, entry, callReason(state, def, entry)));
  return accept(events, entry.ticket.id);
}

/** Staff pick a particular waiting ticket (call back a re-queued one, serve a transfer). */
export function decideCallTicket(state: HallState, config: HallConfig, cmd: CommandOf<'CallTicket'>, now: number): Decision {
  const found = openWindow(state, config, cmd.window);
  if ('outcome' in found) return found;
  const { def, win } = found;
  const t = own(state.tickets, cmd.ticketId);
  if (!t) return reject('unknown-ticket', cmd.ticketId);
  if (t.status !== 'waiting' || !canServe(def, t)) return rejectOwn('bad-ticket-state', ticketStands(t));
  const events = finishCurrent(state, win, now);
  const entry = windowSequence(state, def, now).find((e) => e.ticket.id === t.id);
  const reason = entry && callReason(state, def, entry) === null ? null : 'manual';
  events.push({ type: 'TicketCalled', ticketId: t.id, window: def.id, reason, pool: poolOf(def), ...(win.staffId === undefined ? {} : { staffId: win.staffId }) });
  return accept(events, t.id);
}

export function decideRecall(state: HallState, config: HallConfig, cmd: CommandOf<'Recall'>): Decision {
  const found = openWindow(state, config, cmd.window);
  if ('outcome' in found) return found;
  const t = currentTicket(state, found.win);
  if (!t || t.status !== 'called') return reject('no-current-ticket');
  if (t.recalls >= config.policy.recallLimit) return reject('recall-limit');
  return accept([{ type: 'TicketRecalled', ticketId: t.id, window: cmd.window, count: t.recalls + 1 }], t.id);
}

export function decideStart(state: HallState, config: HallConfig, cmd: CommandOf<'StartService'>): Decision {
  const found = openWindow(state, config, cmd.window);
  if ('outcome' in found) return found;
  const t = currentTicket(state, found.win);
  if (!t) return reject('no-current-ticket');
  if (t.status === 'serving') return accept([], t.id);
  return accept([{ type: 'ServiceStarted', ticketId: t.id, window: cmd.window }], t.id);
}

export function decideComplete(state: HallState, config: HallConfig, cmd: CommandOf<'Complete'>, now: number): Decision {
  const found = openWindow(state, config, cmd.window);
  if ('outcome' in found) return found;
  const t = currentTicket(state, found.win);
  if (!t) return reject('no-current-ticket');
  return accept(finishCurrent(state, found.win, now), t.id);
}

/** A no-show is re-queued behind `requeueAfter` waiting tickets of its service, at most `maxRequeues` times. */
export function decideNoShow(state: HallState, config: HallConfig, cmd: CommandOf<'NoShow'>): Decision {
  const found = openWindow(state, config, cmd.window);
  if ('outcome' in found) return found;
  const t = currentTicket(state, found.win);
  if (!t || t.status !== 'called') return reject('no-current-ticket');
  const { requeueAfter, maxRequeues } = config.policy.noShow;
  if (requeueAfter === null || t.noShows >= maxRequeues) {
    return accept([{ type: 'TicketNoShow', ticketId: t.id, window: cmd.window, requeued: false }], t.id);
  }
  const ahead = Object.values(state.tickets)
    .filter((x) => x.status === 'waiting' && x.serviceId === t.serviceId && x.class === t.class)
    .map((x) => x.queueKey)
    .sort((a, b) => a - b);
  // The key is placed among its own service and class, but keys order the whole queue: one equal to
  // another ticket's (of another class) would leave their order to chance, so move up into a free gap.
  const taken = Object.values(state.tickets)
    .filter((x) => x.status === 'waiting')
    .map((x) => x.queueKey)
    .sort((a, b) => a - b);
  let queueKey = requeueKeyAfter(ahead, requeueAfter, state.nextQueueKey);
  while (taken.includes(queueKey)) queueKey = (queueKey + (taken.find((k) => k > queueKey) ?? state.nextQueueKey)) / 2;
  return accept([{ type: 'TicketNoShow', ticketId: t.id, window: cmd.window, requeued: true, queueKey }], t.id);
}

/** A transfer keeps the ticket's class and queue key, so it goes ahead of later arrivals at its new service. */
export function decideTransfer(state: HallState, config: HallConfig, cmd: CommandOf<'Transfer'>, now: number): Decision {
  const found = openWindow(state, config, cmd.window);
  if ('outcome' in found) return found;
  const t = currentTicket(state, found.win);
  if (!t) return reject('no-current-ticket');
  if (!serviceOf(config, cmd.toService)) return reject('unknown-service', cmd.toService);
  const target = { serviceId: cmd.toService, ...(cmd.toWindow === undefined ? {} : { targetWindow: cmd.toWindow }) };
  if (cmd.toWindow !== undefined && !windowDefOf(config, cmd.toWindow)) return reject('unknown-window', String(cmd.toWindow));
  if (!config.windows.some((w) => canServe(w, target))) return reject('no-window');
  return accept(
    [
      {
        type: 'TicketTransferred',
        ticketId: t.id,
        fromWindow: cmd.window,
        toService: cmd.toService,
        durationMs: Math.max(0, now - (t.startedAt ?? t.calledAt ?? now)),
        ...(cmd.toWindow === undefined ? {} : { toWindow: cmd.toWindow }),
      },
    ],
    t.id,
  );
}

/** A key that sorts after the first `n` of `keys` (ascending) and before the rest and before any future arrival. */
export function requeueKeyAfter(keys: number[], n: number, nextQueueKey: number): number {
  const before = n === 0 ? undefined : keys[n - 1];
  const after = keys[n];
  if (after === undefined) return ((keys[keys.length - 1] ?? nextQueueKey - 1) + nextQueueKey) / 2;
  if (before === undefined) return after - 1;
  return (before + after) / 2;
}
