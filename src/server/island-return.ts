import type { Logger } from '../../drivers/common/logger.js';
import { islandConflictOf, own, rejected, ticketNumber, type Command, type EventOf, type HallEvent, type HallState, type IslandConflict, type NumberLease, type Outcome } from '../core/index.js';
import { parseJson, type Request } from '../bus/messages.js';
import type { HallEngine } from './engine.js';
import type { MqttServer } from './mqtt-server.js';
import { ActingWitness } from './island-acting.js';

export interface IslandHook {
  /**
   * An agent/<id>/status message (island mode's phase of that agent). `absentMs`: for one found retained
   * at the server's (re)subscription, how long the hall was without the server before it; undefined for
   * one heard live. Never throws.
   */
  agentStatus(topic: string, payload: Buffer, absentMs?: number): void;
  /** One replayed outbox entry of `agentId` (already authorized): its outcome, the seq reached, the conflict if any. */
  replay(agentId: string, req: Extract<Request, { type: 'island' }>): { outcome: Outcome; seq: number; conflict?: IslandConflict };
}

/** An island conflict as the admin list shows it. */
export interface ConflictRecord {
  seq: number;
  at: number;
  agentId: string;
  commandId: string;
  kind: IslandConflict['kind'];
  ticketId?: string;
  detail: string;
}

/**
 * Whether a notice held back during a replay still makes sense once the outbox is in: an issued or
 * near notice only for a ticket still waiting (never "near" for one already called), a called notice
 * only for a ticket still called or served at that window.
 */
export function noticeStillApt(state: HallState, e: EventOf<'NotificationDue'>): boolean {
  const t = own(state.tickets, e.ticketId);
  if (!t) return false;
  if (e.reason === 'called') return (t.status === 'called' || t.status === 'serving') && e.windows.includes(t.window ?? -1);
  return t.status === 'waiting' || t.status === 'issued';
}

/**
 * The server's side of island mode's return (README "Island mode"): each outbox entry runs as the
 * command it was, with its own id (a repeat gets the first answer), the server's decision standing.
 * An entry the server decides differently is an island conflict: recorded as an IslandConflict event
 * (in the log, listed in admin) and logged. SMS notices the replay makes are held back until the
 * agent's last entry, then sent only if they still make sense.
 */
export class IslandReturn implements IslandHook {
  private readonly held = new Map<string, EventOf<'NotificationDue'>[]>();
  /** Each agent's island phase as its retained status last said (only what reaches the server: with the broker down, nothing does). */
  readonly phases = new Map<string, { phase: 'online' | 'island' | 'returning' | 'offline'; at: number; role?: string; acting?: string }>();
  /** What each agent's own statuses said of who acted for it (the trust rule of `for`, island-acting.ts). */
  readonly witness = new ActingWitness();

  agentStatus(topic: string, payload: Buffer, absentMs?: number): void {
    const m = /\/agent\/([a-z0-9-]{1,100})\/status$/.exec(topic);
    const json = m && payload.length <= 4096 ? parseJson(payload) : undefined;
    if (!m?.[1] || !json?.ok || typeof json.value !== 'object' || json.value === null) return;
    const v = json.value as { online?: unknown; island?: unknown; role?: unknown; acting?: unknown };
    const phase = v.online !== true ? 'offline' : v.island === 'island' || v.island === 'returning' ? v.island : 'online';
    // The role and acting agent it said it followed during an island with the broker up (for admin).
    const role = phase === 'island' && typeof v.role === 'string' && /^(electing|leader|follower|alone)$/.test(v.role) ? { role: v.role } : {};
    const acting = phase === 'island' && typeof v.acting === 'string' && /^[a-z0-9-]{1,100}$/.test(v.acting) ? { acting: v.acting } : {};
    this.phases.set(m[1], { phase, at: this.clock(), ...role, ...acting });
    // Role and acting count also while returning: the return is when the server hears them.
    const word = phase === 'returning' || phase === 'island' ? { ...(typeof v.role === 'string' ? { role: v.role } : {}), ...(typeof v.acting === 'string' && /^[a-z0-9-]{1,100}$/.test(v.acting) ? { acting: v.acting } : {}) } : {};
    // A leader's word counts when said while the server was away long enough for the agents to go island
    // (island.afterSeconds): a claim retained over a restart of a second or two is no island.
    this.witness.record(m[1], { phase, ...word }, absentMs !== undefined && absentMs >= this.islandAfterMs);
  }

  constructor(
    private readonly engine: HallEngine,
    private readonly mqtt: MqttServer,
    private readonly clock: () => number,
    private readonly logger: Logger,
    /** island.afterSeconds in ms: the least absence of the server in which agents go island. */
    private readonly islandAfterMs = 20_000,
  ) {}

  replay(agentId: string, req: Extract<Request, { type: 'island' }>): { outcome: Outcome; seq: number; conflict?: IslandConflict } {
    const wire = req.command as Command;
    // The lease is the sending agent's by the topic it came on, never by a field it wrote. Replayed for
    // another agent (`for`): only by an agent that agent's own status named as acting for it, or that
    // stood in for it after it died (island-acting.ts); anything else is refused unrun, a conflict.
    const leaseAgent = req.for ?? agentId;
    const when = this.islandTime(req.at);
    if (leaseAgent !== agentId) {
      const trusted = this.witness.check(agentId, leaseAgent);
      if (!trusted.ok) return this.refuseFor(agentId, leaseAgent, wire, trusted.reason, req.last === true, when);
      if (trusted.by === 'stand-in') this.noteStandIn(agentId, leaseAgent);
    }
    const cmd: Command = wire.type === 'IssueTicket' && req.leasedNumber !== undefined ? { ...wire, leased: { agentId: leaseAgent, number: req.leasedNumber } } : wire;
    const r = this.engine.handle(cmd, when);
    this.publish(agentId, r.events);
    // A repeated id (the answer to an earlier send was lost) found its conflict the first time.
    const conflict = r.duplicate ? undefined : islandConflictOf(this.engine.state, cmd, r.outcome);
    if (conflict) {
      this.logger.warn({ agent: agentId, commandId: cmd.id, kind: conflict.kind, detail: conflict.detail }, 'island conflict resolved');
      // At the action's own time: stamped with the return, it pushed every later action of the outbox there too (the log's times never go back).
      const noted = this.engine.handle(
        { id: `conflict-${cmd.id}`, type: 'NoteIslandConflict', agentId, commandId: cmd.id, kind: conflict.kind, detail: conflict.detail, source: 'system', ...(conflict.ticketId ? { refTicketId: conflict.ticketId } : {}) },
        when,
      );
      this.publish(agentId, noted.events);
      this.finishRefusedCall(agentId, cmd, conflict, when);
    }
    if (req.last === true) this.release(agentId);
    return { outcome: r.outcome, seq: this.engine.state.seq, ...(conflict ? { conflict } : {}) };
  }

  /**
   * The time a replayed action runs at: when the island decided it (`at`, the agent's clock), so a
   * ticket's issue, call and service keep the times they had in the hall and the reports' waits and
   * service times stay true (run at the return, a half-hour island came back as waits of zero). Never
   * later than now (an agent's clock ahead) and never earlier than the log's last event, whose times
   * must not go back (the day's rollover and every projection read them in seq order): an action older
   * than what the log already holds (another agent returned first, the server ran meanwhile) runs at
   * that event's time. Without `at` (an agent of an older version): now.
   */
  private islandTime(at: number | undefined): number {
    const now = this.clock();
    if (at === undefined || !Number.isFinite(at) || at >= now) return now;
    const seq = this.engine.state.seq;
    const last = seq > 0 ? this.engine.eventsAfter(seq - 1, 1)[0]?.at : undefined;
    return Math.max(at, last ?? at);
  }

  /**
   * A call (CallTicket: finish the window's ticket, then call) refused because its ticket was called
   * elsewhere or cancelled: the call is not made, but the finish stands (the staff member was done
   * with their citizen; the tryout saw a served citizen's number back on the window's screen and the
   * service uncounted). The window's current ticket is completed at the action's time.
   */
  private finishRefusedCall(agentId: string, cmd: Command, conflict: IslandConflict, when: number): void {
    if (cmd.type !== 'CallTicket' || (conflict.kind !== 'called-elsewhere' && conflict.kind !== 'cancelled')) return;
    const state = this.engine.state;
    const w = own(state.windows, String(cmd.window));
    const current = w?.current === undefined ? undefined : own(state.tickets, w.current);
    if (!current || (current.status !== 'called' && current.status !== 'serving') || current.window !== cmd.window) return;
    const done = this.engine.handle({ id: `finish-${cmd.id}`, type: 'Complete', window: cmd.window, ...(cmd.source ? { source: cmd.source } : {}) }, when);
    if (done.outcome.ok) this.logger.info({ agent: agentId, commandId: cmd.id, ticketId: current.id }, 'island call refused; the ticket it finished completed');
    this.publish(agentId, done.events);
  }

  /**
   * An action returned `for` an agent that did not have the sender act for it: not run (no lease
   * number, no window of that agent used). A repeat of an action the server already took (its owner
   * returned it first) is answered as the first time; else an IslandConflict `not-acting` is noted.
   */
  /** Pairs (sender, agent) whose stand-in returns were logged: once each, so the journal shows who returned a dead agent's actions. */
  private readonly standIns = new Set<string>();

  private noteStandIn(agentId: string, forAgent: string): void {
    const key = `${agentId} ${forAgent}`;
    if (this.standIns.has(key)) return;
    this.standIns.add(key);
    this.logger.warn({ agent: agentId, for: forAgent }, 'island actions returned by a stand-in: the agent is offline by its last will, the sender led the hall while the server was away');
  }

  private refuseFor(agentId: string, forAgent: string, cmd: Command, reason: string, last: boolean, when: number): { outcome: Outcome; seq: number; conflict?: IslandConflict } {
    const known = own(this.engine.state.commands, cmd.id);
    if (last) this.release(agentId);
    if (known) return { outcome: known, seq: this.engine.state.seq };
    const conflict: IslandConflict = {
      kind: 'not-acting',
      ...('ticketId' in cmd && typeof cmd.ticketId === 'string' ? { ticketId: cmd.ticketId } : {}),
      detail: `${cmd.type}${'window' in cmd ? ` at window ${cmd.window}` : ''} returned by ${agentId} for ${forAgent} refused: ${reason}`,
    };
    this.logger.warn({ agent: agentId, for: forAgent, commandId: cmd.id, kind: conflict.kind, detail: conflict.detail }, 'island conflict resolved');
    const noted = this.engine.handle(
      { id: `not-acting-${agentId}-${cmd.id}`, type: 'NoteIslandConflict', agentId, commandId: cmd.id, kind: conflict.kind, detail: conflict.detail, source: 'system', ...(conflict.ticketId ? { refTicketId: conflict.ticketId } : {}) },
      when,
    );
    this.publish(agentId, noted.events);
    return { outcome: rejected('invalid-command', conflict.detail), seq: this.engine.state.seq, conflict };
  }

  private publish(agentId: string, events: HallEvent[]): void {
    const notices = events.filter((e): e is EventOf<'NotificationDue'> => e.type === 'NotificationDue');
    if (notices.length > 0) this.held.set(agentId, [...(this.held.get(agentId) ?? []), ...notices]);
    // Every event goes out on the stream in seq order (replicas need each seq), none to SMS yet.
    this.mqtt.publishEvents(events, false);
  }

  /** The agent's outbox is in: its held notices go to SMS if they still make sense. */
  private release(agentId: string): void {
    const held = this.held.get(agentId) ?? [];
    this.held.delete(agentId);
    const apt = held.filter((e) => noticeStillApt(this.engine.state, e));
    if (held.length > 0) this.logger.info({ agent: agentId, held: held.length, sent: apt.length }, 'island notices released');
    if (apt.length > 0) this.mqtt.sms?.afterAppend(apt);
  }

  /** Every island conflict in the log, newest first (at most `limit`). */
  conflicts(limit = 200): ConflictRecord[] {
    return conflictsIn(this.engine, limit);
  }
}

/** The IslandConflict events of today's log and before, newest first. */
export function conflictsIn(engine: HallEngine, limit = 200): ConflictRecord[] {
  const out: ConflictRecord[] = [];
  for (let after = 0; ; ) {
    const page = engine.eventsAfter(after, 1000);
    if (page.length === 0) break;
    for (const e of page) {
      if (e.type === 'IslandConflict') out.push({ seq: e.seq, at: e.at, agentId: e.agentId, commandId: e.commandId, kind: e.kind, detail: e.detail, ...(e.refTicketId ? { ticketId: e.refTicketId } : {}) });
    }
    after = page[page.length - 1]?.seq ?? after;
  }
  return out.reverse().slice(0, limit);
}

/**
 * A leased block with its first and last ticket numbers as the hall sees them on tickets and screens
 * (`A001`–`A020`: the service's prefix and format, core ticketNumber); without them for a service a
 * reload took out of the config (its prefix is gone).
 */
export interface LeaseShown extends NumberLease {
  fromNumber?: string;
  toNumber?: string;
}

function leasesShown(state: HallState): Record<string, LeaseShown[]> {
  const services = state.config?.services ?? [];
  return Object.fromEntries(
    Object.entries(state.leases ?? {}).map(([agent, ls]) => [
      agent,
      ls.map((l) => {
        const service = services.find((s) => s.id === l.serviceId);
        return service ? { ...l, fromNumber: ticketNumber(service, l.from), toNumber: ticketNumber(service, l.to) } : { ...l };
      }),
    ]),
  );
}

/** GET /api/island: today's leases per agent and the island conflicts (numbers, windows, agent ids: no personal data). */
export function islandReport(engine: HallEngine, ret?: IslandReturn): { leases: Record<string, LeaseShown[]>; conflicts: ConflictRecord[]; agents: Record<string, { phase: string; at: number }> } {
  return { leases: leasesShown(engine.state), conflicts: conflictsIn(engine), agents: Object.fromEntries(ret?.phases ?? []) };
}
