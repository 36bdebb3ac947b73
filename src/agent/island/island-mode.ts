import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../drivers/common/logger.js';
import { execute, freeLeased, issuingRefusal, leasesOf, numbersToReturn, rejected, rejectedOwn, replayFormOf, serviceOf, type Command, type HallState, type IslandConflict, type Outcome } from '../../core/index.js';
import { commandDataSchema } from '../../bus/event-schema.js';
import type { ServerStatus } from '../../bus/messages.js';
import type { AgentLink } from '../link.js';
import type { IslandStore } from './store.js';
import type { AgentEntry } from '../../config/schema.js';
import type { IslandEntryWire } from '../../bus/island-messages.js';
import { HallIsland, type Decided } from './hall-island.js';
import type { IslandContacts } from './contacts.js';

/** A kiosk's commands: they carry the agent whose kiosk sent them (core/commands.ts kioskAgent). */
const KIOSK_TYPES: ReadonlySet<Command['type']> = new Set(['IssueTicket', 'CheckIn', 'PrintConfirmed', 'PrintFailed', 'ReturnNumbers']);

/** A restarted agent whose acting agent sent no state in time asks it again after this long (ms), while it waits for the server. */
const JOIN_RETRY_MS = 5000;

/** How long a follower waits at the return for the agent it followed to return first (ms; then it returns anyway). */
const ACTING_RETURN_MS = 30_000;
/**
 * In island mode with the broker link up and the server's status online (the island came from a request
 * that waited too long, not from the server's last will): how often the agent asks the server whether it
 * answers again (a one-event request; the return starts at its answer). The server's retained status is
 * sent only when it changes, so no periodic status says so, and a server that is frozen answers nothing.
 */
const RETURN_RETRY_MS = 3000;

export type IslandPhase = 'online' | 'island' | 'returning';

export interface IslandOptions {
  agentId: string;
  /** Seconds without the server before this agent goes island. */
  afterSeconds: number;
  clock?: () => number;
  logger: Logger;
  /**
   * The hall's agents (config): with them, the agents in island mode elect one to act for the whole
   * hall while the broker is up (HallIsland). Without, every agent islands alone for its own devices.
   */
  hallAgents?: readonly AgentEntry[];
  /** The numbers citizens gave at this agent's kiosk during an island (sealed): sent to the server after each return. */
  contacts?: IslandContacts;
}

/**
 * Island mode on an agent (DESIGN §7, README "Island mode"). The server counts as away when its
 * retained status says offline (its last will), when the broker link is down, or when a request has
 * gone unanswered (waiting still, or withdrawn with no answer since); after `afterSeconds` of that the
 * agent runs the real core on its replica for its own devices: the kiosk issues from its leased
 * numbers, keypads call, recall, mark no-show and complete, screens and voice follow, ratings are taken. Every action the island took is kept
 * in the outbox (IslandStore, synchronous=FULL) before the hall sees it. When the server's status
 * says online again, the outbox is replayed in order with its ids (the server's decision stands),
 * then the replica starts again from the server's state.
 */
export class IslandMode {
  phase: IslandPhase = 'online';
  private downSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly offs: (() => void)[] = [];
  private returning: Promise<void> | undefined;
  /** When the server was last asked whether it answers (check(), every RETURN_RETRY_MS while in island mode). */
  private askedAt = -Infinity;
  /** A question to the server still unanswered: one at a time (the link repeats it until answered). */
  private asking = false;
  private toldImpossible = false;
  /** Opens the link's hold on the devices' commands (set while a restart's outbox goes back). */
  private releaseHold: (() => void) | undefined;
  /** What the last return found, for the operator (logged) and tests. */
  readonly conflicts: IslandConflict[] = [];
  private readonly phaseListeners = new Set<(p: IslandPhase) => void>();
  /** ReturnNumbers sent and not yet answered (by command id). */
  private readonly givingBack = new Set<string>();
  /** The acting agent's election and the forwarding (island mode with the broker up); undefined without the hall's agents. */
  readonly hall: HallIsland | undefined;
  /** The acting agent whose running island this agent joined at its start (joinRunning), its outbox kept for the return. */
  private joinedAs: string | undefined;

  constructor(
    private readonly link: AgentLink,
    private readonly store: IslandStore,
    private readonly o: IslandOptions,
  ) {
    const limit = o.afterSeconds * 1000;
    this.hall = o.hallAgents
      ? new HallIsland(
          link,
          store,
          { decide: (cmd, forAgent, n) => this.decide(cmd, forAgent, n), ownNumber: (serviceId) => this.ownNumber(serviceId), day: () => link.replica.state.day },
          { agentId: o.agentId, agents: o.hallAgents, settleMs: Math.min(2000, Math.max(300, limit / 2)), retryMs: Math.min(2000, Math.max(300, limit / 2)), answerMs: 8000, logger: o.logger },
        )
      : undefined;
  }

  private now(): number {
    return (this.o.clock ?? Date.now)();
  }

  /** Each change of phase (online → island → returning → online). */
  onPhase(fn: (p: IslandPhase) => void): () => void {
    this.phaseListeners.add(fn);
    return () => this.phaseListeners.delete(fn);
  }

  private setPhase(p: IslandPhase): void {
    this.phase = p;
    this.link.setIslandPhase(p);
    for (const fn of this.phaseListeners) fn(p);
  }

  /** Listens to the island topics from the agent's start, before the catch-up: the statuses say who acts for the hall (joinRunning). */
  listen(): void {
    this.hall?.start();
  }

  /**
   * An agent restarted during an island, the server away (no answer to its start's catch-up) and the
   * broker up: when the retained statuses name an agent acting for the hall (the election rule, its own
   * status saying it acts), this agent reads that agent's replica state over the broker (HallIsland.
   * fetchState: only from that agent's topic, in parts below the message cap, every wait bounded), loads
   * it and joins the island as a follower from there (README "Island mode"). Its own outbox from before
   * the restart stays, to go back first at the return. Without an answer it says so once, keeps waiting
   * for the server and asks again every JOIN_RETRY_MS. True once joined; false when `stop` aborts (the
   * server answered the catch-up first) or the server's state is on the replica already.
   */
  async joinRunning(stop: AbortSignal): Promise<boolean> {
    const hall = this.hall;
    if (!hall) return false;
    let toldSilent = false;
    while (!stop.aborted) {
      const acting = await new Promise<string | undefined>((resolve) => {
        const check = () => {
          const a = stop.aborted ? undefined : this.link.connected ? hall.actingNow() : undefined;
          if (a === undefined && !stop.aborted) return;
          off();
          stop.removeEventListener('abort', check);
          resolve(a);
        };
        const off = hall.onStatus(check);
        stop.addEventListener('abort', check);
        check();
      });
      if (acting === undefined) return false;
      const state = await hall.fetchState(acting);
      if (stop.aborted || this.link.replica.seq !== 0) return false;
      if (state && state.config !== null && hall.actingNow() === acting) {
        this.joinAt(acting, state);
        return true;
      }
      if (!toldSilent) {
        toldSilent = true;
        this.o.logger.warn({ acting }, 'the acting agent did not send the hall state; still waiting for the hall server, and asking it again');
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          stop.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, JOIN_RETRY_MS);
        timer.unref();
        stop.addEventListener('abort', done);
      });
    }
    return false;
  }

  /** The acting agent's state on the replica and this agent in its island as a follower, at once (no server event or catch-up moves the replica from here). */
  private joinAt(acting: string, state: HallState): void {
    this.link.replica.load(state);
    this.joinedAs = acting;
    this.askedAt = this.now();
    this.link.divert = (cmd) => this.run(cmd);
    this.setPhase('island');
    this.hall?.join(acting);
    const outbox = this.store.pending().length;
    this.o.logger.warn({ acting, seq: state.seq, islandOutbox: outbox }, `island mode: restarted during an island, this agent joins the one ${acting} runs; its devices open now${outbox ? `, and its island outbox of ${outbox} actions goes back at the return, first` : ''}`);
  }

  start(): void {
    this.keepLeases();
    this.offs.push(
      this.link.onEvent((e) => {
        if (e.type === 'NumbersLeased' && e.agentId === this.o.agentId) this.keepLeases();
        if (e.type === 'TicketIssued' || e.type === 'NumbersLeased' || e.type === 'NumbersReturned' || e.type === 'DayStarted') this.giveBack();
      }),
      this.link.onResync(() => {
        this.keepLeases();
        this.giveBack();
      }),
      this.link.onServerStatus((s) => this.onStatus(s)),
    );
    const every = Math.min(1000, Math.max(100, (this.o.afterSeconds * 1000) / 5));
    this.timer = setInterval(() => this.check(), every);
    this.timer.unref();
    this.hall?.start();
    // An outbox left by an island before a restart goes back now (the start caught up, so the server
    // answers), and before any new command of this agent's devices: a key pressed meanwhile waits its
    // answer time at most, then is withdrawn (AgentLink.holdCommands).
    const pending = this.store.pending().length;
    // Joined a running island at the start: the outbox waits for the return (the server is away), as any island's does.
    if (pending > 0 && this.joinedAs === undefined) {
      this.o.logger.warn({ pending }, 'island outbox not yet returned: returning it before any new device command');
      this.link.holdCommands(new Promise<void>((resolve) => (this.releaseHold = resolve)));
      void this.returnToServer().catch((e: unknown) => this.o.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'island outbox return failed; it is tried again at the next server status'));
    } else if ((this.o.contacts?.kept ?? 0) > 0) {
      // Stopped after the outbox went back and before every number did: the rest go now.
      void this.o.contacts?.returnAll();
    }
    // A reserve beyond this agent's share goes back now, not at the hall's next ticket: while this agent
    // was down its share shrank, and refusals change nothing the event handler above would hear.
    this.giveBack();
  }

  /** The devices' commands go on (to the server, or to the island once it began). */
  private release(): void {
    const release = this.releaseHold;
    this.releaseHold = undefined;
    release?.();
  }

  stop(): void {
    this.release();
    clearInterval(this.timer);
    this.hall?.stop();
    for (const off of this.offs.splice(0)) off();
  }

  private keepLeases(): void {
    const s = this.link.replica.state;
    if (s.day !== '') this.store.keepLeases(s.day, leasesOf(s, this.o.agentId));
  }

  /**
   * Gives back the leased numbers beyond this agent's share of what is left of the quota (core/lease.ts
   * numbersToReturn), so the day's last tickets are issued online rather than held in a reserve. Only
   * online with nothing left to return from an island (the server's state is then the whole day's):
   * each number is marked used in the island file before it is sent, so no island of this agent issues
   * it, whether or not the message arrives (an unanswered one is sent again at the next change).
   */
  private giveBack(): void {
    if (this.phase !== 'online' || !this.link.connected || this.store.pending().length > 0) return;
    const state = this.link.replica.state;
    for (const r of numbersToReturn(state, this.o.agentId)) {
      const id = `return-${state.day}-${this.o.agentId}-${r.serviceId}-${String(r.from)}-${String(r.to)}`;
      if (this.givingBack.has(id)) continue;
      this.givingBack.add(id);
      for (let n = r.from; n <= r.to; n++) this.store.markUsed(state.day, r.serviceId, n);
      this.link.send({ id, type: 'ReturnNumbers', serviceId: r.serviceId, from: r.from, to: r.to }).then(
        (outcome) => {
          this.givingBack.delete(id);
          // Not held (any more): given back by an earlier send whose event this replica had not applied when the
          // next change asked again; the numbers are marked used here either way, so nothing is lost.
          if (!outcome.ok && outcome.code === 'numbers-not-held') this.o.logger.info({ service: r.serviceId, from: r.from, to: r.to }, 'leased numbers already given back');
          else if (!outcome.ok) this.o.logger.warn({ service: r.serviceId, from: r.from, to: r.to, code: outcome.code }, 'leased numbers not given back');
        },
        () => this.givingBack.delete(id),
      );
    }
  }

  private onStatus(s: ServerStatus): void {
    if (!s.online) {
      this.downSince ??= this.now();
      return;
    }
    this.downSince = undefined;
    this.hall?.serverBack();
    if (this.phase === 'island' || (this.phase === 'online' && this.store.pending().length > 0)) void this.returnToServer();
  }

  /**
   * Bounded detection: the server's last will, a lost broker, or requests the server left unanswered
   * (AgentLink.unansweredMs: withdrawn ones too, so a keypad's presses count on a link that hangs).
   */
  private check(): void {
    const now = this.now();
    if (!this.link.connected) this.downSince ??= now;
    // A duration on the link's own clock: this one may be a hall clock set to another day (tests).
    const waited = this.link.unansweredMs();
    const limit = this.o.afterSeconds * 1000;
    const since = Math.min(this.downSince ?? now, now - waited);
    if (this.phase === 'online' && now - since >= limit) this.enter(now - since);
    if (this.phase === 'island') this.hall?.tick(now);
    if (this.phase === 'island' && this.link.connected && this.downSince === undefined && !this.asking && now - this.askedAt >= RETURN_RETRY_MS) this.askServer(now);
  }

  /** Does the server answer again? Its answer (any) starts the return, as an online status does. */
  private askServer(now: number): void {
    this.asking = true;
    this.askedAt = now;
    this.link.request({ id: randomUUID(), type: 'events', after: 0, limit: 1 }).then(
      () => {
        this.asking = false;
        if (this.phase === 'island') void this.returnToServer();
      },
      () => {
        this.asking = false;
      },
    );
  }

  private enter(awayMs: number): void {
    // The first question to the server comes RETURN_RETRY_MS after entering, not at once.
    this.askedAt = this.now();
    if (this.link.replica.state.config === null) {
      if (!this.toldImpossible) this.o.logger.error({}, 'island mode impossible: this agent never received the hall state');
      this.toldImpossible = true;
      return;
    }
    // With the hall's agents the election says next who acts for the hall (hall-island.ts setRole): not this agent before it has.
    if (this.hall) this.o.logger.warn({ awayMs }, 'island mode: the server is unreachable; the hall\'s agents choose one to act for the hall');
    else this.o.logger.warn({ awayMs }, 'island mode: the server is unreachable; this agent runs the hall for its own devices');
    this.link.divert = (cmd) => this.run(cmd);
    // Held commands are decided by the island now, after the outbox's entries (kept in order).
    this.release();
    this.setPhase('island');
    this.hall?.enter();
    this.link.divertWaiting();
  }

  /**
   * One command of this agent's devices in island mode: with the hall's agents, as the acting agent
   * decides (here or forwarded to it); alone, on this agent's core: decided, kept in the outbox, then
   * shown and answered.
   */
  run(body: Command): Promise<{ outcome: Outcome; seq: number }> {
    const state = this.link.replica.state;
    const cmd = { ...body, id: (body as { id?: string }).id ?? `island-${this.o.agentId}-${randomUUID()}` } as Command;
    if (this.hall) return this.hall.run(cmd);
    if (cmd.type === 'CheckIn') return Promise.resolve({ outcome: rejectedOwn('invalid-command', 'appointment check-in waits for the server'), seq: state.seq });
    let leasedNumber: number | undefined;
    if (cmd.type === 'IssueTicket') {
      leasedNumber = this.ownNumber(cmd.serviceId);
      if (leasedNumber === undefined) return Promise.resolve({ outcome: rejectedOwn('numbers-out', 'no leased number left in island mode'), seq: state.seq });
    }
    const d = this.decide(cmd, undefined, leasedNumber);
    return Promise.resolve({ outcome: d.outcome, seq: d.seq });
  }

  /** This agent's next leased number of a service that it never issued (its island file says, even after a restart). */
  private ownNumber(serviceId: string): number | undefined {
    const state = this.link.replica.state;
    return freeLeased(state, this.o.agentId, serviceId).find((n) => !this.store.used(state.day, serviceId, n));
  }

  /**
   * The real core on the replica: `cmd` for the device of `forAgent` (this agent's own when undefined),
   * an issue with `leasedNumber` of that agent's lease. The decision is in the outbox before the hall
   * sees it (listeners, screens, voice).
   */
  private decide(body: Command, forAgent: string | undefined, leasedNumber: number | undefined): Decided {
    const state = this.link.replica.state;
    const now = this.now();
    const agent = forAgent ?? this.o.agentId;
    // A kiosk's command carries the agent whose kiosk it came from (the forwarding topic's, or this one's),
    // as the server sets it from the request topic: only that agent settles the ticket's print.
    if (body.type === 'IssueTicket' && state.config) {
      const service = serviceOf(state.config, body.serviceId);
      // The core lets a leased issue through without the hours (its replay may run late): asked here first.
      const hours = service && issuingRefusal(state.config, service, now);
      if (hours) return { outcome: rejected(hours), seq: state.seq, events: [] };
    }
    const kiosk = KIOSK_TYPES.has(body.type) ? { kioskAgent: agent } : {};
    const cmd = (body.type === 'IssueTicket' && leasedNumber !== undefined ? { ...body, ...kiosk, leased: { agentId: agent, number: leasedNumber } } : { ...body, ...kiosk }) as Command;
    const r = execute(state, cmd, now);
    const replay = replayFormOf(cmd, r.outcome, r.events);
    let entry: IslandEntryWire | undefined;
    if (replay) {
      // The wire form: the lease travels as leasedNumber and the kiosk's agent as the sender, both bound to their agent by the topic (or `for`).
      const { leased: _leased, kioskAgent: _kioskAgent, ...wire } = replay as Command & { leased?: unknown; kioskAgent?: unknown };
      const ticketId = cmd.type === 'IssueTicket' && r.outcome.ok && r.outcome.ticketId ? r.outcome.ticketId : undefined;
      const n = cmd.type === 'IssueTicket' ? leasedNumber : undefined;
      this.store.append(state.day, {
        command: wire as Command,
        at: now,
        ...(n === undefined ? {} : { leasedNumber: n }),
        ...(ticketId ? { ticketId } : {}),
        ...(forAgent === undefined || forAgent === this.o.agentId ? {} : { for: forAgent }),
      });
      entry = { command: wire as never, at: now, for: forAgent ?? this.o.agentId, ...(n === undefined ? {} : { leasedNumber: n }), ...(ticketId ? { ticketId } : {}) };
    }
    this.link.emitLocal(r.events);
    return { outcome: r.outcome, seq: state.seq, events: r.events, ...(entry ? { entry } : {}) };
  }

  /** The return: the outbox in order, then the server's state. One at a time. */
  returnToServer(): Promise<void> {
    this.returning ??= (async () => {
      const wasIsland = this.phase === 'island';
      // This return's conflicts (the list keeps every episode's).
      const conflictsBefore = this.conflicts.length;
      if (wasIsland) this.setPhase('returning');
      let replayed = 0;
      try {
        // A follower's outbox mirrors the acting agent's decisions, which the server takes only from that
        // agent (trust at the return): it goes first, so this agent's calls of its tickets find them.
        if (wasIsland) await this.hall?.actingReturned(ACTING_RETURN_MS);
        for (let batch = this.store.pending(); batch.length > 0; batch = this.store.pending()) {
          for (const [i, entry] of batch.entries()) {
            const last = i === batch.length - 1;
            const res = await this.link.request({
              id: randomUUID(),
              type: 'island',
              command: entry.command as never,
              at: entry.at,
              ...(entry.leasedNumber === undefined ? {} : { leasedNumber: entry.leasedNumber }),
              ...(entry.for === undefined || entry.for === this.o.agentId ? {} : { for: entry.for }),
              ...(last ? { last: true } : {}),
            });
            if (res.status === 'error') {
              // Refused as a request (not as a decision): it can never be taken; the operator reads why.
              this.o.logger.error({ commandId: entry.command.id, code: res.error.code }, 'island action refused by the server');
            } else {
              const data = commandDataSchema.safeParse(res.data);
              const conflict = (res.data as { conflict?: IslandConflict }).conflict;
              if (conflict) this.conflicts.push(conflict);
              const serverTicket = data.success && data.data.outcome.ok ? data.data.outcome.ticketId : undefined;
              if (entry.ticketId && serverTicket && serverTicket !== entry.ticketId) this.store.renameTicket(entry.ticketId, serverTicket);
            }
            this.store.done(entry.n);
            replayed += 1;
          }
        }
        // Nothing left: from here commands go to the server again (synchronously with the check above).
        this.link.divert = undefined;
        await this.link.resync();
        this.o.logger.info({ replayed, conflicts: this.conflicts.length - conflictsBefore }, 'island mode over: outbox returned, replica from the server');
        this.setPhase('online');
        this.hall?.leave();
        // The island's tickets are the server's now (renumbered ones renamed in the store): their numbers follow.
        void this.o.contacts?.returnAll();
      } finally {
        this.returning = undefined;
        // Returned (or failed: then bounded rather than holding the devices for ever; the rest goes at the next status).
        this.release();
      }
    })();
    return this.returning;
  }
}
