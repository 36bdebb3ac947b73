import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../../drivers/common/logger.js';
import { isHallqError } from '../../drivers/common/error.js';
import { queueView, windowView, windowsTouched, type Command, type HallEvent, type Outcome } from '../core/index.js';
import { z } from 'zod';
import { serverStatusSchema } from '../bus/server-status-schema.js';
import { deviceReasonSchema } from '../bus/device-reasons.js';
import { describeInvalid, parseJson, requestSchema, type DeviceHealth, type Response, type ServerStatus } from '../bus/messages.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../bus/paging.js';
import { noDelayOn } from '../bus/no-delay.js';
import { reconnectWithBackoff, type ReconnectPolicy } from '../bus/reconnect.js';
import { CITY_AGENT, clientOf, topics, type Topics } from '../bus/topics.js';
import { CATCH_UP_WAITING, CatchUpQueue, eventsPage, StatePager } from './catch-up.js';
import { logSafe } from './log-safe.js';
import { settledWithin } from '../ops/bounded.js';
import { Throttle } from '../bus/throttle.js';
import { WindowViewPacer } from './window-view-pacer.js';
import type { Authorized, RequestAuthorizer } from '../bus/authorize.js';
import type { HallEngine } from './engine.js';
import type { SmsHook } from './sms/hook.js';
import type { IslandHook } from './island-return.js';
import { publicOutcome } from '../bus/public-outcome.js';
import type { CityInbox } from './city-inbox.js';
import { ownClientId } from '../city/client-id.js';
import { HEARTBEAT_MS } from './instance-probe.js';
import { jsonFaultWords, jsonSyntaxFault } from '../http/json-syntax.js';

/** agent/<id>/devices as the agent's link publishes it (src/bus/messages.ts DeviceHealth[]). */
const deviceHealthList = z
  .array(z.object({ name: z.string().min(1).max(64), kind: z.string().min(1).max(64), state: z.enum(['ok', 'degraded', 'offline', 'unknown']), reason: deviceReasonSchema, detail: z.string().max(500).optional() }))
  .max(256);

export interface ServerMetrics {
  requests: number;
  invalidPayloads: number;
  commands: number;
  duplicates: number;
  /** Requests refused by the per-agent authorization (src/bus/authorize.ts). */
  refused: number;
  connected: boolean;
  reconnects: number;
  /** Messages not sent because they were above maxMessageBytes (see docs/mqtt.md, "Paging"). */
  oversized: number;
  /** Catch-up requests (events, state) refused BUSY: the agent had CATCH_UP_WAITING waiting already. */
  busy: number;
}

/** BUSY refusals of one agent less than this apart are one episode: one warning. */
const BUSY_EPISODE_MS = 60_000;

/**
 * The server's side of the wire: answers requests, publishes every event in seq order, keeps the
 * retained state topics current and republishes them on every (re)connect.
 */
export class MqttServer {
  readonly metrics: ServerMetrics = { requests: 0, invalidPayloads: 0, commands: 0, duplicates: 0, refused: 0, connected: false, reconnects: 0, oversized: 0, busy: 0 };
  private client: MqttClient | undefined;
  /** stop() was called: the connection's end is ours, not a loss. */
  private stopping = false;
  private readonly t: Topics;
  private readonly maxBytes: number;
  private readonly statePager: StatePager;
  /** Events pages and state parts, made one at a time on later turns of the loop, each agent in turn. */
  private readonly catchUps = new CatchUpQueue();
  /** When each agent was last refused BUSY (monotonic ms): the warning is said once per episode. */
  private readonly busyAt = new Map<string, number>();
  /** The device health each agent last published (retained agent/<id>/devices), by agent id: /metrics' hallq_device_up. */
  readonly agentDevices = new Map<string, DeviceHealth[]>();
  /** SMS contacts and outbox (src/server/sms), set by startSms when SMS is on. */
  sms: SmsHook | undefined;
  /** Island mode's return (src/server/island-return.ts), set when island mode is on. */
  island: IslandHook | undefined;
  /** City → hall (src/server/city-inbox.ts), set by setCityInbox when the hall is bridged to a city. */
  private cityInbox: CityInbox | undefined;
  /** issue 9 (HTTP): the status page token of a new ticket, set by the HTTP side; sent with a successful IssueTicket/CheckIn answer. */
  statusTokenOf: ((ticketId: string) => string) | undefined;

  constructor(
    private readonly engine: HallEngine,
    private readonly opts: {
      url: string;
      hall: string;
      username?: string;
      password?: string;
      clock: () => number;
      /** No payload sent is larger (default DEFAULT_MAX_MESSAGE_BYTES, 128 KiB). */
      maxMessageBytes?: number;
      /** Every request is checked by the sending agent's identity (the client id of its topic). */
      authorize: RequestAuthorizer;
      /** Backoff of reconnects to the broker (default defaultReconnect: 0.5 s doubling to 30 s, jittered). */
      reconnect?: ReconnectPolicy;
      /** The configured agent ids: device health from any other is ignored. */
      agents?: readonly string[];
      /**
       * When the server that had this database last ran (epoch ms, alive-file.ts), undefined when unknown:
       * with the time from then to the first connection, the hall's absence of a server before it.
       */
      lastAliveAt?: number;
      /** The database's instance id and this host's name, in the retained status (src/server/instance-probe.ts). */
      instance?: string;
      host?: string;
      /** How often the heartbeat (server/heartbeat, not retained) is sent while connected (default HEARTBEAT_MS): the start's probe of another server waits for it. */
      heartbeatMs?: number;
    },
    private readonly logger: Logger,
  ) {
    this.t = topics(opts.hall);
    this.maxBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.statePager = new StatePager(this.maxBytes);
  }

  /** The retained server/status follows the log: refreshed after events, at most once a second. */
  private readonly statusRefresh = new Throttle(() => this.publishStatus(), 1000);
  /** Window views: sent at once when the window itself changed, a waiting count alone at most every 250 ms (window-view-pacer.ts). */
  private readonly windowViews = new WindowViewPacer((w, view) => this.publishRetained(this.t.windowState(w), view ?? windowView(this.engine.state, w)));

  /** The seq of the last retained status sent on this connection: the status is sent again only when it moved. */
  private statusSeq: number | undefined;

  /** The retained status, when its seq changed since the last one sent (`force`: on every (re)connect). */
  private publishStatus(force = false): void {
    if (!this.metrics.connected) return;
    const seq = this.engine.state.seq;
    if (!force && this.statusSeq === seq) return;
    const head = this.engine.head();
    const status: ServerStatus = { online: true, seq, at: this.opts.clock(), ...this.identity(), ...(head === undefined ? {} : { head }) };
    if (this.publish(this.t.serverStatus, status, true)) this.statusSeq = seq;
  }

  /**
   * The heartbeat: the same status, not retained, QoS 0, on server/heartbeat, which only the server's
   * user reads (a second server's start probe, src/server/instance-probe.ts): the retained status
   * stays quiet while nothing happens, so agents and the city get no periodic traffic.
   */
  private publishHeartbeat(): void {
    if (!this.metrics.connected) return;
    const beat: ServerStatus = { online: true, seq: this.engine.state.seq, at: this.opts.clock(), ...this.identity() };
    this.client?.publish(this.t.serverHeartbeat, JSON.stringify(beat), { qos: 0, retain: false });
  }

  /** Which server this is, in every status it publishes (the last will too). */
  private identity(): Pick<ServerStatus, 'instance' | 'host'> {
    return { ...(this.opts.instance ? { instance: this.opts.instance } : {}), ...(this.opts.host ? { host: this.opts.host } : {}) };
  }

  /**
   * The client id the server connects with: with a broker user and password, `<user>-<24 hex>` derived
   * from the password (src/city/client-id.ts), so on a listener that lets clients choose their ids (the
   * shipped localhost one) nobody without the server's password can take it; a listener that binds ids
   * to users (the LAN one, the embedded broker) makes it the user name. Without: hallq-server-<hall>.
   */
  get clientId(): string {
    const base = this.opts.username ?? `hallq-server-${this.opts.hall}`;
    return this.opts.password ? ownClientId(base, this.opts.password) : base;
  }

  /** The heartbeat's timer: server/heartbeat every heartbeatMs while connected. */
  private heartbeat: NodeJS.Timeout | undefined;

  /** When the broker link last dropped (epoch ms). */
  private linkDownAt: number | undefined;
  /** The hall's time without this server before the latest connection (ms; Infinity when unknown): island mode's evidence. */
  private absentMs = Infinity;
  /** Connections made so far (the first one's retained status was the start's probe's to judge). */
  private connections = 0;
  /** Other instances whose online status was seen here, each told once. */
  private readonly othersSeen = new Set<string>();

  /**
   * The server's own status topic, read back: another database's instance online, or its last will (no
   * `at`), found at a reconnect or published while connected, means a second server got past the start's
   * probe (the broker was away then) and the two knock each other off. Said once per instance, as an
   * error: one of them must be stopped.
   */
  private onServerStatus(payload: Buffer): void {
    const json = parseJson(payload);
    const s = json.ok ? serverStatusSchema.safeParse(json.value) : undefined;
    if (!s?.success || !this.opts.instance || s.data.instance === this.opts.instance) return;
    if (!s.data.online && s.data.at !== undefined) return;
    const other = s.data.instance ?? '(older hallq)';
    if (this.othersSeen.has(other)) return;
    this.othersSeen.add(other);
    this.logger.error({ otherInstance: other, otherHost: s.data.host }, "another hallq server is serving this hall on the broker with this server's identity: the two knock each other off; stop one of them");
  }

  /** Takes the city's appointments and notices (city/in/#; only the bridge's user may publish there). */
  setCityInbox(inbox: CityInbox): void {
    this.cityInbox = inbox;
    if (this.metrics.connected) this.client?.subscribe(inbox.topic, { qos: 1 });
  }

  private onCity(topic: string, payload: Buffer): void {
    const answer = this.cityInbox?.handle(topic, payload);
    if (answer && answer.id !== '') this.respond(CITY_AGENT, answer);
  }

  /** Resolves on the first connection. */
  start(): Promise<void> {
    const offline: ServerStatus = { online: false, ...this.identity() };
    const client = mqtt.connect(this.opts.url, {
      protocolVersion: 4,
      // Derived from the password (clientId above), or bound to the user by the listener: no other user
      // can take it. Another server with the same user and password would: the start's probe refuses that
      // (src/server/instance-probe.ts), under an id of its own.
      clientId: this.clientId,
      clean: true,
      // Reconnects are ours: exponential backoff, capped and jittered (src/bus/reconnect.ts).
      reconnectPeriod: 0,
      connectTimeout: 5000,
      // No table of 65,536 two-byte buffers built at the first packet (mqtt-packet's number cache): a few MB
      // of heap and a GC at every start, against two bytes allocated per packet written (issue 12).
      writeCache: false,
      will: { topic: this.t.serverStatus, payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
      ...(this.opts.username ? { username: this.opts.username } : {}),
      ...(this.opts.password ? { password: this.opts.password } : {}),
    });
    this.client = client;
    noDelayOn(client);
    // One warning per lost connection or failed attempt, with its error (reconnect.ts owns 'error' and 'close' lines).
    reconnectWithBackoff(client, this.logger, this.opts.reconnect, { url: this.opts.url });
    client.on('connect', () => {
      this.connections += 1;
      // How long the hall was without this server before now: since the last run (the first connection) or since the link dropped.
      const since = this.connections === 1 ? this.opts.lastAliveAt : this.linkDownAt;
      this.absentMs = since === undefined ? Infinity : Date.now() - since;
      this.metrics.connected = true;
      this.logger.info({ url: this.opts.url }, 'connected to broker');
      // Device health: only agent <id> may publish agent/<id>/devices (the broker's ACL), so the topic names who reports.
      // Agents' retained statuses feed island mode's view of them (admin); requests are answered.
      // The status and the heartbeat read back: another instance's means a second server on the broker (onServerStatus).
      client.subscribe([this.t.requestAll, this.t.agentDevices('+'), this.t.agentStatusAll, this.t.serverStatus, ...(this.cityInbox ? [this.cityInbox.topic] : [])], { qos: 1 });
      client.subscribe(this.t.serverHeartbeat, { qos: 0 });
      // The window views the broker keeps, read once: a window taken out of the config while this server was
      // down would keep its last view there for good. The broker queues them with its SUBACK, before it reads
      // the UNSUBSCRIBE sent on that SUBACK (one connection, in order).
      client.subscribe(this.t.windowStateAll, { qos: 1 }, (err) => {
        if (!err) client.unsubscribe(this.t.windowStateAll);
      });
      this.publishAllState();
    });
    client.on('reconnect', () => {
      this.metrics.reconnects += 1;
    });
    client.on('close', () => {
      if (this.metrics.connected) this.linkDownAt = Date.now();
      this.metrics.connected = false;
    });
    // A running server says so every few seconds, on its own topic: a second server's start waits for that (src/server/instance-probe.ts).
    this.heartbeat = setInterval(() => this.publishHeartbeat(), this.opts.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeat.unref();
    client.on('message', (topic, payload, packet) => {
      // Not the retained status of the first connection: the start's probe has judged that one already.
      if (topic === this.t.serverStatus) return packet.retain && this.connections <= 1 ? undefined : this.onServerStatus(payload);
      if (topic === this.t.serverHeartbeat) return packet.retain ? undefined : this.onServerStatus(payload);
      if (this.deviceAgentOf(topic) !== undefined) return this.onDevices(topic, payload);
      if (topic.startsWith(`${this.t.root}/agent/`)) return this.island?.agentStatus(topic, payload, packet.retain ? this.absentMs : undefined);
      if (this.cityInbox?.owns(topic)) return this.onCity(topic, payload);
      const view = this.viewWindowOf(topic);
      // Only the views the broker held at the connect's subscription (below); this server's own live ones echo back unflagged.
      if (view !== undefined) return packet.retain ? this.clearGoneWindows([view]) : undefined;
      return this.onRequest(topic, payload);
    });
    return new Promise((resolve) => client.once('connect', () => resolve()));
  }

  /**
   * Publishes `body` as JSON unless it is above the message cap: then nothing is sent (a broker
   * drops a client over its max_packet_size), the metric counts it and false is returned.
   */
  private publish(topic: string, body: unknown, retain = false, serialised = false): boolean {
    const payload = Buffer.from(serialised ? (body as string) : JSON.stringify(body), 'utf8');
    if (payload.length > this.maxBytes) {
      this.metrics.oversized += 1;
      this.logger.warn({ topic, bytes: payload.length, maxBytes: this.maxBytes }, 'message above the cap not sent');
      return false;
    }
    this.client?.publish(topic, payload, { qos: 1, retain });
    return true;
  }

  /** The last payload sent on each retained view topic, so an unchanged view is not sent again (issue 12). */
  private readonly retained = new Map<string, string>();

  /** A retained view, sent only when it differs from the last one sent (`force`: on every (re)connect). */
  private publishRetained(topic: string, body: unknown, force = false): void {
    const json = JSON.stringify(body);
    if (!force && this.retained.get(topic) === json) return;
    if (this.publish(topic, json, true, true)) this.retained.set(topic, json);
    else this.retained.delete(topic);
  }

  /** The window of a `state/window/<n>` topic, else undefined. */
  private viewWindowOf(topic: string): number | undefined {
    const prefix = this.t.windowState(0).slice(0, -1);
    if (!topic.startsWith(prefix)) return undefined;
    const rest = topic.slice(prefix.length);
    return /^[0-9]{1,9}$/.test(rest) ? Number(rest) : undefined;
  }

  /**
   * Clears (an empty retained message, MQTT 3.1.1 §3.3.1.3) the view of each window the config no longer
   * has: those sent by this server (`retained`) and those `found` retained on the broker at a connect.
   */
  private clearGoneWindows(found: readonly number[] = []): void {
    const ids = new Set((this.engine.state.config?.windows ?? []).map((w) => w.id));
    const windows = new Set(found);
    for (const topic of this.retained.keys()) {
      const w = this.viewWindowOf(topic);
      if (w !== undefined) windows.add(w);
    }
    for (const w of windows) {
      if (ids.has(w)) continue;
      const topic = this.t.windowState(w);
      this.windowViews.forget(w);
      this.retained.delete(topic);
      this.client?.publish(topic, Buffer.alloc(0), { qos: 1, retain: true });
      this.logger.info({ window: w }, 'retained view of a window no longer in the config cleared');
    }
  }

  private publishAllState(): void {
    const s = this.engine.state;
    this.publishStatus(true);
    const views = (s.config?.windows ?? []).map((w) => windowView(s, w.id));
    for (const v of views) this.publishRetained(this.t.windowState(v.window), v, true);
    this.windowViews.sentAll(views);
    this.publishRetained(this.t.queueState, queueView(s, this.opts.clock()), true);
  }

  /** Publishes events, then the retained views they changed (a window's waiting count alone paced: window-view-pacer.ts). */
  publishEvents(events: HallEvent[], sms = true): void {
    if (events.length === 0) return;
    if (sms) this.sms?.afterAppend(events);
    for (const e of events) this.publish(this.t.events, e);
    const s = this.engine.state;
    if (events.some((e) => e.type === 'HallConfigured')) this.clearGoneWindows();
    const windows = new Set(events.flatMap((e) => windowsTouched(s, e)));
    for (const w of windows) this.windowViews.changed(windowView(s, w));
    this.publishRetained(this.t.queueState, queueView(s, this.opts.clock()));
    this.statusRefresh.request();
  }

  /** Command requests received since the last flush, run and committed together on the next turn of the event loop. */
  private queued: { client: string; id: string; command: Command }[] = [];

  /**
   * Group commit for MQTT commands (issue 12): the requests that arrive in one read of the socket are
   * queued and run on the next turn of the event loop as one batch (HallEngine.handleBatch), appended
   * in one transaction; each is answered only after that commit, so "durable before acknowledged"
   * holds for every one of them.
   */
  private enqueue(client: string, id: string, command: Command): void {
    if (this.queued.length === 0) setImmediate(() => this.flush());
    this.queued.push({ client, id, command });
  }

  /** Runs the queued commands as one batch, publishes their events, then answers each. */
  private flush(): void {
    const batch = this.queued;
    this.queued = [];
    if (batch.length === 0) return;
    let results: ReturnType<HallEngine['handleBatch']> | undefined;
    try {
      results = this.engine.handleBatch(
        batch.map((b) => b.command),
        this.opts.clock(),
      );
    } catch (e) {
      // Only when the log itself is gone (closed, unreadable): every request of the batch gets an error.
      this.logger.error({ err: isHallqError(e) ? e.code : 'INTERNAL' }, 'command batch failed');
    }
    const events: HallEvent[] = [];
    this.metrics.commands += batch.length;
    for (const r of results ?? []) {
      if (r instanceof Error) continue;
      if (r.duplicate) this.metrics.duplicates += 1;
      events.push(...r.events);
    }
    this.publishEvents(events);
    batch.forEach(({ client, id, command }, i) => {
      const r = results?.[i];
      if (!r || r instanceof Error) {
        const code = isHallqError(r) ? r.code : 'INTERNAL';
        // A failing store is logged once per episode by the engine (a full disk fails every request).
        const store = code === 'STORE_IO' || code === 'STORE_CORRUPT';
        if (!store || this.engine.storeFailure === undefined) this.logger.error({ err: code, ...logSafe({ client, requestId: id }) }, 'request failed');
        const words = store ? { message: 'the hall server cannot save now: nothing of this request was done', messageZh: '大厅服务器当前无法保存数据，本次操作未执行' } : { message: 'the server could not run the request', messageZh: '服务器未能执行该请求' };
        return this.respond(client, { id, status: 'error', error: { code, ...words } });
      }
      this.respond(client, this.commandAnswer(id, command, r.outcome));
    });
  }

  private commandAnswer(id: string, command: Command, outcome: Outcome): Response {
    const issued = outcome.ok && outcome.ticketId && (command.type === 'IssueTicket' || command.type === 'CheckIn') && this.statusTokenOf;
    const token = issued && outcome.ticketId ? { statusToken: this.statusTokenOf?.(outcome.ticketId) } : {};
    return { id, status: 'ok', data: { outcome: publicOutcome(outcome), seq: this.engine.state.seq, ...token } };
  }

  /** Runs a command from any front (MQTT, HTTP, the server's own timer). */
  run(cmd: Command): Outcome {
    // Commands that arrived on MQTT before this one run first: the log keeps the order they came in.
    this.flush();
    const r = this.engine.handle(cmd, this.opts.clock());
    this.metrics.commands += 1;
    if (r.duplicate) this.metrics.duplicates += 1;
    this.publishEvents(r.events);
    return r.outcome;
  }

  private respond(client: string, res: Response): void {
    if (this.publish(this.t.response(client), res)) return;
    this.publish(this.t.response(client), { id: res.id, status: 'error', error: { code: 'RESPONSE_TOO_LARGE', message: 'the answer is larger than a message may be', messageZh: '应答超过消息的大小上限' } });
  }

  /** The agent id of an agent/<id>/devices topic, else undefined. */
  private deviceAgentOf(topic: string): string | undefined {
    const prefix = `${this.t.root}/agent/`;
    if (!topic.startsWith(prefix) || !topic.endsWith('/devices')) return undefined;
    const agent = topic.slice(prefix.length, -'/devices'.length);
    return agent !== '' && !agent.includes('/') ? agent : undefined;
  }

  /** An agent's device health (retained, re-sent on every change); an empty payload clears it. Bad payloads are dropped with a warning. */
  onDevices(topic: string, payload: Buffer): void {
    const agent = this.deviceAgentOf(topic);
    if (agent === undefined) return;
    if (this.opts.agents && !this.opts.agents.includes(agent)) return;
    if (payload.length === 0) {
      this.agentDevices.delete(agent);
      return;
    }
    const json = payload.length > this.maxBytes ? undefined : parseJson(payload);
    const parsed = json?.ok ? deviceHealthList.safeParse(json.value) : undefined;
    if (!parsed?.success) {
      this.logger.warn({ agent, bytes: payload.length }, 'device health not understood; ignored');
      return;
    }
    this.agentDevices.set(agent, parsed.data.map((d) => ({ name: d.name, kind: d.kind, state: d.state, ...(d.reason === undefined ? {} : { reason: d.reason }), ...(d.detail === undefined ? {} : { detail: d.detail }) })));
  }

  private onRequest(topic: string, payload: Buffer): void {
    const checked = this.checkRequest(topic, payload);
    if (!checked) return;
    if ('response' in checked) return this.respond(checked.client, checked.response);
    const r = checked.request;
    // Commands go to the next group commit; events and state wait their turn (one at a time, each agent
    // in turn, a few per agent); the rest are answered now.
    if (r.type === 'command') return this.enqueue(checked.client, r.id, r.command as Command);
    if (r.type === 'events' || r.type === 'state') return this.queueCatchUp(checked.client, r);
    // An island's replay runs commands too: those that came before it go first.
    if (r.type === 'island') this.flush();
    this.respond(checked.client, this.answerChecked(checked.client, r));
  }

  /**
   * An events or state request: answered on a later turn of the loop, after the agents whose turn
   * comes first (CatchUpQueue); refused BUSY when the agent has CATCH_UP_WAITING waiting already, so
   * one agent (a runaway, or whoever holds its password) never holds the loop for more than one answer
   * at a time however much it asks. Its link asks again after a pause (src/agent/link.ts).
   */
  private queueCatchUp(client: string, r: Extract<Authorized, { ok: true }>['request']): void {
    if (this.catchUps.add(client, r.id, () => this.respond(client, this.answerChecked(client, r))) !== 'full') return;
    this.metrics.busy += 1;
    const now = performance.now();
    const last = this.busyAt.get(client);
    this.busyAt.set(client, now);
    // Who only, once per episode: the requests themselves are the agent's to repeat.
    if (last === undefined || now - last > BUSY_EPISODE_MS) {
      this.logger.warn({ ...logSafe({ agent: client }), waiting: CATCH_UP_WAITING }, 'catch-up requests refused BUSY: this agent asks for more at once than the server answers in turn (said once while it goes on)');
    }
    this.respond(client, {
      id: r.id,
      status: 'error',
      error: {
        code: 'BUSY',
        message: `${CATCH_UP_WAITING} catch-up requests of this agent are waiting for their answers: ask again once they are answered`,
        messageZh: `本终端机已有 ${CATCH_UP_WAITING} 个补发请求在等待应答：请在收到应答后再请求`,
      },
    });
  }

  /**
   * Answers one request as it arrived on `topic` (req/<client>), a command run at once on its own
   * (no group commit): never throws, whatever the bytes. undefined when the topic names no client
   * (nothing to answer to). Public for in-process tests.
   */
  handleRequest(topic: string, payload: Buffer): { client: string; response: Response } | undefined {
    const checked = this.checkRequest(topic, payload);
    if (!checked || 'response' in checked) return checked;
    return { client: checked.client, response: this.answerChecked(checked.client, checked.request) };
  }

  /** Parses, validates and authorizes a request: the request to run, an answer refusing it, or undefined when there is nobody to answer. */
  private checkRequest(topic: string, payload: Buffer): { client: string; response: Response } | { client: string; request: Extract<Authorized, { ok: true }>['request'] } | undefined {
    this.metrics.requests += 1;
    const client = clientOf(topic);
    if (!client) return undefined;
    const answer = (response: Response) => ({ client, response });
    // Not even parsed when too large: the size alone refuses it.
    const json = payload.length > this.maxBytes ? { ok: false as const, error: 'too large' } : parseJson(payload);
    const raw = json.ok && typeof json.value === 'object' && json.value !== null && !Array.isArray(json.value) ? (json.value as { id?: unknown }).id : undefined;
    // The id goes back to the sender so it can match the answer; only a well-formed one.
    const id = typeof raw === 'string' && raw.length <= 100 ? raw : '';
    if (payload.length > this.maxBytes) return answer(this.invalid(topic, client, id, payload.length, { message: `the payload is above ${this.maxBytes} bytes`, messageZh: `消息超过 ${this.maxBytes} 字节` }));
    if (!json.ok) return answer(this.invalid(topic, client, id, payload.length, json.error === 'empty payload' ? { message: 'the payload is empty: send a JSON object', messageZh: '消息为空：请发送 JSON 对象' } : notJsonPayload(payload)));
    const req = requestSchema.safeParse(json.value);
    if (!req.success) return answer(this.invalid(topic, client, id, payload.length, describeInvalid(req.error, json.value)));
    const allowed = this.opts.authorize(client, req.data);
    if (!allowed.ok) return answer(this.refuse(client, req.data.id, allowed));
    return { client, request: allowed.request };
  }

  /** The answer to a checked request; a command runs at once. Never throws. */
  private answerChecked(client: string, r: Extract<Authorized, { ok: true }>['request']): Response {
    const id = r.id;
    try {
      switch (r.type) {
        case 'command':
          return this.commandAnswer(r.id, r.command as Command, this.run(r.command as Command));
        case 'events': {
          const page = eventsPage((after, limit) => this.engine.eventsAfter(after, limit), r.after, r.limit ?? 1000, this.engine.state.seq, this.maxBytes);
          return { id: r.id, status: 'ok', data: page };
        }
        case 'state': {
          const part = this.statePager.part(this.engine.state, r.part ?? 0, r.seq);
          // The present state's first part names its head and time: the agent that loads it can then tell
          // a retained status from before it, and a server gone back after it (src/agent/link.ts checkHistory).
          const head = part && r.seq === undefined ? this.engine.head() : undefined;
          if (part) return { id: r.id, status: 'ok', data: r.seq === undefined ? { ...part, at: this.opts.clock(), ...(head === undefined ? {} : { head }) } : part };
          // The seq it was reading moved out of the cache (or the part does not exist): start again.
          return { id: r.id, status: 'error', error: { code: 'STATE_MOVED', message: 'that state part is no longer available; ask for part 0 again', messageZh: '该部分状态已不可用，请从第 0 部分重新获取' } };
        }
        case 'island': {
          if (!this.island) return { id: r.id, status: 'error', error: { code: 'ISLAND_OFF', message: 'island mode is not configured on this server', messageZh: '本服务器未配置孤岛模式' } };
          // An island action's outcome leaves like any command's (publicOutcome).
          const replayed = this.island.replay(client, r);
          return { id: r.id, status: 'ok', data: { ...replayed, outcome: publicOutcome(replayed.outcome) } };
        }
        case 'contact':
          // The phone is personal data: stored sealed by the SMS side, never logged, never in an event.
          try {
            return { id: r.id, status: 'ok', data: { stored: this.sms?.contact(r.ticketId, r.phone, client) ?? false } };
          } catch (e) {
            if (!isHallqError(e, 'FORBIDDEN')) throw e;
            // Thrown only for a ticket of the hall's: its id is the hall's, not the sender's text.
            this.logger.warn({ ...logSafe({ client }), ticketId: r.ticketId, rule: 'not-issuing-kiosk' }, 'contact refused: the ticket was issued by another kiosk');
            return { id: r.id, status: 'error', error: { code: 'FORBIDDEN', message: e.message, messageZh: String(e.details?.['messageZh'] ?? '') } };
          }
      }
    } catch (e) {
      this.logger.error({ err: isHallqError(e) ? e.code : 'INTERNAL', ...logSafe({ client, requestId: id }) }, 'request failed');
      return { id, status: 'error', error: { code: isHallqError(e) ? e.code : 'INTERNAL', message: 'the server could not run the request', messageZh: '服务器未能执行该请求' } };
    }
  }

  private refuse(client: string, id: string, refusal: Extract<Authorized, { ok: false }>): Response {
    this.metrics.refused += 1;
    // Who, what and which window only: the payload may carry personal data.
    this.logger.warn({ ...refusal.log, requestId: id }, 'request refused');
    return { id, status: 'error', error: refusal.error };
  }

  private invalid(topic: string, client: string, id: string, bytes: number, reason: { message: string; messageZh: string }): Response {
    this.metrics.invalidPayloads += 1;
    // Topic, size and the schema's field names only: a payload (even its id) may carry personal data.
    this.logger.warn({ ...logSafe({ topic, client }), bytes, reason: reason.message }, 'invalid request payload');
    return { id, status: 'error', error: { code: 'PAYLOAD_INVALID', message: reason.message, messageZh: reason.messageZh } };
  }

  /** Resolves once connected to the broker (at once if connected now). */
  whenConnected(): Promise<void> {
    const client = this.client;
    if (this.metrics.connected || !client) return Promise.resolve();
    return new Promise((resolve) => client.once('connect', () => resolve()));
  }

  /**
   * Publishes the retained offline status and disconnects, bounded by `boundMs` (default 2000): with
   * the broker away there is no acknowledgement to wait for (the last will says offline for us), so
   * the client is ended at once, dropping what it still holds.
   */
  async stop(boundMs = 2000): Promise<void> {
    // Commands already received are run and answered before the server says it is offline.
    this.flush();
    this.stopping = true;
    this.statusRefresh.cancel();
    this.windowViews.flush();
    // Catch-up answers not made yet are dropped: the agents ask again when the server is back.
    this.catchUps.clear();
    clearInterval(this.heartbeat);
    const client = this.client;
    if (!client) return;
    if (this.metrics.connected) {
      const offline: ServerStatus = { online: false, seq: this.engine.state.seq, at: this.opts.clock(), ...this.identity() };
      const published = new Promise<void>((resolve) => client.publish(this.t.serverStatus, JSON.stringify(offline), { qos: 1, retain: true }, () => resolve()));
      if (await settledWithin(published, boundMs)) {
        if (await settledWithin(client.endAsync(), boundMs)) return;
      }
    }
    await settledWithin(client.endAsync(true), boundMs);
  }
}

/** Where a request payload stops being JSON (line, column, one character at most: never a slice of it). */
function notJsonPayload(payload: Buffer): { message: string; messageZh: string } {
  const fault = jsonSyntaxFault(payload.toString('utf8'));
  if (!fault) return { message: 'the payload is not JSON', messageZh: '消息不是 JSON' };
  const at = jsonFaultWords(fault);
  return { message: `the payload is not valid JSON: ${at.en}`, messageZh: `消息不是有效的 JSON：${at.zh}` };
}
