import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { HallqError, type ErrorCode } from '../../drivers/common/error.js';
import type { Logger } from '../../drivers/common/logger.js';
import { emptyState, type Command, type CommandBody, type HallEvent, type HallState, type Outcome } from '../core/index.js';
import { commandDataSchema, contactDataSchema, eventSchema, eventsDataSchema, hallStateSchema, responseSchema, serverStatusSchema, statePartDataSchema } from '../bus/event-schema.js';
import { parseJson, type AgentStatus, type DeviceHealth, type Request, type Response, type ServerStatus } from '../bus/messages.js';
import { DEFAULT_MAX_MESSAGE_BYTES, type StatePart } from '../bus/paging.js';
import { noDelayOn } from '../bus/no-delay.js';
import { reconnectWithBackoff, type ReconnectPolicy } from '../bus/reconnect.js';
import { topics, type Topics } from '../bus/topics.js';
import { logHead } from '../bus/log-head.js';
import { Replica } from './replica.js';
import { settledWithin } from '../ops/bounded.js';
import { Throttle } from '../bus/throttle.js';
import { agentStatusSchema, islandAnswerSchema, islandBatchSchema, islandForwardSchema, type IslandAnswer, type IslandBatch, type IslandForward } from '../bus/island-messages.js';
import type { z } from 'zod';

/** An island message as the link read it (schema-checked); the ids come from the topic, never the payload. */
export type IslandMessage =
  | { kind: 'status'; agent: string; status: z.infer<typeof agentStatusSchema> }
  | { kind: 'forward'; from: string; body: IslandForward }
  | { kind: 'answer'; from: string; body: IslandAnswer }
  | { kind: 'batch'; from: string; body: IslandBatch };

export interface LinkOptions {
  url: string;
  hall: string;
  agentId: string;
  username?: string;
  password?: string;
  /** How long one request waits for its answer before it is sent again (same id: safe). */
  requestTimeoutMs?: number;
  /** Largest payload this agent publishes (default 128 KiB); a request above it is refused, not sent. */
  maxMessageBytes?: number;
  /** Backoff of reconnects to the broker (default defaultReconnect: 0.5 s doubling to 30 s, jittered). */
  reconnect?: ReconnectPolicy;
}

/**
 * Tries of one catch-up request the server answers BUSY (it makes a few catch-up answers per agent at
 * a time: README "MQTT API"), with a pause between them of 0.5 s doubling to 8 s, jittered; after the
 * last the catch-up stops, as on any refusal, until the next gap or reconnect.
 */
const BUSY_TRIES = 6;

type Pending = { resolve: (r: Response) => void; timer: NodeJS.Timeout | undefined; payload: string; since: number };

/**
 * How an event reached the replica: `live` when it came on the event topic in order, as it happened;
 * not live when it was replayed by a catch-up (after a gap or a reconnect). Side effects (voice, the
 * screens' call flash, beeps) follow live events only; a replayed one only moves the replica.
 * `islandReplay`: an island action another agent replayed on the server on its return (live on the
 * topic, but history: screens follow it, voice does not speak it).
 */
export interface Delivery {
  live: boolean;
  islandReplay: boolean;
}

/** The island code's name for the same. */
export type EventMeta = Delivery;

/** A command sent to the server (its id set) and its answer to come (see AgentLink.onSent). */
export interface SentCommand {
  command: Command;
  answer: Promise<{ outcome: Outcome; seq: number }>;
}

/**
 * The agent's link to the hall server over MQTT: its replica of the state, requests with ids and
 * answers, catch-up after a gap or a reconnect, and its retained availability with a last will.
 */
export class AgentLink {
  readonly replica = new Replica();
  readonly t: Topics;
  private client: MqttClient | undefined;
  private readonly pending = new Map<string, Pending>();
  private catchingUp: Promise<void> | undefined;
  /** The catch-up in progress replaced the replica with the server's state. */
  private loadedState = false;
  private readonly listeners = new Set<(e: HallEvent, d: Delivery) => void>();
  private readonly caughtUpListeners = new Set<(replayed: HallEvent[]) => void>();
  /** Events applied by the catch-up in progress, handed to onCaughtUp listeners when it ends. */
  private replayed: HallEvent[] = [];
  private readonly statusListeners = new Set<(s: ServerStatus) => void>();
  private readonly resyncListeners = new Set<() => void>();
  /**
   * Island mode (src/agent/island): while set, commands run on this agent's core instead of the
   * server, server events are not applied, and no contact leaves the agent.
   */
  divert: ((cmd: Command) => Promise<{ outcome: Outcome; seq: number }>) | undefined;
  /**
   * While set, commands (the devices') wait here before they are sent: an island outbox left by a
   * restart goes back first (IslandMode.start). A command with `withinMs` is withdrawn unsent at its bound.
   */
  private held: Promise<void> | undefined;
  connected = false;
  /** stop() was called: the connection's end is ours, not a loss. */
  private stopping = false;
  private islandPhase: NonNullable<AgentStatus['island']> = 'online';
  private islandRole: Pick<AgentStatus, 'role' | 'acting'> = {};
  /** Island topics subscribed (island mode configured): agents' statuses, forwards, answers, island events. */
  private islandTopics = false;
  private readonly islandListeners = new Set<(m: IslandMessage) => void>();
  private readonly sentListeners = new Set<(s: SentCommand) => void>();
  /**
   * When the first request sent since the server last showed itself was sent (its answer to any request,
   * or an online status it published live); undefined when none was. It outlives the request: a keypad
   * press is withdrawn after 8 s, before island mode's afterSeconds, and a link that hangs without closing
   * (the broker frozen, the server's box without power) otherwise left no evidence until the keepalive.
   */
  private unansweredSince: number | undefined;
  reconnects = 0;
  private devices: DeviceHealth[] = [];
  /** The retained agent status follows the replica's seq: refreshed after events, at most once a second. */
  private readonly statusRefresh = new Throttle(() => {
    if (this.connected) this.publishStatus(true);
  }, 1000);

  constructor(
    private readonly opts: LinkOptions,
    private readonly logger: Logger,
  ) {
    this.t = topics(opts.hall);
  }

  /**
   * Each command this agent sends to the server, its id given, with the promise of its answer
   * (a rejected promise when it failed): the demo's console echoes a key's own outcome by its id.
   * Not called for commands island mode decides (their ids are the island's).
   */
  onSent(fn: (s: SentCommand) => void): () => void {
    this.sentListeners.add(fn);
    return () => this.sentListeners.delete(fn);
  }

  /** Every event applied to the replica, in order (the island's own ones included), and how it came (see Delivery). */
  onEvent(fn: (e: HallEvent, d: Delivery) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * After a catch-up that applied events (a reconnect, a gap, a state load): the events it replayed,
   * in order (empty when the state was loaded whole). The replica is current when this runs, so a
   * listener shows or announces what is current now, never the history.
   */
  onCaughtUp(fn: (replayed: HallEvent[]) => void): () => void {
    this.caughtUpListeners.add(fn);
    return () => this.caughtUpListeners.delete(fn);
  }

  /** The server's retained status as it arrives (its last will says online:false). */
  onServerStatus(fn: (s: ServerStatus) => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  /** After the replica was replaced by the server's state (the return from island mode). */
  onResync(fn: () => void): () => void {
    this.resyncListeners.add(fn);
    return () => this.resyncListeners.delete(fn);
  }

  /** Island mode: hands events its own core applied to the replica to the listeners. */
  emitLocal(events: readonly HallEvent[]): void {
    for (const e of events) for (const fn of this.listeners) fn(e, { live: true, islandReplay: false });
  }

  /** Island mode's phase, in this agent's retained status (admin lists islanded agents). */
  setIslandPhase(phase: NonNullable<AgentStatus['island']>): void {
    this.islandPhase = phase;
    if (this.connected) this.publishStatus(true);
  }

  /** Island mode with the broker up: this agent's role and the acting agent, in its retained status. */
  setIslandRole(role: Pick<AgentStatus, 'role' | 'acting'>): void {
    this.islandRole = role;
    if (this.connected) this.publishStatus(true);
  }

  /** Subscribes the island topics (now and after every reconnect) and hands their messages, schema-checked, to `fn`. */
  onIsland(fn: (m: IslandMessage) => void): () => void {
    this.islandListeners.add(fn);
    if (!this.islandTopics) {
      this.islandTopics = true;
      if (this.connected) this.subscribeIsland();
    }
    return () => this.islandListeners.delete(fn);
  }

  private subscribeIsland(): void {
    this.client?.subscribe([this.t.agentStatusAll, this.t.islandForwardAll, this.t.islandAnswerAll(this.opts.agentId), this.t.islandEventsAll], { qos: 1 });
  }

  /** Publishes an island message on one of this agent's own island topics (QoS 1). False when not sent (no link, too large). */
  publishIsland(topic: string, body: unknown): boolean {
    const payload = JSON.stringify(body);
    if (!this.connected || !this.client || this.tooLarge(topic, payload)) return false;
    this.client.publish(topic, payload, { qos: 1 });
    return true;
  }

  /**
   * Island events decided by the hall's acting agent, applied in seq order: 'gap' when one is missing
   * (the caller asks for the batches after the replica's seq). Applied ones go to the listeners as live
   * (voice speaks a call at this agent's window as it happens).
   */
  applyIsland(events: readonly HallEvent[]): 'applied' | 'gap' {
    for (const e of events) {
      const r = this.replica.receive(e);
      if (r === 'gap') return 'gap';
      if (r === 'applied') {
        this.statusRefresh.request();
        for (const fn of this.listeners) fn(e, { live: true, islandReplay: false });
      }
    }
    return 'applied';
  }

  /** How long the oldest request has waited for its answer (ms), 0 with none waiting. */
  oldestWaitMs(now = Date.now()): number {
    let oldest = now;
    for (const p of this.pending.values()) oldest = Math.min(oldest, p.since);
    return now - oldest;
  }

  /**
   * How long the server has left this agent unanswered (ms; island mode's away clock), 0 when it has
   * not: since the oldest request still waiting, or since the first request sent after the server last
   * showed itself, even one withdrawn since (`unansweredSince`). A busy, healthy hall's answers keep it
   * near one answer's time; one withdrawn request followed by any answer counts nothing.
   */
  unansweredMs(now = Date.now()): number {
    const silent = this.unansweredSince === undefined ? 0 : now - this.unansweredSince;
    return Math.max(0, silent, this.oldestWaitMs(now));
  }

  /**
   * Island mode begins: command requests still waiting for the server are run by `divert` under their
   * own ids (a server that did take one answers the replay with its first answer) and answered from it.
   */
  divertWaiting(): void {
    const divert = this.divert;
    if (!divert) return;
    for (const [id, p] of [...this.pending]) {
      const req = parseJson(p.payload);
      const cmd = req.ok ? (req.value as { type?: string; command?: Command }) : undefined;
      if (cmd?.type !== 'command' || !cmd.command) continue;
      clearTimeout(p.timer);
      this.pending.delete(id);
      void divert(cmd.command).then(
        (data) => p.resolve({ id, status: 'ok', data }),
        (e: unknown) => p.resolve({ id, status: 'error', error: { code: 'INTERNAL', message: String(e), messageZh: '孤岛模式未能执行该命令' } }),
      );
    }
  }

  /**
   * Island mode, an acting agent that lost the election to another that acted in the same instant: its
   * replica goes back to `state` (as the island began) and follows the winner's decisions from there;
   * listeners redraw as after a resync (no event is replayed to them).
   */
  rewind(state: HallState): void {
    this.replica.state = state;
    for (const fn of this.resyncListeners) fn();
  }

  /** Island mode ended: the replica starts again from the server's state, quietly (no event is replayed to the listeners). */
  async resync(): Promise<void> {
    // A catch-up begun before the island (its request still unanswered then) ends first, or it would
    // be taken for this one and end without loading the state.
    if (this.catchingUp) await this.catchingUp;
    this.replica.state = emptyState();
    await this.catchUp();
    for (const fn of this.resyncListeners) fn();
  }

  start(): Promise<void> {
    const offline: AgentStatus = { online: false };
    const client = mqtt.connect(this.opts.url, {
      protocolVersion: 4,
      // With a broker user, the client id is the user name, which the broker binds to it.
      clientId: this.opts.username ?? `hallq-agent-${this.opts.hall}-${this.opts.agentId}`,
      clean: true,
      // Reconnects are ours: exponential backoff, capped and jittered (src/bus/reconnect.ts).
      reconnectPeriod: 0,
      connectTimeout: 5000,
      // No table of 65,536 two-byte buffers built at the first packet (mqtt-packet's number cache): a few MB
      // of heap and a GC at every start, against two bytes allocated per packet written (issue 12).
      writeCache: false,
      will: { topic: this.t.agentStatus(this.opts.agentId), payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
      ...(this.opts.username ? { username: this.opts.username } : {}),
      ...(this.opts.password ? { password: this.opts.password } : {}),
    });
    this.client = client;
    noDelayOn(client);
    // One warning per lost connection or failed attempt, with its error (reconnect.ts owns 'error' and 'close' lines).
    reconnectWithBackoff(client, this.logger, this.opts.reconnect, { url: this.opts.url });
    client.on('connect', () => {
      this.connected = true;
      if (this.islandTopics) this.subscribeIsland();
      client.subscribe([this.t.events, this.t.response(this.opts.agentId), this.t.serverStatus], { qos: 1 }, () => {
        this.publishStatus(true);
        if (this.devices.length > 0) this.publishDevices(this.devices);
        // Requests still waiting were lost with the old connection: send them again (same ids).
        for (const p of this.pending.values()) client.publish(this.t.request(this.opts.agentId), p.payload, { qos: 1 });
        void this.catchUp();
      });
    });
    client.on('reconnect', () => {
      this.reconnects += 1;
    });
    client.on('close', () => {
      this.connected = false;
    });
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet.retain));
    return new Promise((resolve) => client.once('connect', () => resolve()));
  }

  /** Publishes this agent's device health (retained), e.g. on every change. */
  publishDevices(devices: DeviceHealth[]): void {
    this.devices = devices;
    const payload = JSON.stringify(devices);
    if (this.tooLarge(this.t.agentDevices(this.opts.agentId), payload)) return;
    this.client?.publish(this.t.agentDevices(this.opts.agentId), payload, { qos: 1, retain: true });
  }

  private get maxBytes(): number {
    return this.opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** The largest payload this agent publishes (maxMessageBytes): what island mode cuts its state to. */
  get maxMessageBytes(): number {
    return this.maxBytes;
  }

  /** True (and logged by topic and size) when a payload is above the cap: it must not be sent. */
  private tooLarge(topic: string, payload: string): boolean {
    const bytes = Buffer.byteLength(payload, 'utf8');
    if (bytes <= this.maxBytes) return false;
    this.logger.warn({ topic, bytes, maxBytes: this.maxBytes }, 'message above the cap not sent');
    return true;
  }

  private publishStatus(online: boolean): void {
    const s: AgentStatus = { online, seq: this.replica.seq, at: Date.now(), ...(this.islandPhase === 'online' ? {} : { island: this.islandPhase, ...this.islandRole }) };
    this.client?.publish(this.t.agentStatus(this.opts.agentId), JSON.stringify(s), { qos: 1, retain: true });
  }

  /**
   * Every message the agent receives: read only after it passed its schema (src/bus/event-schema.ts);
   * anything else is dropped with a warning naming the topic and the size, never the content.
   * `retained`: the broker delivered it from its store (at a subscription), not as it was published.
   */
  handleMessage(topic: string, payload: Buffer, retained = false): void {
    const json = payload.length > this.maxBytes * 4 ? undefined : parseJson(payload);
    const drop = (why: string) => this.logger.warn({ topic, bytes: payload.length, why }, 'ignored a malformed message');
    if (!json?.ok) return drop(json ? 'not JSON' : 'too large');
    if (topic === this.t.serverStatus) {
      const st = serverStatusSchema.safeParse(json.value);
      if (!st.success) return drop('not a server status');
      // Published just now (its connect, its seq moving): the server is there. A retained one may be a hung server's.
      if (st.data.online && !retained) this.unansweredSince = undefined;
      this.checkHistory(st.data);
      for (const fn of this.statusListeners) fn(st.data);
      return;
    }
    if (topic === this.t.events) {
      const e = eventSchema.safeParse(json.value);
      if (!e.success) return drop('not an event');
      // Live only when no catch-up runs: one that does replays what precedes this event anyway.
      this.deliver(e.data as HallEvent, this.catchingUp === undefined);
      return;
    }
    if (this.islandTopics && topic.startsWith(`${this.t.root}/island/`)) return this.islandMessage(topic, json.value, drop);
    if (this.islandTopics && topic.startsWith(`${this.t.root}/agent/`)) {
      const agent = /\/agent\/([^/]+)\/status$/.exec(topic)?.[1];
      const st = agentStatusSchema.safeParse(json.value);
      if (!agent || !st.success) return drop('not an agent status');
      return this.emitIsland({ kind: 'status', agent, status: st.data });
    }
    if (topic !== this.t.response(this.opts.agentId)) return drop('unexpected topic');
    const res = responseSchema.safeParse(json.value);
    if (!res.success) return drop('not a response');
    // Any answer, even to a request withdrawn meanwhile, shows the server answers.
    this.unansweredSince = undefined;
    const p = this.pending.get(res.data.id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(res.data.id);
    p.resolve(res.data as Response);
  }

  /** island/fwd/<from>, island/ans/<from>/<me>, island/ev/<from>: the sender is the topic's id (the broker's ACL). */
  private islandMessage(topic: string, value: unknown, drop: (why: string) => void): void {
    const rest = topic.slice(`${this.t.root}/island/`.length).split('/');
    const [kind, from, to] = rest;
    if (!from) return drop('unexpected topic');
    if (kind === 'fwd' && rest.length === 2) {
      const m = islandForwardSchema.safeParse(value);
      return m.success ? this.emitIsland({ kind: 'forward', from, body: m.data }) : drop('not an island forward');
    }
    if (kind === 'ans' && rest.length === 3 && to === this.opts.agentId) {
      const m = islandAnswerSchema.safeParse(value);
      return m.success ? this.emitIsland({ kind: 'answer', from, body: m.data }) : drop('not an island answer');
    }
    if (kind === 'ev' && rest.length === 2) {
      const m = islandBatchSchema.safeParse(value);
      return m.success ? this.emitIsland({ kind: 'batch', from, body: m.data }) : drop('not an island batch');
    }
    return drop('unexpected topic');
  }

  private emitIsland(m: IslandMessage): void {
    for (const fn of this.islandListeners) fn(m);
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    try {
      this.handleMessage(topic, payload, retained);
    } catch (e) {
      // A listener or the replica failed on a valid-looking message: the link stays up.
      this.logger.error({ topic, bytes: payload.length, err: e instanceof HallqError ? e.code : 'INTERNAL' }, 'message handling failed');
    }
  }

  private deliver(e: HallEvent, live: boolean): void {
    // In island mode the replica runs ahead on this agent's own core: server events wait for the resync.
    if (this.divert) return;
    let r: ReturnType<Replica['receive']>;
    try {
      r = this.replica.receive(e);
    } catch {
      // An event that does not fit the replica (refers to a ticket it does not hold): not applied;
      // the replica's seq did not move, so the server's own event or a catch-up fills the place.
      this.logger.warn({ seq: e.seq, type: e.type }, 'ignored an event the replica cannot apply');
      return;
    }
    if (r === 'applied') {
      this.statusRefresh.request();
      if (!live) this.replayed.push(e);
      // Another agent's island actions replayed on the server: screens follow, voice does not speak history.
      const d: Delivery = { live, islandReplay: e.commandId.startsWith('island-') };
      for (const fn of this.listeners) fn(e, d);
    } else if (r === 'gap') void this.catchUp();
    else if (live && !this.historyDoubt && this.otherHistory(e)) this.doubtHistory(e.seq);
  }

  /**
   * A live event at a seq the replica passed (a QoS 1 repeat, normally) that is not the event applied
   * there, or one from further back than the identities kept and after the state last loaded: the
   * server's log is another history (a restored backup's server goes on from its own end).
   */
  private otherHistory(e: HallEvent): boolean {
    const known = this.replica.headAt(e.seq);
    return known !== undefined ? known !== logHead(e) : e.seq > this.replica.loadedSeq;
  }

  /**
   * The server's status against the replica: a server at a seq this replica passed, whose event there is
   * not the one applied here (its `head`), or one this far behind that the replica no longer knows its
   * event there, holds another history: a backup restored, a database replaced. Its events at seqs the
   * replica passed were dropped as repeats, and the kiosk then showed neither its tickets nor its
   * emergency notice (the tryout). The server's state then replaces the replica (historyDoubt).
   * A status at or ahead of the replica's seq is left to the catch-up, which checks where it joins.
   */
  private checkHistory(st: ServerStatus): void {
    if (!st.online || st.seq === undefined || this.divert) return;
    const mine = this.replica.seq;
    if (st.seq > mine) return;
    // Behind this replica, and said after the latest event applied here (a retained status a moment old
    // says an older time): the server went back (a restored backup, whose events up to there are ours).
    // (Unknown after a state put in whole without the server's time: a stale status cannot be told then.)
    const wentBack = st.seq < mine && st.at !== undefined && this.replica.latestAt > -Infinity && st.at > this.replica.latestAt;
    const known = this.replica.headAt(st.seq);
    const same = known !== undefined ? st.head === undefined || st.head === known : st.seq === mine || st.seq <= this.replica.loadedSeq;
    if (same && !wentBack) return;
    this.doubtHistory(st.seq);
  }

  /**
   * The server's log is not the history this replica was built from: its state replaces the replica at
   * the next catch-up (started now, or after the one in flight), whatever its seq; listeners redraw as
   * after a resync (no event is replayed to them: voice speaks nothing of it). Logged once per episode.
   */
  private doubtHistory(serverSeq: number): void {
    this.noteDoubt(serverSeq);
    if (this.catchingUp) void this.catchingUp.then(() => this.catchUp());
    else void this.catchUp();
  }

  private noteDoubt(serverSeq: number): void {
    if (!this.historyDoubt) this.logger.warn({ replicaSeq: this.replica.seq, serverSeq }, "the server's event log is not the history this agent holds (a database restored from a backup or replaced?): the server's state replaces this agent's copy");
    this.historyDoubt = true;
  }

  /** Set by doubtHistory until the server's state has replaced the replica. */
  private historyDoubt = false;
  /** The catch-up in progress replaced the replica for another history: resync listeners follow. */
  private replacedHistory = false;

  /**
   * Loads the server's state in parts (each below the message cap), joined and checked before it
   * replaces the replica (readState). False after a few tries or on an answer that does not read, and
   * when island mode took over meanwhile (an agent restarted during an island that joined it: its
   * replica is the island's now, the server's state comes at the return). `force`: it replaces the
   * replica even at a lower seq (another history).
   */
  private async loadState(force = false): Promise<boolean> {
    let from: { seq: number; head?: string; at?: number } | undefined;
    const state = await this.readState('the server', async (seq, part) => {
      const r = await this.askCatchUp(() => ({ id: randomUUID(), type: 'state', ...(seq === undefined ? {} : { seq, part }) }));
      if (r.status === 'error' && r.error.code === 'STATE_MOVED') return 'moved';
      const d = r.status === 'ok' ? statePartDataSchema.safeParse(r.data) : undefined;
      if (d?.success && seq === undefined) from = { seq: d.data.seq, ...(d.data.head === undefined ? {} : { head: d.data.head }), ...(d.data.at === undefined ? {} : { at: d.data.at }) };
      return d?.success ? d.data : undefined;
    });
    if (!state || this.divert) return false;
    const before = this.replica.seq;
    this.replica.load(state, force, from?.seq === state.seq ? from : undefined);
    if (this.replica.seq !== before || force) this.loadedState = true;
    return true;
  }

  /**
   * A hall state cut into parts below the message cap (src/bus/paging.ts StatePager), read part by part
   * with `ask` (part 0 without a seq: the current state; the next parts of the seq part 0 gave), joined
   * and checked by its schema. Starts again when the source's seq moved on meanwhile ('moved');
   * undefined after a few tries, on a part that does not fit, or on a state that does not read. Used for
   * the server's state (loadState) and for the acting agent's by an agent that joins a running island.
   */
  async readState(source: string, ask: (seq: number | undefined, part: number) => Promise<StatePart | 'moved' | undefined>): Promise<HallState | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const head = await ask(undefined, 0);
      if (head === undefined || head === 'moved' || head.part !== 0) return undefined;
      const { seq, parts } = head;
      const chunks = [head.chunk];
      for (let part = 1; part < parts; part++) {
        const r = await ask(seq, part);
        if (r === 'moved') break;
        if (!r || r.seq !== seq || r.part !== part || r.parts !== parts) return undefined;
        chunks.push(r.chunk);
      }
      if (chunks.length < parts) continue;
      const json = parseJson(chunks.join(''));
      const state = json.ok ? hallStateSchema.safeParse(json.value) : undefined;
      if (!state?.success) {
        this.logger.warn({ seq, parts, from: source }, `the state from ${source} does not read`);
        return undefined;
      }
      return state.data as HallState;
    }
    return undefined;
  }

  /** A catch-up request (events, state), asked again after a pause while the server answers BUSY (BUSY_TRIES). */
  private async askCatchUp(make: () => Request): Promise<Response> {
    for (let tries = 1; ; tries++) {
      const r = await this.request(make());
      if (r.status === 'ok' || r.error.code !== 'BUSY') return r;
      if (tries >= BUSY_TRIES) {
        this.logger.warn({ tries }, 'catch-up refused BUSY by the server: stopped until the next gap or reconnect');
        return r;
      }
      const pause = Math.min(8000, 500 * 2 ** (tries - 1)) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, pause).unref());
      if (this.stopping) return r;
    }
  }

  /** Asks for everything after the replica's seq until it has caught up. One at a time. */
  catchUp(): Promise<void> {
    if (this.divert) return Promise.resolve();
    this.catchingUp ??= (async () => {
      try {
        if (this.replica.seq === 0 && !(await this.loadState())) return;
        for (;;) {
          if (this.historyDoubt) {
            if (!(await this.loadState(true))) return;
            this.historyDoubt = false;
            this.replacedHistory = true;
          }
          const before = this.replica.seq;
          // From the event at the replica's seq when its identity is known: the server's must be the same
          // one, or its log is another history (a restored backup that went on past this seq meanwhile).
          const known = this.replica.headAt(before);
          const after = known === undefined ? before : before - 1;
          const r = await this.askCatchUp(() => ({ id: randomUUID(), type: 'events', after, limit: 1000 }));
          const data = r.status === 'ok' ? eventsDataSchema.safeParse(r.data) : undefined;
          if (!data?.success) return;
          // A server behind this replica: its state, then on from there.
          if (data.data.lastSeq < before) {
            if (this.divert) return;
            this.noteDoubt(data.data.lastSeq);
            continue;
          }
          // The next event is larger than a message: take the state instead (the server's present one,
          // at or past this seq, whichever history), then go on from it.
          if (data.data.resync === true) {
            if (!(await this.loadState())) return;
            continue;
          }
          // Its event at the replica's seq is another: the same.
          const first = known === undefined ? undefined : eventSchema.safeParse(data.data.events[0]);
          if (known !== undefined && !(first?.success === true && first.data.seq === before && logHead(first.data) === known)) {
            if (this.divert) return;
            this.noteDoubt(data.data.lastSeq);
            continue;
          }
          for (const raw of data.data.events) {
            const e = eventSchema.safeParse(raw);
            if (!e.success) break;
            this.deliver(e.data as HallEvent, false);
          }
          // Done, or no progress (a page that does not apply): stop rather than ask the same again.
          if (this.replica.seq >= data.data.lastSeq || this.replica.seq === before) return;
        }
      } catch (e) {
        // Not connected, or a request refused before it was sent: the next event or reconnect tries again.
        this.logger.warn({ err: e instanceof HallqError ? e.code : 'INTERNAL' }, 'catch-up stopped');
      } finally {
        this.catchingUp = undefined;
        const replayed = this.replayed.splice(0);
        const loaded = this.loadedState;
        this.loadedState = false;
        if (replayed.length > 0 || loaded) this.emitCaughtUp(replayed);
        if (this.replacedHistory) {
          this.replacedHistory = false;
          for (const fn of this.resyncListeners) fn();
        }
      }
    })();
    return this.catchingUp;
  }

  private emitCaughtUp(replayed: HallEvent[]): void {
    for (const fn of this.caughtUpListeners) {
      try {
        fn(replayed);
      } catch (e) {
        this.logger.error({ err: e instanceof HallqError ? e.code : 'INTERNAL' }, 'caught-up listener failed');
      }
    }
  }

  /**
   * Sends a request and resolves with its answer, sending it again (same id) every requestTimeoutMs
   * until one comes. With `withinMs`, the request is withdrawn once that long has passed unanswered: it
   * is sent no more, not even after a reconnect, and resolves with a REQUEST_TIMEOUT error (a keypad press
   * the hall must not act on minutes later). A withdrawn request that reached the server before it came
   * back is still run there: a command that must not run late says so itself (CallNext's `after`).
   */
  request(req: Request, opts: { withinMs?: number } = {}): Promise<Response> {
    const client = this.client;
    if (!client) return Promise.reject(new HallqError('NOT_CONNECTED', 'agent link not started'));
    const payload = JSON.stringify(req);
    if (this.tooLarge(this.t.request(this.opts.agentId), payload)) {
      return Promise.reject(new HallqError('PAYLOAD_TOO_LARGE', `request above ${this.maxBytes} bytes`, { bytes: Buffer.byteLength(payload) }));
    }
    return new Promise((resolve) => {
      const p: Pending = { resolve, timer: undefined, payload, since: Date.now() };
      const arm = () => {
        p.timer = setTimeout(() => {
          // No answer: send again with the same id; the server answers a repeat with the first answer.
          if (this.connected) client.publish(this.t.request(this.opts.agentId), payload, { qos: 1 });
          arm();
        }, this.opts.requestTimeoutMs ?? 3000);
        p.timer.unref();
      };
      this.pending.set(req.id, p);
      this.unansweredSince ??= p.since;
      arm();
      if (opts.withinMs !== undefined) {
        setTimeout(() => {
          if (this.pending.get(req.id) !== p) return;
          clearTimeout(p.timer);
          this.pending.delete(req.id);
          resolve({ id: req.id, status: 'error', error: { code: 'REQUEST_TIMEOUT', message: `no answer from the server within ${opts.withinMs} ms: withdrawn`, messageZh: `服务器 ${opts.withinMs} 毫秒内未应答，已撤回` } });
        }, opts.withinMs).unref();
      }
      if (this.connected) client.publish(this.t.request(this.opts.agentId), payload, { qos: 1 });
    });
  }

  /** Sends a command and resolves with its outcome; `withinMs`: withdrawn after that long unanswered (request), rejecting with REQUEST_TIMEOUT. */
  async send(cmd: CommandBody & { id?: string }, opts: { withinMs?: number } = {}): Promise<Outcome> {
    return (await this.run(cmd, opts)).outcome;
  }

  /** Commands wait until `until` settles before they are sent (see `held`). */
  holdCommands(until: Promise<void>): void {
    const held = until.finally(() => {
      if (this.held === held) this.held = undefined;
    });
    this.held = held;
  }

  /** Sends a command; resolves with its outcome and the seq the server reached with it. */
  async run(cmd: CommandBody & { id?: string }, opts: { withinMs?: number } = {}): Promise<{ outcome: Outcome; seq: number }> {
    const held = this.divert ? undefined : this.held;
    if (held) {
      const since = Date.now();
      if (opts.withinMs === undefined) await held;
      else if (!(await settledWithin(held, opts.withinMs))) {
        // Never sent: nothing a key asked for happens once its moment is gone.
        throw new HallqError('REQUEST_TIMEOUT', `held ${opts.withinMs} ms behind the island outbox's return: withdrawn`, { code: 'REQUEST_TIMEOUT' });
      } else opts = { withinMs: Math.max(1, opts.withinMs - (Date.now() - since)) };
    }
    if (this.divert) return this.divert(cmd as Command);
    const command = { ...cmd, id: cmd.id ?? randomUUID() } as Command;
    const answer = this.request({ id: randomUUID(), type: 'command', command: command as never }, opts).then((r) => {
      if (r.status === 'error') throw new HallqError(commandErrorCode(r.error.code), r.error.message, { code: r.error.code });
      const data = commandDataSchema.safeParse(r.data);
      if (!data.success) throw new HallqError('PAYLOAD_INVALID', 'the answer to a command does not read');
      return data.data as { outcome: Outcome; seq: number };
    });
    for (const fn of this.sentListeners) fn({ command, answer });
    return answer;
  }

  /**
   * Hands the server a citizen's mobile number for SMS about one ticket. It travels only in this
   * request (stored encrypted on the server, never in an event); resolves with whether it is held.
   * With `withinMs`, withdrawn unanswered after that long (REQUEST_TIMEOUT, as `request`).
   */
  async sendContact(ticketId: string, phone: string, opts: { withinMs?: number } = {}): Promise<boolean> {
    // Needs the server: during an island the kiosk keeps the number sealed for the return (island/contacts.ts).
    if (this.divert) throw new HallqError('NOT_CONNECTED', 'island mode: no SMS contact without the server');
    const r = await this.request({ id: randomUUID(), type: 'contact', ticketId, phone }, opts);
    if (r.status === 'error') throw new HallqError(r.error.code === 'FORBIDDEN' ? 'FORBIDDEN' : 'PAYLOAD_INVALID', r.error.message, { code: r.error.code });
    const data = contactDataSchema.safeParse(r.data);
    if (!data.success) throw new HallqError('PAYLOAD_INVALID', 'the answer to a contact request does not read');
    return data.data.stored;
  }

  /** Resolves when the replica has reached `seq`. */
  async reach(seq: number): Promise<void> {
    if (this.replica.seq >= seq) return;
    await new Promise<void>((resolve) => {
      const off = this.onEvent(() => {
        if (this.replica.seq >= seq) {
          off();
          resolve();
        }
      });
    });
  }

  /** Resolves once connected to the broker (at once if connected now). */
  whenConnected(): Promise<void> {
    const client = this.client;
    if (this.connected || !client) return Promise.resolve();
    return new Promise((resolve) => client.once('connect', () => resolve()));
  }

  /**
   * Publishes the retained offline status and disconnects, bounded by `boundMs` (default 2000): with
   * the broker away nothing is acknowledged (the last will says offline), so the client ends at once.
   */
  async stop(boundMs = 2000): Promise<void> {
    this.stopping = true;
    this.statusRefresh.cancel();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    const client = this.client;
    if (!client) return;
    if (this.connected) {
      const offline: AgentStatus = { online: false, seq: this.replica.seq, at: Date.now() };
      const published = new Promise<void>((resolve) => client.publish(this.t.agentStatus(this.opts.agentId), JSON.stringify(offline), { qos: 1, retain: true }, () => resolve()));
      if (await settledWithin(published, boundMs)) {
        if (await settledWithin(client.endAsync(), boundMs)) return;
      }
    }
    await settledWithin(client.endAsync(true), boundMs);
  }
}

/**
 * The link's code for a server's error answer to a command: FORBIDDEN and REQUEST_TIMEOUT as they are,
 * the server's store failing as SERVER_CANNOT_SAVE (nothing done, nor on a retry until it saves again),
 * anything else PAYLOAD_INVALID; the server's own code stays in `details.code`.
 */
function commandErrorCode(server: string): ErrorCode {
  if (server === 'FORBIDDEN' || server === 'REQUEST_TIMEOUT') return server;
  if (server === 'STORE_IO' || server === 'STORE_CORRUPT') return 'SERVER_CANNOT_SAVE';
  return 'PAYLOAD_INVALID';
}
