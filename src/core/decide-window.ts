import type { CommandOf } from './commands.js';
import { finishCurrent } from './decide-call.js';
import { accept, reject, type Decision } from './decision.js';
import type { HallConfig } from './model.js';
import type { HallState, WindowState } from './state.js';
import { own } from './own.js';
import { staffElsewhereMessage } from './rejections.js';
import { maskNumbersInText } from './mask.js';

/** Staff log in and out, pause with a reason (暂停服务), resume, and take a window over (AB posts). */

function known(state: HallState, config: HallConfig, id: number): WindowState | Decision {
  const win = own(state.windows, String(id));
  if (!win || !config.windows.some((w) => w.id === id)) return reject('unknown-window', String(id));
  return win;
}

/** The refusal when the staff member holds another open window than `window` (which one, and how to leave it), else undefined. */
function staffElsewhere(state: HallState, staffId: string, window: number): Decision | undefined {
  const held = Object.values(state.windows).find((w) => w.id !== window && w.status !== 'closed' && w.staffId === staffId);
  return held ? { events: [], outcome: { ok: false, code: 'staff-elsewhere', message: staffElsewhereMessage(held.id) } } : undefined;
}

/**
 * Who may serve at a window: a configured staff member or manager (README "Roles"); a technician reads
 * devices and diagnostics and serves nobody (the security tryout opened a window, and served a ticket,
 * under a technician's id, from a keypad login and from admin).
 */
function windowStaffRefusal(config: HallConfig, staffId: string): Decision | undefined {
  const staff = config.staff.find((s) => s.id === staffId);
  if (!staff) return reject('unknown-staff', staffId);
  return staff.role === 'technician' ? reject('staff-role', staffId) : undefined;
}

export function decideOpen(state: HallState, config: HallConfig, cmd: CommandOf<'OpenWindow'>): Decision {
  const win = known(state, config, cmd.window);
  if ('outcome' in win) return win;
  const who = windowStaffRefusal(config, cmd.staffId);
  if (who) return who;
  if (win.status !== 'closed') {
    if (win.staffId !== cmd.staffId) return reject('window-occupied');
    return accept([], undefined, 'already-open');
  }
  const elsewhere = staffElsewhere(state, cmd.staffId, cmd.window);
  if (elsewhere) return elsewhere;
  return accept([{ type: 'WindowOpened', window: cmd.window, staffId: cmd.staffId }]);
}

export function decidePause(state: HallState, config: HallConfig, cmd: CommandOf<'PauseWindow'>, now: number): Decision {
  const win = known(state, config, cmd.window);
  if ('outcome' in win) return win;
  if (win.status === 'closed') return reject('window-closed');
  if (win.status === 'paused') return accept([], undefined, 'already-paused');
  return accept([...finishCurrent(state, win, now), { type: 'WindowPaused', window: cmd.window, reason: maskNumbersInText(cmd.reason) }]);
}

export function decideResume(state: HallState, config: HallConfig, cmd: CommandOf<'ResumeWindow'>): Decision {
  const win = known(state, config, cmd.window);
  if ('outcome' in win) return win;
  if (win.status === 'closed') return reject('window-closed');
  if (win.status === 'open') return accept([], undefined, 'not-paused');
  return accept([{ type: 'WindowResumed', window: cmd.window }]);
}

export function decideClose(state: HallState, config: HallConfig, cmd: CommandOf<'CloseWindow'>, now: number): Decision {
  const win = known(state, config, cmd.window);
  if ('outcome' in win) return win;
  if (win.status === 'closed') return accept([]);
  return accept([...finishCurrent(state, win, now), { type: 'WindowClosed', window: cmd.window }]);
}

/** A backup staff member takes the window over without closing it; the current citizen stays. */
export function decideTakeOver(state: HallState, config: HallConfig, cmd: CommandOf<'TakeOver'>): Decision {
  const win = known(state, config, cmd.window);
  if ('outcome' in win) return win;
  const who = windowStaffRefusal(config, cmd.staffId);
  if (who) return who;
  const elsewhere = staffElsewhere(state, cmd.staffId, cmd.window);
  if (elsewhere) return elsewhere;
  if (win.status === 'closed') return accept([{ type: 'WindowOpened', window: cmd.window, staffId: cmd.staffId }]);
  if (win.staffId === cmd.staffId) return accept([], undefined, 'already-open');
  return accept([{ type: 'WindowTakenOver', window: cmd.window, staffId: cmd.staffId, ...(win.staffId === undefined ? {} : { previousStaffId: win.staffId }) }]);
}

/**
 * A staff member's sign-in: a StaffSignedIn event (attendance), and at a window the same as TakeOver
 * (the window opens for them, or passes to them with its current citizen). Refused as TakeOver is.
 */
export function decideSignIn(state: HallState, config: HallConfig, cmd: CommandOf<'SignIn'>): Decision {
  if (!config.staff.some((s) => s.id === cmd.staffId)) return reject('unknown-staff', cmd.staffId);
  const signedIn = { type: 'StaffSignedIn' as const, staffId: cmd.staffId, ...(cmd.window === undefined ? {} : { window: cmd.window }) };
  if (cmd.window === undefined) return accept([signedIn]);
  const d = decideTakeOver(state, config, { id: cmd.id, type: 'TakeOver', window: cmd.window, staffId: cmd.staffId });
  if (!d.outcome.ok) return d;
  return accept([signedIn, ...d.events]);
}

/**
 * Sign-out: a StaffSignedOut event, and their window closes (its current citizen finished) if it is still
 * theirs. Not refused for someone the config no longer lists (removed while signed in): their attendance
 * needs its end and their window its close. Only the server issues it, for a session it held.
 */
export function decideSignOut(state: HallState, _config: HallConfig, cmd: CommandOf<'SignOut'>, now: number): Decision {
  // Only an end in the past is an end: a later one (a clock that jumped back) is the event's own time.
  const endedAt = cmd.endedAt !== undefined && cmd.endedAt < now ? { endedAt: cmd.endedAt } : {};
  const signedOut = { type: 'StaffSignedOut' as const, staffId: cmd.staffId, ...(cmd.window === undefined ? {} : { window: cmd.window }), ...endedAt };
  const win = cmd.window === undefined ? undefined : state.windows[String(cmd.window)];
  if (!win || win.status === 'closed' || win.staffId !== cmd.staffId) return accept([signedOut]);
  return accept([signedOut, ...finishCurrent(state, win, now), { type: 'WindowClosed', window: win.id }]);
}
