import type { Command, HallState, Source } from '../../core/index.js';
import type { Principal, Role } from './sessions.js';

/**
 * Who may do what over HTTP (DESIGN §10), decided from the session or the CLI token, never from a
 * field of the request:
 * - staff: the window commands of the window they are signed in to while it is open for them,
 *   cancelling a ticket called there, and issuing a ticket at the desk;
 * - manager, and the technician CLI on the server box: every command;
 * - technician sessions: reading only (device and diagnostic routes);
 * - nobody: a rating (only the citizen rates, on the rating keypad);
 * - nobody: PrintConfirmed / PrintFailed (only a kiosk's agent, over MQTT, says what its printer did).
 * The command's `source` is set here: soft-caller for staff, admin for managers and the CLI.
 */
export type Verdict = { ok: true; source: Source } | { ok: false; code: string; message: string; messageZh: string };

const ownWindow = new Set<Command['type']>(['CallNext', 'CallTicket', 'Recall', 'StartService', 'Complete', 'NoShow', 'Transfer', 'PauseWindow', 'ResumeWindow', 'CloseWindow', 'RequestRating']);
/**
 * Every command a staff session may ever send (then only on their own window, or the desk's issue):
 * any other is refused for the role (role-forbidden, naming the manager), before the window rule, so
 * staff sending RaiseEmergency hear "managers only", not "not your window" (issue 13).
 */
export const staffCommands: ReadonlySet<Command['type']> = new Set<Command['type']>([...ownWindow, 'IssueTicket', 'Cancel']);

export function authorizeCommand(who: Principal, cmd: Command, state: HallState): Verdict {
  // The off-site rating runs only from its own public route with the link's token (src/server/offsite-rating.ts).
  if (cmd.type === 'Rate' || cmd.type === 'RateOffsite') return { ok: false, code: 'rating-source', message: 'Only the citizen may rate, on the rating keypad', messageZh: '评价只能由办事群众在评价器上进行' };
  // An ID card's hash and masked forms come only from a kiosk's card reader: typed in over HTTP they
  // would let anyone pick the hash the per-ID rules count, or write the person into the log.
  if ((cmd.type === 'IssueTicket' && cmd.person !== undefined) || (cmd.type === 'CheckIn' && cmd.idHash !== undefined)) return kioskOnly;
  // A phone's keyed hash likewise (the per-phone rules count by it): only a kiosk agent hashes a typed number.
  if ((cmd.type === 'IssueTicket' || cmd.type === 'CheckIn') && cmd.phoneHash !== undefined) return phoneHashFromKioskOnly;
  // What a printer did is said only by the kiosk's agent that drove it (over MQTT, as that agent):
  // over HTTP a PrintConfirmed would put a never-printed (or voided) number first in the queue.
  if (cmd.type === 'PrintConfirmed' || cmd.type === 'PrintFailed') return printFromKioskOnly;
  // Leased numbers are given back only by the kiosk agent holding them (it marks them used first).
  if (cmd.type === 'ReturnNumbers') return returnFromKioskOnly;
  // A printed ticket waits for its kiosk's cut, which nothing over HTTP can confirm: it would sit
  // `issued` (a number nobody holds) until the print-confirm timeout voided it.
  if ((cmd.type === 'IssueTicket' || cmd.type === 'CheckIn') && cmd.delivery === 'print') return printedAtKioskOnly;
  if (who.kind === 'cli' || who.role === 'manager') return { ok: true, source: 'admin' };
  if (who.role !== 'staff' || !staffCommands.has(cmd.type)) return managersOnly(cmd.type);
  if (cmd.type === 'IssueTicket') return { ok: true, source: 'soft-caller' };
  // Their window, and still theirs: a colleague who took it over (or a close) ends their say there.
  const at = who.window === undefined ? undefined : Object.hasOwn(state.windows, String(who.window)) ? state.windows[String(who.window)] : undefined;
  if (!at || at.status === 'closed' || at.staffId !== who.staffId) return notYourWindow;
  if (ownWindow.has(cmd.type) && 'window' in cmd && cmd.window === who.window) return { ok: true, source: 'soft-caller' };
  if (cmd.type === 'Cancel') {
    const t = Object.hasOwn(state.tickets, cmd.ticketId) ? state.tickets[cmd.ticketId] : undefined;
    if (t?.window === who.window) return { ok: true, source: 'soft-caller' };
  }
  return notYourWindow;
}

const phoneHashFromKioskOnly: Verdict = { ok: false, code: 'phone-hash-from-kiosk-only', message: 'A phone hash is made only by a kiosk from the number typed there, never sent over HTTP', messageZh: '手机号码散列只能由取号机根据输入的号码生成' };
const kioskOnly: Verdict = { ok: false, code: 'card-from-kiosk-only', message: 'An ID card is read only at a kiosk, never sent over HTTP', messageZh: '身份证信息只能由取号机读卡器读取' };
const returnFromKioskOnly: Verdict = { ok: false, code: 'kiosk-only', message: 'Leased numbers are given back only by the kiosk agent that holds them, never over HTTP', messageZh: '预留号码只能由持有它的取号机终端归还，不能通过 HTTP 提交' };
const printFromKioskOnly: Verdict = {
  ok: false,
  code: 'kiosk-only',
  message: "A print is confirmed or failed only by the kiosk's own agent (its printer), never over HTTP",
  messageZh: '打印结果只能由取号机自身上报，不能通过 HTTP 提交',
};
const printedAtKioskOnly: Verdict = {
  ok: false,
  code: 'print-at-kiosk-only',
  message: 'A printed ticket is issued only at a kiosk (its printer confirms the cut): leave `delivery` out (or say none or sms) over HTTP',
  messageZh: '纸质号票只能在取号机上出票（由其打印机确认出票）：通过 HTTP 取号请不填 delivery（或填 none、sms）',
};
/** A command no session of this role may send: says which role may (managers, or the technician CLI on the server). */
const managersOnly = (type: Command['type']): Verdict => ({
  ok: false,
  code: 'role-forbidden',
  message: `Only a manager (or the technician CLI) may send ${type}; your role may not`,
  messageZh: `只有管理员（或服务器上的技术人员命令行）可以执行 ${type}，您的角色无权执行`,
});
const notYourWindow: Verdict = { ok: false, code: 'not-your-window', message: 'You may act only on the window you are signed in to', messageZh: '您只能操作已登录的窗口' };

/**
 * The command as it will run: who followed up a rating or raised/cleared a notice is the session's
 * staff member (none for the CLI), whatever the body says.
 */
export function withActor(cmd: Command, who: Principal): Command {
  if (cmd.type !== 'FollowUp' && cmd.type !== 'RaiseEmergency' && cmd.type !== 'ClearEmergency') return cmd;
  const { staffId: _ignored, ...rest } = cmd;
  return (who.kind === 'session' ? { ...rest, staffId: who.staffId } : rest) as Command;
}

/** Which roles may read a staff route; the CLI token reads all of them. */
export function mayRead(who: Principal, roles: readonly Role[]): boolean {
  return who.kind === 'cli' || roles.includes(who.role);
}
