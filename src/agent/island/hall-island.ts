import type { Logger } from '../../../drivers/common/logger.js';
import type { IslandBatch, IslandEntryWire, IslandForward, IslandRole } from '../../bus/island-messages.js';
import type { AgentEntry } from '../../config/schema.js';
import { islandNumber, issuedWithPriority, own, withoutBirthDate, rejected, rejectedOwn, type Command, type HallEvent, type HallState, type Outcome } from '../../core/index.js';
import { StatePager, type StatePart } from '../../bus/paging.js';
import { publicOutcome } from '../../bus/public-outcome.js';
import { requestAuthorizer, type RequestAuthorizer } from '../../bus/authorize.js';
import type { AgentLink, IslandMessage } from '../link.js';
import { electActing, type ElectionStatus } from './election.js';
import type { IslandStore } from './store.js';

/** One decision of the core on this agent's replica (IslandMode.decide). */
export interface Decided {
  outcome: Outcome;
  seq: number;
  events: HallEvent[];
  /** The outbox entry it made (none for a refusal or a no-op). */
  entry?: IslandEntryWire;
}

/** What the hall island asks of the agent's own island (IslandMode). */
export interface LocalCore {
  /** Runs one command on the replica for `forAgent` (this agent when undefined), keeps it in the outbox, shows it here. */
  decide(cmd: Command, forAgent: string | undefined, leasedNumber: number | undefined): Decided;
  /** This agent's next free leased number of a service (not yet used, even before a restart). */
  ownNumber(serviceId: string): number | undefined;
  day(): string;
}

export interface HallIslandOptions {
  agentId: string;
  /** The hall's agents (config): the candidates of the election, and who owns which device. */
  agents: readonly AgentEntry[];
  /** How long an agent that goes island listens for the others before the election (ms). */
  settleMs: number;
  /** A forwarded command without an answer is sent again (same id) after this long (ms). */
  retryMs: number;
  /**
   * How long a keypad's or rating device's forwarded command waits for its answer before the device is
   * told no (ms; the command is still resolved by its id afterwards). A kiosk command is not cut here:
   * the kiosk bounds its own wait and voids a ticket the command turns out to have made.
   */
  answerMs: number;
  logger: Logger;
}

type Forwarded = { cmd: Command; leasedNumber?: number; sentAt: number; resolve: (r: { outcome: Outcome; seq: number }) => void };

/** Commands of a kiosk: their wait is the kiosk's own (KioskFlow), which voids what it stopped waiting for. */
const KIOSK_COMMANDS: ReadonlySet<Command['type']> = new Set(['IssueTicket', 'PrintConfirmed', 'PrintFailed', 'CheckIn']);

/** Batches kept for an agent that asks what it missed, and at most this many per answer. */
const SYNC_PAGE = 50;

/**
 * Island mode with the broker up and the server away (DESIGN §7, README "Island mode"): the agents
 * elect one of them to act for the whole hall (electActing: a sitting acting agent stays, else the
 * lowest id alive in island mode, from the retained statuses and last wills). The acting agent runs
 * the core on its replica for every agent: the others forward their devices' commands to it on
 * island/fwd/<own id>; it accepts one only when the topic's agent owns the device (the hall config,
 * the server's own rule), decides, keeps the decision in its outbox (synchronous=FULL) and publishes
 * the events with the outbox entry on island/ev/<own id>. Every agent applies those events to its
 * replica (its screens and voice follow, live) and mirrors the entries into its own outbox, so any of
 * them can return the whole island to the server and a new acting agent goes on from its own replica
 * when the old one dies (its last will). With the broker down each agent runs alone; one that decided
 * alone stays alone until the server is back (its replica went its own way).
 * A kiosk's issue takes a number from that kiosk agent's own lease, marked used on its disk before it
 * is sent, so no number is given twice whoever acts.
 */
export class HallIsland {
  role: IslandRole | undefined;
  acting: string | undefined;
  private readonly statuses = new Map<string, ElectionStatus>();
  private readonly hallAgents: string[];
  private readonly authorize: RequestAuthorizer;
  /** Batches applied during this island, in seq order (answered to an agent that missed some). */
  private log: IslandBatch[] = [];
  private readonly forwards = new Map<string, Forwarded>();
  private settleTimer: NodeJS.Timeout | undefined;
  private settledWaiters: (() => void)[] = [];
  private decidedAlone = false;
  /** The server is back: the island is ending, roles stay as they are (no agent takes over from one that returns first). */
  private ending = false;
  private syncAskedAt = 0;
  private readonly offs: (() => void)[] = [];
  private readonly statusWaiters = new Set<() => void>();
  /** The replica as this island began: an acting agent that loses to one that acted in the same instant goes back to it. */
  private snapshot: HallState | undefined;
  /** What this agent decided while acting for the hall: its own devices' actions (sent again to a winner) and the rest. */
  private led: { own: { cmd: Command; leasedNumber?: number }[]; ids: string[] } = { own: [], ids: [] };
  private readonly roleListeners = new Set<(role: IslandRole | undefined, acting: string | undefined) => void>();
  private listening = false;
  /** The acting agent's state cut below this agent's message cap, for an agent that joins the island (answerState). */
  private pager: StatePager | undefined;
  /** A part of the acting agent's state this agent asked for (joining at its start): one at a time, from that agent only. */
  private stateWait: { from: string; seq: number | undefined; part: number; resolve: (p: StatePart | 'moved' | undefined) => void } | undefined;

  constructor(
    private readonly link: AgentLink,
    private readonly store: IslandStore,
    private readonly local: LocalCore,
    private readonly o: HallIslandOptions,
  ) {
    this.hallAgents = o.agents.map((a) => a.id);
    this.authorize = requestAuthorizer(o.agents);
  }

  /** Listens to the island topics (the agents' statuses first): from the agent's start, before the island. Once. */
  start(): void {
    if (this.listening) return;
    this.listening = true;
    this.offs.push(this.link.onIsland((m) => this.onMessage(m)));
  }

  stop(): void {
    clearTimeout(this.settleTimer);
    this.listening = false;
    this.stateWait?.resolve(undefined);
    for (const off of this.offs.splice(0)) off();
  }

  /**
   * For an agent not in island mode itself (restarted during an island): the agent acting for the hall
   * now, by the election rule on the retained statuses (whose topic only that agent publishes), and only
   * when its own status says it acts (`role: leader`). Undefined while nobody does.
   */
  actingNow(): string | undefined {
    const id = electActing({ id: this.o.agentId, eligible: false, role: undefined }, this.statuses, this.hallAgents);
    return id !== undefined && this.statuses.get(id)?.role === 'leader' ? id : undefined;
  }

  /** Calls `fn` at every agent status that arrives (the restarted agent watches for an acting agent); returns its off. */
  onStatus(fn: () => void): () => void {
    this.statusWaiters.add(fn);
    return () => this.statusWaiters.delete(fn);
  }

  /**
   * The replica state of `acting`, read part by part below the message cap as the server's is
   * (AgentLink.readState): each part asked on island/fwd/<this agent>, taken only from
   * island/ans/<acting>/<this agent> (the ACL lets only `acting` publish there). Every wait bounded:
   * a part without an answer is asked again after `retryMs`, three times, then undefined.
   */
  fetchState(acting: string): Promise<HallState | undefined> {
    const ask = async (seq: number | undefined, part: number): Promise<StatePart | 'moved' | undefined> => {
      for (let tries = 0; tries < 3; tries++) {
        if (!this.listening) return undefined;
        const answer = new Promise<StatePart | 'moved' | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), this.o.retryMs);
          timer.unref();
          this.stateWait = {
            from: acting,
            seq,
            part,
            resolve: (p) => {
              clearTimeout(timer);
              resolve(p);
            },
          };
        });
        const body: IslandForward = { type: 'state', to: acting, part, ...(seq === undefined ? {} : { seq }) };
        if (!this.link.publishIsland(this.link.t.islandForward(this.o.agentId), body)) this.stateWait?.resolve(undefined);
        const got = await answer;
        this.stateWait = undefined;
        if (got !== undefined) return got;
      }
      return undefined;
    };
    return this.link.readState(`the acting agent ${acting}`, ask);
  }

  /**
   * This agent joins the island `acting` runs, as a follower from the start (restarted during the island,
   * its replica just loaded from the acting agent's state): the island's events from there on apply to
   * its replica and mirror into its outbox (a sync asks for what came after the state's seq).
   */
  join(acting: string): void {
    this.begin();
    this.becomeFollower(acting);
  }

  /** A new island on this agent: from the replica as it is now, nothing decided or led yet. */
  private begin(): void {
    this.pager = undefined;
    this.log = [];
    this.snapshot = structuredClone(this.link.replica.state);
    this.led = { own: [], ids: [] };
    this.decidedAlone = false;
    this.ending = false;
  }

  /**
   * At the return, a follower waits for the agent it followed to return first (its status says online
   * without island, or offline by its last will), at most `ms`: that agent's outbox holds the decisions
   * it made for others (its tickets that this agent's windows called), which the server takes only from
   * it, in order (README "Island mode", trust at the return). Resolves at once for a leader or alone.
   */
  actingReturned(ms: number): Promise<void> {
    const acting = this.role === 'follower' ? this.acting : undefined;
    const back = () => {
      const s = acting === undefined ? undefined : this.statuses.get(acting);
      return acting === undefined || s === undefined || s.online === false || s.island === undefined || s.island === 'online';
    };
    if (back()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.statusWaiters.delete(check);
        resolve();
      };
      const check = () => back() && done();
      const timer = setTimeout(done, ms);
      timer.unref();
      this.statusWaiters.add(check);
    });
  }

  /** Each change of role (undefined outside island mode) and of the acting agent. */
  onRole(fn: (role: IslandRole | undefined, acting: string | undefined) => void): () => void {
    this.roleListeners.add(fn);
    return () => this.roleListeners.delete(fn);
  }

  private setRole(role: IslandRole | undefined, acting: string | undefined): void {
    const changed = role !== this.role || acting !== this.acting;
    this.role = role;
    this.acting = acting;
    if (!changed) return;
    this.link.setIslandRole(role ? { role, ...(acting ? { acting } : {}) } : {});
    if (role === 'leader') this.o.logger.warn({ acting }, 'island mode: this agent acts for the whole hall');
    else if (role === 'follower') this.o.logger.warn({ acting }, 'island mode: the hall is run by another agent');
    else if (role === 'alone') this.o.logger.warn({}, 'island mode: no broker; this agent runs alone for its own devices');
    for (const fn of this.roleListeners) fn(role, acting);
    if (role !== 'electing') for (const w of this.settledWaiters.splice(0)) w();
  }

  /** The island begins on this agent. */
  enter(): void {
    this.begin();
    if (this.link.connected) this.startElecting();
    else this.setRole('alone', undefined);
  }

  /** The server's status says online again: every agent returns now, so nobody is elected any more. */
  serverBack(): void {
    if (this.role !== undefined) this.ending = true;
  }

  /** The island is over (the outbox is back on the server): forwards still unanswered go to the server by their ids. */
  leave(): void {
    this.ending = false;
    clearTimeout(this.settleTimer);
    this.setRole(undefined, undefined);
    this.log = [];
    this.pager = undefined;
    this.snapshot = undefined;
    this.led = { own: [], ids: [] };
    for (const [id, f] of [...this.forwards]) {
      this.forwards.delete(id);
      // Resolved by the command's id like any request: a decision the acting agent made is on the server by now (its outbox, or a mirror).
      this.link.run(f.cmd).then(f.resolve, (e: unknown) => f.resolve({ outcome: rejected('invalid-command', String(e)), seq: this.link.replica.seq }));
    }
  }

  private startElecting(): void {
    this.setRole('electing', undefined);
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => this.elect(), this.o.settleMs);
    this.settleTimer.unref();
  }

  private elect(): void {
    // An election that ends while the island does: this agent decides alone for the last moments (its outbox returns them).
    if (this.ending && this.role === 'electing') return this.setRole('alone', undefined);
    if (this.role === undefined || this.role === 'alone' || this.ending) return;
    const winner = electActing({ id: this.o.agentId, eligible: true, role: this.role }, this.statuses, this.hallAgents) ?? this.o.agentId;
    if (winner === this.o.agentId) this.becomeLeader();
    else this.becomeFollower(winner);
  }

  private becomeLeader(): void {
    if (this.role === 'leader') return;
    this.setRole('leader', this.o.agentId);
    // This agent's own forwards that no acting agent answered: decided here now, by their ids (a
    // decision the old acting agent made and published is already in the replica: the first answer stands).
    for (const [id, f] of [...this.forwards]) {
      this.forwards.delete(id);
      f.resolve(this.own(f.cmd, f.leasedNumber));
    }
  }

  private becomeFollower(acting: string): void {
    if (this.role === 'follower' && this.acting === acting) return;
    const demoted = this.role === 'leader';
    this.setRole('follower', acting);
    if (demoted) this.adoptWinner(acting);
    this.askSync(true);
    for (const f of this.forwards.values()) this.send(f);
  }

  /**
   * Two agents acted for the hall at once (each elected itself before it saw the other) and this one
   * lost by the election rule: its decisions were never the hall's. Its replica goes back to the
   * island's start and follows the winner from there (a sync from the start); its outbox loses what it
   * decided, and its own devices' actions among them are forwarded to the winner in order, same ids and
   * leased numbers (an issue keeps its printed number: ticket ids follow numbers), so the winner decides
   * them on the hall's state and both copies agree; what the winner refuses is gone from this copy too.
   * Other agents' actions it decided come back from their owners' outboxes at the return.
   */
  private adoptWinner(winner: string): void {
    const { own: mine, ids } = this.led;
    this.led = { own: [], ids: [] };
    this.log = [];
    // Its seqs are the winner's from here: no part cut from this agent's own decisions is given again.
    this.pager = undefined;
    this.store.drop(ids);
    if (this.snapshot) this.link.rewind(structuredClone(this.snapshot));
    this.o.logger.warn({ acting: winner, decided: ids.length, forwarded: mine.length }, 'island mode: another agent acted at the same time and keeps acting; this agent follows its decisions');
    for (const { cmd, leasedNumber } of mine) {
      if (this.forwards.has(cmd.id)) continue;
      // Its device was answered long ago: the winner's decision only moves the replicas.
      this.forwards.set(cmd.id, { cmd, sentAt: 0, resolve: () => undefined, ...(leasedNumber === undefined ? {} : { leasedNumber }) });
    }
  }

  /** Bounded upkeep, called by the island's watch (≤ 1 s): the broker link, forwards without answer, a sync without answer. */
  tick(now: number): void {
    if (this.role === undefined) return;
    if (!this.link.connected) {
      if (this.role !== 'alone') this.setRole('alone', undefined);
      return;
    }
    if (this.role === 'alone' && !this.decidedAlone && !this.ending) return this.startElecting();
    if (this.role !== 'follower') return;
    for (const f of this.forwards.values()) if (now - f.sentAt >= this.o.retryMs) this.send(f);
    if (this.syncAskedAt > 0 && now - this.syncAskedAt >= this.o.retryMs) this.askSync(true);
  }

  /** A command of one of this agent's devices, in island mode. */
  async run(cmd: Command): Promise<{ outcome: Outcome; seq: number }> {
    // Bounded: the election ends after settleMs.
    if (this.role === 'electing') await new Promise<void>((resolve) => this.settledWaiters.push(resolve));
    if (cmd.type === 'CheckIn') return { outcome: rejectedOwn('invalid-command', 'appointment check-in waits for the server'), seq: this.link.replica.seq };
    if (this.role !== 'follower') {
      let n: number | undefined;
      if (cmd.type === 'IssueTicket') {
        n = this.local.ownNumber(cmd.serviceId);
        if (n === undefined) return { outcome: rejectedOwn('numbers-out', 'no leased number left in island mode'), seq: this.link.replica.seq };
      }
      return this.own(cmd, n);
    }
    let leasedNumber: number | undefined;
    if (cmd.type === 'IssueTicket') {
      leasedNumber = this.local.ownNumber(cmd.serviceId);
      if (leasedNumber === undefined) return { outcome: rejectedOwn('numbers-out', 'no leased number left in island mode'), seq: this.link.replica.seq };
      // On disk before it leaves: whatever happens to the answer, this number is never offered again.
      this.store.markUsed(this.local.day(), cmd.serviceId, leasedNumber);
    }
    const known = own(this.link.replica.state.commands, cmd.id);
    if (known) return { outcome: known, seq: this.link.replica.seq };
    const answered = new Promise<{ outcome: Outcome; seq: number }>((resolve) => {
      const f: Forwarded = { cmd, sentAt: 0, resolve, ...(leasedNumber === undefined ? {} : { leasedNumber }) };
      this.forwards.set(cmd.id, f);
      this.send(f);
    });
    if (KIOSK_COMMANDS.has(cmd.type)) return answered;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<{ outcome: Outcome; seq: number }>((resolve) => {
      timer = setTimeout(() => resolve({ outcome: rejectedOwn('invalid-command', 'no answer from the acting agent in time; resolved by its id later'), seq: this.link.replica.seq }), this.o.answerMs);
      timer.unref();
    });
    return Promise.race([answered, late]).finally(() => clearTimeout(timer));
  }

  /** Decided on this agent (acting for the hall, or alone). */
  private own(cmd: Command, leasedNumber: number | undefined): { outcome: Outcome; seq: number } {
    const d = this.local.decide(cmd, undefined, leasedNumber);
    if (this.role === 'alone' && d.events.length > 0) this.decidedAlone = true;
    this.publish(d);
    return { outcome: d.outcome, seq: d.seq };
  }

  private publish(d: Decided): void {
    if (this.role !== 'leader' || d.events.length === 0) return;
    if (d.entry) {
      this.led.ids.push(d.entry.command.id);
      if (d.entry.for === this.o.agentId) this.led.own.push({ cmd: d.entry.command as Command, ...(d.entry.leasedNumber === undefined ? {} : { leasedNumber: d.entry.leasedNumber }) });
    }
    const batch: IslandBatch = { events: d.events as IslandBatch['events'], ...(d.entry ? { entry: d.entry } : {}) };
    this.log.push(batch);
    this.link.publishIsland(this.link.t.islandEvents(this.o.agentId), batch);
  }

  private send(f: Forwarded): void {
    f.sentAt = Date.now();
    if (this.role !== 'follower' || !this.acting) return;
    const body: IslandForward = { type: 'command', to: this.acting, command: f.cmd as never, ...(f.leasedNumber === undefined ? {} : { leasedNumber: f.leasedNumber }) };
    this.link.publishIsland(this.link.t.islandForward(this.o.agentId), body);
  }

  private askSync(force: boolean): void {
    const now = Date.now();
    if (!this.acting || this.role !== 'follower' || (!force && this.syncAskedAt > 0)) return;
    this.syncAskedAt = now;
    this.link.publishIsland(this.link.t.islandForward(this.o.agentId), { type: 'sync', to: this.acting, after: this.link.replica.seq } satisfies IslandForward);
  }

  private onMessage(m: IslandMessage): void {
    switch (m.kind) {
      case 'status':
        if (m.agent === this.o.agentId) return;
        this.statuses.set(m.agent, m.status);
        for (const w of [...this.statusWaiters]) w();
        // A new candidate, a dead acting agent (its last will): the election again (not while settling).
        if (this.role === 'leader' || this.role === 'follower') this.elect();
        return;
      case 'forward':
        if (this.role !== 'leader' || m.body.to !== this.o.agentId || m.from === this.o.agentId) return;
        if (m.body.type === 'sync') return this.answerSync(m.from, m.body.after);
        if (m.body.type === 'state') return this.answerState(m.from, m.body.part, m.body.seq);
        return this.decideFor(m.from, m.body);
      case 'answer': {
        if (m.body.type === 'state' || m.body.type === 'state-moved') {
          // Only the agent asked (the acting one by the statuses), by its topic; only the part asked.
          const w = this.stateWait;
          if (!w || m.from !== w.from || m.body.part !== w.part || (w.seq !== undefined && m.body.seq !== w.seq)) return;
          const b = m.body;
          return w.resolve(b.type === 'state-moved' ? 'moved' : { seq: b.seq, part: b.part, parts: b.parts, chunk: b.chunk });
        }
        if (m.from !== this.acting) return;
        if (m.body.type === 'batches') {
          this.syncAskedAt = 0;
          for (const b of m.body.batches) if (!this.applyBatch(b)) return;
          if (m.body.more) this.askSync(true);
          return;
        }
        const f = this.forwards.get(m.body.commandId);
        if (!f) return;
        this.forwards.delete(m.body.commandId);
        f.resolve({ outcome: m.body.outcome as Outcome, seq: m.body.seq });
        return;
      }
      case 'batch':
        if (this.role !== 'follower' || m.from !== this.acting) return;
        this.applyBatch(m.body);
        return;
    }
  }

  /** The acting agent's decision on this agent's replica, its entry mirrored into this agent's outbox. False on a gap (asked for). */
  private applyBatch(b: IslandBatch): boolean {
    const last = b.events[b.events.length - 1]?.seq ?? 0;
    if (last <= this.link.replica.seq) return true;
    if (this.link.applyIsland(b.events as HallEvent[]) === 'gap') {
      this.askSync(false);
      return false;
    }
    // An acting agent of an older version mirrors an issue with its card holder's birth date: kept without it (core withoutBirthDate).
    if (b.entry) this.store.append(this.local.day(), { command: withoutBirthDate(b.entry.command as Command, issuedWithPriority(b.events as HallEvent[])), at: b.entry.at, for: b.entry.for, ...(b.entry.leasedNumber === undefined ? {} : { leasedNumber: b.entry.leasedNumber }), ...(b.entry.ticketId ? { ticketId: b.entry.ticketId } : {}) });
    this.log.push(b);
    return true;
  }

  /**
   * A part of this acting agent's replica state for a hall agent that joins the island (restarted during
   * it): cut below this agent's message cap as the server cuts its state (StatePager, the last few seqs
   * kept, so a joining agent finishes its copy while the hall moves on; an older seq: `state-moved`).
   */
  private answerState(to: string, part: number, seq: number | undefined): void {
    if (!this.hallAgents.includes(to)) return;
    this.pager ??= new StatePager(this.link.maxMessageBytes);
    const p = this.pager.part(this.link.replica.state, part, seq);
    const topic = this.link.t.islandAnswer(this.o.agentId, to);
    this.link.publishIsland(topic, p ? { type: 'state', ...p } : { type: 'state-moved', seq: seq ?? this.link.replica.seq, part });
  }

  private answerSync(to: string, after: number): void {
    const rest = this.log.filter((b) => (b.events[b.events.length - 1]?.seq ?? 0) > after);
    // Below the message cap: fewer batches per answer until it fits (one batch always fits: it was published).
    for (let size = SYNC_PAGE; size >= 1; size = Math.floor(size / 2)) {
      const page = rest.slice(0, size);
      if (this.link.publishIsland(this.link.t.islandAnswer(this.o.agentId, to), { type: 'batches', batches: page, more: rest.length > page.length })) return;
    }
  }

  /**
   * A command forwarded by agent `from` (the topic's id: the broker lets only that agent publish there).
   * Accepted only for a device that agent owns by the hall config (the server's own rule), and an issue
   * only with a number of that agent's lease that no ticket holds.
   * The answer leaves this agent as the server's would (publicOutcome): a detail that echoes the
   * forwarded input is worded by the personal-data rule, the hall's own values are shown as they are.
   */
  private decideFor(from: string, body: Extract<IslandForward, { type: 'command' }>): void {
    const answer = (outcome: Outcome) =>
      this.link.publishIsland(this.link.t.islandAnswer(this.o.agentId, from), { type: 'answer', commandId: body.command.id, outcome: publicOutcome(outcome), seq: this.link.replica.seq });
    const auth = this.authorize(from, { id: body.command.id, type: 'command', command: body.command });
    if (!auth.ok || auth.request.type !== 'command') {
      if (!auth.ok) this.o.logger.warn({ agent: from, rule: auth.log.rule, command: body.command.type }, 'forwarded command refused');
      // The rule's words name the hall's own agent, command type and window; an unknown agent's id is an echo.
      if (auth.ok) return void answer(rejectedOwn('invalid-command', 'not a command'));
      return void answer(auth.log.rule === 'unknown-agent' ? rejected('invalid-command', auth.error.message) : rejectedOwn('invalid-command', auth.error.message));
    }
    const cmd = auth.request.command as Command;
    const state = this.link.replica.state;
    const known = own(state.commands, cmd.id);
    if (known) return void answer(known);
    if (cmd.type === 'CheckIn') return void answer(rejectedOwn('invalid-command', 'appointment check-in waits for the server'));
    if (cmd.type === 'IssueTicket') {
      const n = body.leasedNumber;
      if (n === undefined || !state.config || islandNumber(state, state.config, cmd.serviceId, { agentId: from, number: n }) === undefined) {
        return void answer(rejectedOwn('numbers-out', 'no leased number of that kiosk left in island mode'));
      }
    }
    const d = this.local.decide(cmd, from, cmd.type === 'IssueTicket' ? body.leasedNumber : undefined);
    this.publish(d);
    answer(d.outcome);
  }
}
