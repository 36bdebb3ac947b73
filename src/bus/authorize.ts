import type { ErrorBody, Request } from './messages.js';
import type { wireCommandSchema } from './command-schema.js';
import { keypadWindows } from '../config/keypads.js';
import type { AgentEntry } from '../config/schema.js';
import type { Source } from '../core/index.js';
import type { z } from 'zod';

type WireCommand = z.infer<typeof wireCommandSchema>;
type CommandType = WireCommand['type'];

/**
 * Who may send which command over MQTT (DESIGN §10, docs/mqtt.md "Who may send what"):
 * - kiosk: only an agent with a kiosk; the server stamps source "kiosk";
 * - caller: only for a window whose caller keypad (role caller or both) is on the agent's RS-485
 *   lines; source "caller-keypad";
 * - rating: only for a window whose rating keypad (role rating or both) is on the agent's lines;
 *   source "rating-device" (the core then allows it only during or just after that window's service);
 * - staff: never from an agent (signed-in staff over HTTP only).
 */
const RULES: Record<CommandType, 'kiosk' | 'caller' | 'rating' | 'staff'> = {
  IssueTicket: 'kiosk',
  PrintConfirmed: 'kiosk',
  PrintFailed: 'kiosk',
  ReturnNumbers: 'kiosk',
  CheckIn: 'kiosk',
  CallNext: 'caller',
  CallTicket: 'caller',
  Recall: 'caller',
  StartService: 'caller',
  Complete: 'caller',
  NoShow: 'caller',
  Transfer: 'caller',
  PauseWindow: 'caller',
  ResumeWindow: 'caller',
  CloseWindow: 'caller',
  TakeOver: 'caller',
  OpenWindow: 'caller',
  RequestRating: 'caller',
  Rate: 'rating',
  Cancel: 'staff',
  FollowUp: 'staff',
  RaiseEmergency: 'staff',
  ClearEmergency: 'staff',
  BookAppointment: 'staff',
  CancelAppointment: 'staff',
  ChangeAppointment: 'staff',
};

const SOURCE: Record<'kiosk' | 'caller' | 'rating', Source> = { kiosk: 'kiosk', caller: 'caller-keypad', rating: 'rating-device' };

/** What one agent may do, derived from its configured hardware. */
export interface Grants {
  kiosk: boolean;
  callerWindows: ReadonlySet<number>;
  ratingWindows: ReadonlySet<number>;
}

export function grantsOf(a: AgentEntry): Grants {
  return { kiosk: a.kiosk !== undefined, callerWindows: new Set(keypadWindows(a, 'caller')), ratingWindows: new Set(keypadWindows(a, 'rating')) };
}

/** Loggable facts of a refusal: never the payload (it may carry personal data). */
export interface RefusalLog {
  client: string;
  request: Request['type'];
  command?: CommandType;
  window?: number;
  rule: string;
}

export type Authorized = { ok: true; request: Request } | { ok: false; error: ErrorBody; log: RefusalLog };

export type RequestAuthorizer = (client: string, req: Request) => Authorized;

/**
 * The server's check of every MQTT request. The identity is the client id of the request topic
 * (`…/req/<client>`), which the broker lets only the user of that name publish to; it must name an
 * entry of `agents`. A command's `source` is set here from the rule that allowed it, whatever the
 * sender wrote; a kiosk's command gets `kioskAgent` (core/commands.ts), the client id, which no payload
 * can carry (the wire schema is strict). Refusals answer FORBIDDEN with the rule in the message.
 */
export function requestAuthorizer(agents: readonly AgentEntry[]): RequestAuthorizer {
  const grants = new Map(agents.map((a) => [a.id, grantsOf(a)] as const));
  const check: RequestAuthorizer = (client, req) => {
    const refuse = (rule: string, message: string, messageZh: string, extra: Partial<RefusalLog> = {}): Authorized => ({
      ok: false,
      error: { code: 'FORBIDDEN', message, messageZh },
      log: { client, request: req.type, rule, ...extra },
    });
    // Map lookup: an id like "__proto__" or "constructor" finds nothing.
    const g = grants.get(client);
    if (!g) return refuse('unknown-agent', `${client} is not an agent of this hall (agents in the hall config)`, `${client} 不是本大厅的终端机（见大厅配置的 agents）`);
    switch (req.type) {
      case 'events':
      case 'state':
        return { ok: true, request: req };
      case 'contact':
        return g.kiosk ? { ok: true, request: req } : refuse('kiosk-only', `agent ${client} has no kiosk: contact numbers come only from kiosks`, `终端机 ${client} 没有取号机：联系电话只能来自取号机`);
      case 'island': {
        // An island action is allowed exactly as the same command would be now, from the agent whose
        // device it came from: the sender's own, or (`for`, replayed by the hall's acting agent, README
        // "Island mode") another agent of this hall, which must hold that device.
        const actor = req.for ?? client;
        if (actor !== client && !grants.has(actor)) return refuse('unknown-agent', `${actor} is not an agent of this hall (agents in the hall config)`, `${actor} 不是本大厅的终端机（见大厅配置的 agents）`);
        const inner = check(actor, { id: req.id, type: 'command', command: req.command });
        return inner.ok && inner.request.type === 'command' ? { ok: true, request: { ...req, command: inner.request.command } } : inner;
      }
      case 'command': {
        const cmd = req.command;
        const rule = RULES[cmd.type];
        const facts = { command: cmd.type, ...('window' in cmd ? { window: cmd.window } : {}) };
        if (rule === 'staff') return refuse('staff-only', `${cmd.type} is for signed-in staff (HTTP), never from an agent`, `${cmd.type} 只能由已登录的工作人员（HTTP）执行，不能来自终端机`, facts);
        if (rule === 'kiosk' && !g.kiosk) return refuse('kiosk-only', `agent ${client} has no kiosk: ${cmd.type} comes only from kiosks`, `终端机 ${client} 没有取号机：${cmd.type} 只能来自取号机`, facts);
        if (rule === 'caller' && !('window' in cmd && g.callerWindows.has(cmd.window))) {
          const w = 'window' in cmd ? cmd.window : '?';
          return refuse('caller-keypad-only', `agent ${client} has no caller keypad of window ${w}: ${cmd.type} comes only from the agent with that window's caller keypad`, `终端机 ${client} 没有 ${w} 号窗口的呼叫器：${cmd.type} 只能来自连接该窗口呼叫器的终端机`, facts);
        }
        if (rule === 'rating' && !('window' in cmd && g.ratingWindows.has(cmd.window))) {
          const w = 'window' in cmd ? cmd.window : '?';
          return refuse('rating-device-only', `agent ${client} has no rating keypad of window ${w}: a rating comes only from that window's rating device`, `终端机 ${client} 没有 ${w} 号窗口的评价器：评价只能来自该窗口的评价器`, facts);
        }
        // The source is the device the rule trusts, never what the sender wrote; a kiosk's command
        // carries the agent it came from (kioskAgent: the ticket records it, only that agent settles its print).
        const stamped = { ...cmd, source: SOURCE[rule as 'kiosk' | 'caller' | 'rating'], ...(rule === 'kiosk' ? { kioskAgent: client } : {}) } as WireCommand;
        return { ok: true, request: { ...req, command: stamped } };
      }
    }
  };
  return check;
}
