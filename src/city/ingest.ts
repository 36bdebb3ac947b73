import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../../drivers/common/logger.js';
import { eventSchema, eventsDataSchema, queueViewSchema, responseSchema, serverStatusSchema } from '../bus/event-schema.js';
import { parseJson } from '../bus/messages.js';
import type { HallEvent } from '../core/index.js';
import { randomUUID } from 'node:crypto';
import { HallqError } from '../../drivers/common/error.js';
import { BRIDGE_NOTICE, CITY_AGENT } from './bridge.js';
import type { CityStore } from './store.js';
import { noDelayOn } from '../bus/no-delay.js';

/**
 * The city's consumer of every hall's stream (docs/city.md, "Delivery"): one durable MQTT session on
 * the cluster (clean session false, QoS 1: the cluster keeps what arrives while the service is down),
 * so delivery is at least once; the tables take each (hall, seq) once, in seq order per hall.
 *
 * A hole (an event after the next expected one, or a hall seq, from its retained status, above the
 * last applied) is filled from the hall itself: an `events` request over the bridge
 * (`city/<hall>/req/city` → the hall's `req/city`, docs/mqtt.md "Paging"), one in flight per hall,
 * asked again after `catchUpTimeoutMs`. Applying is serial (one transaction at a time), so the feed's
 * cursor (hall_events.id) grows in commit order.
 */
export interface IngestMetrics {
  /** Event messages received (live and from catch-up answers). */
  received: number;
  /** Of those, already applied or already pending (broker redeliveries, overlaps with catch-up). */
  duplicates: number;
  applied: number;
  catchUpRequests: number;
  /** Messages that failed their schema, or on a topic of no configured hall. */
  dropped: number;
  /** Sessions opened on the cluster (1 + reconnections: a node failing, or the session taken over). */
  connections: number;
  /**
   * Events (live, pending) whose seq the hall's own answer shows it does not have (above its lastSeq):
   * dropped, never applied. A hall, or a login of it, published a seq it never made.
   */
  refuted: number;
}

export interface IngestOptions {
  urls: string[];
  username: string;
  password?: string;
  clientId: string;
  halls: readonly string[];
  catchUpTimeoutMs: number;
  /** How long a hall may be ahead of the city before it is asked (live events overtaken by its views). */
  catchUpGraceMs: number;
  clock: () => number;
  /** How long `send` waits for the cluster's acknowledgement (default 5 s). */
  sendTimeoutMs?: number;
}

const PAGE = 1000;
/** Ids of the city's messages to halls; catch-up requests are `city-<n>`. */
const INBOX_PREFIX = 'in-';
/** A queue of 10,000 events (max_queued_messages) drains in well under this. */
const FOLLOW_MAX_MS = 120_000;
/** A hall that keeps claiming seqs it does not have is warned about at most this often. */
const CLAIM_WARN_MS = 60_000;
const SEND_TIMEOUT_MS = 5000;
const RECONNECT_MS = 500;
const AUTH_BACKOFF_MAX_MS = 30_000;

/** A hall's answer to one city → hall message (src/server/city-inbox.ts). */
export interface InboxAnswer {
  hall: string;
  status: string;
  data?: unknown;
  error?: { code: string };
}

export class CityIngest extends EventEmitter<{ applied: [hall: string, seqs: number[], at: number]; answer: [hall: string, id: string] }> {
  readonly metrics: IngestMetrics = { received: 0, duplicates: 0, applied: 0, catchUpRequests: 0, dropped: 0, connections: 0, refuted: 0 };
  private client: MqttClient | undefined;
  private readonly halls: Set<string>;
  private readonly last = new Map<string, number>();
  private readonly pending = new Map<string, Map<number, HallEvent>>();
  /**
   * The hall's seq as the city believes it: raised by what the hall claims (its status, its views,
   * its events), and set (down too) by the lastSeq of each of its answers, which is authoritative.
   */
  private readonly hallSeq = new Map<string, number>();
  /** When a hall was last warned about for claiming seqs it does not have (once per CLAIM_WARN_MS). */
  private readonly claimWarnedAt = new Map<string, number>();
  /** The broker refused the login: the reconnect delay now (doubling to AUTH_BACKOFF_MAX_MS). */
  private authBackoffMs = 0;
  private lostAt: number | undefined;
  private up = false;
  private lastError: string | undefined;
  /**
   * Each hall's link and server as last heard: a hall is online for the city only while both are
   * (a cut WAN leaves the server's retained status saying online; the bridge's will says 0).
   */
  private readonly bridgeUp = new Map<string, boolean>();
  private readonly serverUp = new Map<string, boolean>();
  /** Each hall's last server status as stored (online and seq): its 3 s heartbeat repeats it, and a repeat is not written again. */
  private readonly lastServerStatus = new Map<string, string>();
  private readonly inFlight = new Map<string, { id: string; sentAt: number }>();
  /** When each hall was first seen ahead of what the city holds (cleared when it is not). */
  private readonly behindSince = new Map<string, number>();
  /** Halls to ask without the grace: their bridge just came back, or a catch-up page just came. */
  private readonly urgent = new Set<string>();
  /**
   * Halls whose bridge came back while their events' connection drains its backlog: the city follows
   * them by catch-up pages (asked every graceMs) until that connection brings an event past `seq`
   * (the hall's seq in the latest answer), for FOLLOW_MAX_MS at most.
   */
  private readonly following = new Map<string, { since: number; seq: number }>();
  private readonly askedAt = new Map<string, number>();
  /** A hall whose answer claimed seqs it did not send is not asked again before this time (the timeout). */
  private readonly quietUntil = new Map<string, number>();
  /**
   * Per hall, the request number current when its bridge's "0" came. A will can be delivered after
   * the bridge's new "1" (the old connection's will, published by another cluster node at the
   * takeover), so a hall said to be away is asked (a catch-up request, as a probe); an answer to a
   * request sent after the "0" proves the control connection is up.
   */
  private readonly downAtRequest = new Map<string, number>();
  /** Each hall's status writes, in the order they were made (the pool would run them in any order). */
  private readonly statusWrites = new Map<string, Promise<void>>();
  private requestNo = 0;
  private flushing = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: CityStore,
    private readonly opts: IngestOptions,
    private readonly logger: Logger,
  ) {
    super();
    this.halls = new Set(opts.halls);
  }

  /** The last seq in the tables per hall. */
  lastSeq(hall: string): number {
    return this.last.get(hall) ?? 0;
  }

  async start(): Promise<void> {
    await this.store.ensureHalls(this.opts.halls);
    for (const [h, s] of await this.store.lastSeqs()) this.last.set(h, s);
    const servers = this.opts.urls.map((u) => {
      const url = new URL(u);
      return { host: url.hostname, port: Number(url.port || 1883), protocol: url.protocol === 'mqtts:' ? ('mqtts' as const) : ('mqtt' as const) };
    });
    const client = mqtt.connect({
      servers,
      protocolVersion: 4,
      clientId: this.opts.clientId,
      clean: false,
      reconnectPeriod: RECONNECT_MS,
      // A refused login is retried too (with a doubling delay, onClientError): a user added on the cluster later is taken.
      reconnectOnConnackError: true,
      connectTimeout: 5000,
      keepalive: 10,
      username: this.opts.username,
      ...(this.opts.password ? { password: this.opts.password } : {}),
    });
    this.client = client;
    noDelayOn(client);
    client.on('connect', (ack) => {
      this.metrics.connections += 1;
      this.authBackoffMs = 0;
      client.options.reconnectPeriod = RECONNECT_MS;
      if (this.lostAt === undefined) this.logger.info({ sessionPresent: ack.sessionPresent }, 'connected to the city broker');
      else this.logger.info({ sessionPresent: ack.sessionPresent, awayMs: this.opts.clock() - this.lostAt }, 'reconnected to the city broker');
      this.lostAt = undefined;
      this.lastError = undefined;
      this.up = true;
      // Subscribing again on a resumed session is harmless and covers a session the cluster lost.
      client.subscribe(['city/+/events', `city/+/${BRIDGE_NOTICE}`], { qos: 1 }, (err) => {
        if (err) this.logger.warn({ err: err.message }, 'city subscription failed');
      });
      // Latest-value views and the answers to catch-up requests: QoS 0 (src/city/bridge.ts).
      client.subscribe(['city/+/server/status', 'city/+/state/queue', `city/+/res/${CITY_AGENT}`], { qos: 0 }, (err) => {
        if (err) this.logger.warn({ err: err.message }, 'city subscription failed');
      });
      // Whatever was asked on the old connection may be lost: ask again.
      this.inFlight.clear();
      this.checkGaps();
    });
    client.on('error', (err) => this.onClientError(client, err));
    client.on('close', () => {
      // Only a session that was up is lost (a refused login is logged as such, onClientError).
      if (this.stopped || this.lostAt !== undefined || !this.up) return;
      this.up = false;
      this.lostAt = this.opts.clock();
      // Once per loss (a node failing, the network): the client fails over to the next node.
      this.logger.warn({ reason: this.lastError ?? 'the connection closed' }, 'lost the connection to the city broker; reconnecting');
    });
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    this.timer = setInterval(() => this.checkGaps(), Math.max(50, Math.min(250, this.opts.catchUpGraceMs, this.opts.catchUpTimeoutMs)));
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  }

  /** Whether the service holds a session on the cluster now (the dashboard's data is live only then). */
  get connected(): boolean {
    return this.client?.connected === true;
  }

  /**
   * A refused login ("Not authorized", "Bad username or password") is an error, logged once per
   * backoff (the retry delay doubles to 30 s); other errors are the reason of the loss logged on close.
   */
  private onClientError(client: MqttClient, err: Error & { code?: number | string }): void {
    this.lastError = err.message;
    const refused = err.code === 5 || err.code === 4 || /not authori[sz]ed|bad user ?name or password/i.test(err.message);
    if (!refused) {
      if (this.lostAt !== undefined || !client.connected) this.logger.debug({ err: err.message }, 'city broker connection error');
      else this.logger.warn({ err: err.message }, 'city broker connection error');
      return;
    }
    this.authBackoffMs = Math.min(AUTH_BACKOFF_MAX_MS, this.authBackoffMs === 0 ? 1000 : this.authBackoffMs * 2);
    client.options.reconnectPeriod = this.authBackoffMs;
    this.logger.error(
      { user: this.opts.username, err: err.message, retryInMs: this.authBackoffMs },
      'the city broker refused the login (Not authorized): check broker.username and the password file (--password-file / broker.passwordFile) against the cluster config',
    );
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parts = topic.split('/');
    const hall = parts[1] ?? '';
    const rest = parts.slice(2).join('/');
    if (parts[0] !== 'city' || !this.halls.has(hall)) return this.drop(topic, payload, 'no such hall');
    const json = parseJson(payload);
    if (!json.ok) return this.drop(topic, payload, json.error);
    if (rest === 'events') {
      const e = eventSchema.safeParse(json.value);
      if (!e.success) return this.drop(topic, payload, 'not an event');
      // The events' own connection is live again once it brings what the pages had not.
      const from = this.following.get(hall);
      if (from !== undefined && e.data.seq > from.seq) this.following.delete(hall);
      this.offer(hall, [e.data as unknown as HallEvent]);
    } else if (rest === 'server/status') {
      const s = serverStatusSchema.safeParse(json.value);
      if (!s.success) return this.drop(topic, payload, 'not a server status');
      this.seen(hall, s.data.seq ?? 0);
      this.serverUp.set(hall, s.data.online);
      const key = `${String(s.data.online)}/${String(s.data.seq)}`;
      if (this.lastServerStatus.get(hall) !== key) {
        this.lastServerStatus.set(hall, key);
        this.writeStatus(hall, s.data.seq !== undefined ? { hallSeq: s.data.seq } : {});
      }
    } else if (rest === 'state/queue') {
      const q = queueViewSchema.safeParse(json.value);
      if (!q.success) return this.drop(topic, payload, 'not a queue view');
      this.seen(hall, q.data.seq);
      this.writeStatus(hall, { hallSeq: q.data.seq, day: q.data.day }, false);
    } else if (rest === BRIDGE_NOTICE) {
      // Mosquitto's bridge notification: "1" on connect, "0" by its will (the cluster publishes it
      // when the hall's connection is lost: a WAN cut shows as offline within 1.5 keepalives).
      const up = payload.toString() === '1';
      this.bridgeUp.set(hall, up);
      if (up) this.downAtRequest.delete(hall);
      else this.downAtRequest.set(hall, this.requestNo);
      this.writeStatus(hall, {});
      if (up) this.onBridgeUp(hall);
      else this.probe(hall);
      return;
    } else if (rest === `res/${CITY_AGENT}`) {
      const r = responseSchema.safeParse(json.value);
      if (!r.success) return this.drop(topic, payload, 'not an answer');
      this.onAnswer(hall, r.data as { id: string; status: string; data?: unknown; error?: { code: string } });
    }
    this.checkGaps(hall);
  }

  /**
   * Stores a hall's status, writes in the order made. With `withOnline` it writes whether the hall is
   * online now (its server's status and its bridge, as last heard, both up), computed when the write
   * runs, so a later write never carries an older view.
   */
  private writeStatus(hall: string, s: { hallSeq?: number; day?: string }, withOnline = true): void {
    const prev = this.statusWrites.get(hall) ?? Promise.resolve();
    const next = prev.then(() =>
      this.store
        .hallStatus(hall, {
          ...(withOnline ? { online: this.serverUp.get(hall) !== false && this.bridgeUp.get(hall) !== false } : {}),
          // What the city believes when the write runs (an answer may have set it down since).
          ...(s.hallSeq !== undefined ? { hallSeq: this.hallSeq.get(hall) ?? s.hallSeq } : {}),
          ...(s.day !== undefined ? { day: s.day } : {}),
        })
        .catch((err: Error) => this.logger.warn({ hall, err: err.message }, 'hall status not stored')),
    );
    this.statusWrites.set(hall, next);
    void next.then(() => {
      if (this.statusWrites.get(hall) === next) this.statusWrites.delete(hall);
    });
  }

  /** Asks a hall said to be away where it is (see downAtRequest); no answer comes while it is away. */
  private probe(hall: string): void {
    if (this.stopped || !this.client?.connected) return;
    // One request in flight per hall: the probe waits for the one out (checkGaps asks when it is answered or timed out).
    const asked = this.inFlight.get(hall);
    if (asked && this.opts.clock() - asked.sentAt < this.opts.catchUpTimeoutMs) return;
    let reach = this.lastSeq(hall);
    while (this.pending.get(hall)?.has(reach + 1)) reach += 1;
    this.ask(hall, reach);
  }

  private drop(topic: string, payload: Buffer, reason: string): void {
    this.metrics.dropped += 1;
    // Topic and size only: a payload may carry (masked) personal data.
    this.logger.warn({ topic: topic.slice(0, 200), bytes: payload.length, reason }, 'ignored a message');
  }

  private seen(hall: string, seq: number): void {
    if (seq > (this.hallSeq.get(hall) ?? 0)) this.hallSeq.set(hall, seq);
  }

  private onAnswer(hall: string, r: { id: string; status: string; data?: unknown; error?: { code: string } }): void {
    if (r.id.startsWith(INBOX_PREFIX)) {
      // Kept in PostgreSQL (city_messages), so a restart of the city service keeps it; 'answer' once stored.
      this.store
        .messageAnswered(r.id, hall, { status: r.status, ...(r.data === undefined ? {} : { data: r.data }), ...(r.error ? { errorCode: r.error.code } : {}) }, this.opts.clock())
        .then((stored) => {
          if (stored) this.emit('answer', hall, r.id);
        })
        .catch((err: Error) => this.logger.warn({ hall, err: err.message }, 'answer not stored'));
      return;
    }
    const asked = this.inFlight.get(hall);
    // The answer to the request out, or to an older one when none is out: the hall's latest word.
    const current = asked === undefined || asked.id === r.id;
    if (asked?.id === r.id) this.inFlight.delete(hall);
    const downAt = this.downAtRequest.get(hall);
    if (downAt !== undefined && Number(r.id.slice('city-'.length)) > downAt) {
      // Asked after the "0" and answered: the hall's control connection is up; the will was late.
      this.downAtRequest.delete(hall);
      this.bridgeUp.set(hall, true);
      this.logger.info({ hall }, "the hall answered after its bridge's will: online");
      this.writeStatus(hall, {});
    }
    if (r.status !== 'ok') {
      this.logger.warn({ hall, code: r.error?.code }, 'catch-up refused by the hall');
      return;
    }
    // An answer to an older request (one asked again, or asked before a WAN cut) is as good: its
    // events are the hall's, and its lastSeq is the hall's seq when it answered.
    const page = eventsDataSchema.safeParse(r.data);
    if (!page.success) return;
    const lastSeq = page.data.lastSeq;
    // The hall's answer is the truth about its seq: claims above it (a status, a view or an event
    // with a seq far ahead) are set back, and events above it that are waiting are not the hall's.
    if (current) this.hallSeq.set(hall, lastSeq);
    else this.seen(hall, lastSeq);
    const waiting = this.pending.get(hall);
    let refuted = 0;
    if (current && waiting && page.data.more !== true) {
      for (const seq of [...waiting.keys()]) {
        if (seq > lastSeq) {
          waiting.delete(seq);
          refuted += 1;
        }
      }
    }
    this.metrics.refuted += refuted;
    let reach = this.lastSeq(hall);
    while (waiting?.has(reach + 1)) reach += 1;
    const fresh = page.data.events.filter((e) => typeof (e as { seq?: unknown }).seq === 'number' && (e as { seq: number }).seq > reach).length;
    if (refuted > 0 || (lastSeq > reach && fresh === 0)) this.claimWarning(hall, lastSeq, refuted);
    if (lastSeq > reach && fresh === 0) this.quietUntil.set(hall, this.opts.clock() + this.opts.catchUpTimeoutMs);
    this.writeStatus(hall, { hallSeq: lastSeq }, false);
    // Following a returned hall: its events' connection is live again once it brings a seq past
    // the hall's seq in the latest answer (so it is within one poll of the hall, not merely past
    // where the pages took over).
    const follow = this.following.get(hall);
    if (follow) follow.seq = page.data.lastSeq;
    // Following the hall by pages: if it is still ahead once this page (with new events) is applied,
    // the next page is asked at once, without the grace. An answer that brings nothing new waits
    // for the timeout before the hall is asked again.
    if (fresh > 0) this.urgent.add(hall);
    else this.urgent.delete(hall);
    const events: HallEvent[] = [];
    for (const raw of page.data.events) {
      const e = eventSchema.safeParse(raw);
      if (e.success) events.push(e.data as unknown as HallEvent);
    }
    this.offer(hall, events);
  }

  /** A hall claimed seqs its answer shows it does not have: warned about once per CLAIM_WARN_MS. */
  private claimWarning(hall: string, lastSeq: number, refuted: number): void {
    const now = this.opts.clock();
    if (now - (this.claimWarnedAt.get(hall) ?? -Infinity) < CLAIM_WARN_MS) return;
    this.claimWarnedAt.set(hall, now);
    this.logger.warn(
      { hall, hallLastSeq: lastSeq, cityLastSeq: this.lastSeq(hall), refutedTotal: this.metrics.refuted, refuted },
      "a hall's stream claims seqs its own answer does not have: those events are dropped (warned once a minute)",
    );
  }

  private offer(hall: string, events: HallEvent[]): void {
    let map = this.pending.get(hall);
    if (!map) this.pending.set(hall, (map = new Map()));
    for (const e of events) {
      this.metrics.received += 1;
      this.seen(hall, e.seq);
      if (e.seq <= this.lastSeq(hall) || map.has(e.seq)) {
        this.metrics.duplicates += 1;
        continue;
      }
      map.set(e.seq, e);
    }
    void this.flush();
  }

  /**
   * Asks a hall for what is missing when it has been ahead of what the city holds (applied, or
   * pending in an unbroken run) for `catchUpGraceMs`, and nothing is asked yet. The grace keeps the
   * live stream from being fetched twice: the hall's retained views (QoS 0) usually overtake the
   * event they follow (QoS 1, stored by the cluster first). After a WAN cut the events' own bridge
   * connection drains its backlog slowly (docs/city.md), so the city follows the hall by pages of
   * catch-up, asked again as soon as each page is applied.
   */
  private checkGaps(only?: string): void {
    if (this.stopped || !this.client?.connected) return;
    const now = this.opts.clock();
    for (const hall of only === undefined ? this.halls : [only]) {
      let reach = this.lastSeq(hall);
      const map = this.pending.get(hall);
      while (map?.has(reach + 1)) reach += 1;
      const follow = this.following.get(hall);
      if (follow && now - follow.since > FOLLOW_MAX_MS) this.following.delete(hall);
      const asked = this.inFlight.get(hall);
      if (this.downAtRequest.has(hall)) {
        // Said to be away: probe now and then (a request nobody answers while the WAN is down).
        if (!asked || now - asked.sentAt >= this.opts.catchUpTimeoutMs) this.ask(hall, reach);
        continue;
      }
      if ((this.hallSeq.get(hall) ?? 0) <= reach) {
        this.behindSince.delete(hall);
        this.urgent.delete(hall);
        // Level with what the hall last said, but its newer events may still be queued behind the
        // backlog on the events' connection: while following, ask again every graceMs.
        if (this.following.has(hall) && !asked && now - (this.askedAt.get(hall) ?? 0) >= this.opts.catchUpGraceMs) this.ask(hall, reach);
        continue;
      }
      const since = this.behindSince.get(hall) ?? now;
      this.behindSince.set(hall, since);
      if (now - since < this.opts.catchUpGraceMs && !this.urgent.has(hall) && !this.following.has(hall)) continue;
      if (asked && now - asked.sentAt < this.opts.catchUpTimeoutMs) continue;
      // Never faster than the grace (a page that brought events is followed at once), and a hall
      // whose last answer brought nothing of what it claims waits for the timeout.
      if (now < (this.quietUntil.get(hall) ?? 0)) continue;
      if (!this.urgent.has(hall) && now - (this.askedAt.get(hall) ?? -Infinity) < this.opts.catchUpGraceMs) continue;
      this.ask(hall, reach);
    }
  }

  private ask(hall: string, after: number): void {
    const id = `city-${++this.requestNo}`;
    this.inFlight.set(hall, { id, sentAt: this.opts.clock() });
    this.askedAt.set(hall, this.opts.clock());
    this.metrics.catchUpRequests += 1;
    this.client?.publish(`city/${hall}/req/${CITY_AGENT}`, JSON.stringify({ id, type: 'events', after, limit: PAGE }), { qos: 0 });
  }

  /**
   * A hall's bridge (re)connected to the cluster (its retained notification says 1): what it queued
   * while away drains slowly on the events' own connection, so the hall is asked at once where it
   * is; the answer's lastSeq is its seq now, and the city follows it by pages from there.
   */
  private onBridgeUp(hall: string): void {
    if (this.stopped || !this.client?.connected) return;
    let reach = this.lastSeq(hall);
    while (this.pending.get(hall)?.has(reach + 1)) reach += 1;
    this.urgent.add(hall);
    this.following.set(hall, { since: this.opts.clock(), seq: Infinity });
    this.ask(hall, reach);
  }

  /**
   * Sends the city's appointments or a notice to one hall (`city/<hall>/in/<kind>`, bridged to the
   * hall's `city/in/<kind>`; src/server/city-inbox.ts applies it). Resolves with the message id once
   * the cluster has it (QoS 1); the hall's answer comes back later, see `answer(id)`.
   */
  async send(hall: string, kind: 'appointments' | 'notice', body: Record<string, unknown>): Promise<string> {
    const client = this.client;
    if (!client?.connected) throw new HallqError('NOT_CONNECTED', 'the city broker is not connected');
    if (!this.halls.has(hall)) throw new HallqError('PAYLOAD_INVALID', `no hall ${hall} in the city config`);
    const id = `${INBOX_PREFIX}${randomUUID()}`;
    // Recorded before it is sent: the hall's answer may come back before publishAsync resolves.
    await this.store.messageSent(id, hall, kind, this.opts.clock());
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.opts.sendTimeoutMs ?? SEND_TIMEOUT_MS)));
    try {
      const r = await Promise.race([client.publishAsync(`city/${hall}/in/${kind}`, JSON.stringify({ id, ...body }), { qos: 1 }), timedOut]);
      if (r === 'timeout') {
        // The cluster has not acknowledged it (no quorum: two of three nodes down), but the client
        // still holds it and may deliver it later: kept as sent and unanswered, never dropped.
        this.logger.warn({ hall, kind, messageId: id }, 'city message not confirmed by the cluster in time; it may still arrive');
        throw new HallqError('REQUEST_TIMEOUT', id);
      }
    } catch (e) {
      if (e instanceof HallqError && e.code === 'REQUEST_TIMEOUT') throw e;
      await this.store.messageDropped(id).catch(() => undefined);
      throw new HallqError('NOT_CONNECTED', `the city broker did not take the message: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    return id;
  }

  /**
   * A message `send` sent and the hall's answer (null: none yet), from PostgreSQL; undefined when no
   * such message was sent (or it is older than 30 days).
   */
  async message(id: string): Promise<{ hall: string; kind: string; sentAt: number; answer: InboxAnswer | null } | undefined> {
    return this.store.message(id);
  }

  /** Applies every hall's consecutive run, one transaction at a time. */
  private async flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.again = false;
        const batches: { hall: string; events: HallEvent[] }[] = [];
        for (const [hall, map] of this.pending) {
          const run: HallEvent[] = [];
          for (let s = this.lastSeq(hall) + 1; map.has(s); s++) run.push(map.get(s) as HallEvent);
          if (run.length > 0) batches.push({ hall, events: run });
        }
        if (batches.length === 0) break;
        const applied = await this.store.applyMany(batches, this.opts.clock());
        const at = this.opts.clock();
        for (const { hall, events } of batches) {
          const map = this.pending.get(hall);
          for (const e of events) map?.delete(e.seq);
          const top = events.at(-1)?.seq ?? 0;
          // The tables are the truth: a seq applied by another writer counts as applied here too.
          if (top > this.lastSeq(hall)) this.last.set(hall, top);
          const seqs = applied.get(hall) ?? [];
          this.metrics.applied += seqs.length;
          if (seqs.length > 0) this.emit('applied', hall, seqs, at);
          // A catch-up page applied: the next one is asked now, not at the next tick.
          this.checkGaps(hall);
        }
        this.again = true;
      } while (this.again && !this.stopped);
    } catch (e) {
      this.logger.error({ err: (e as Error).message }, 'city tables not updated; retrying');
      setTimeout(() => void this.flush(), 1000).unref();
    } finally {
      this.flushing = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.client?.endAsync();
  }
}
