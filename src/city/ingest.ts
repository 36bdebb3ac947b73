import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../../drivers/common/logger.js';
import { eventSchema, eventsDataSchema, queueViewSchema, responseSchema, serverStatusSchema } from '../bus/event-schema.js';
import { parseJson } from '../bus/messages.js';
import type { HallEvent } from '../core/index.js';
import { CITY_AGENT } from './bridge.js';
import type { CityStore } from './store.js';

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
}

export interface IngestOptions {
  urls: string[];
  username: string;
  password?: string;
  clientId: string;
  halls: readonly string[];
  catchUpTimeoutMs: number;
  clock: () => number;
}

const PAGE = 1000;

export class CityIngest extends EventEmitter<{ applied: [hall: string, seqs: number[], at: number] }> {
  readonly metrics: IngestMetrics = { received: 0, duplicates: 0, applied: 0, catchUpRequests: 0, dropped: 0 };
  private client: MqttClient | undefined;
  private readonly halls: Set<string>;
  private readonly last = new Map<string, number>();
  private readonly pending = new Map<string, Map<number, HallEvent>>();
  /** The hall's own seq as its status says (or the highest seq seen). */
  private readonly hallSeq = new Map<string, number>();
  private readonly inFlight = new Map<string, { id: string; sentAt: number }>();
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
      reconnectPeriod: 500,
      connectTimeout: 5000,
      keepalive: 10,
      username: this.opts.username,
      ...(this.opts.password ? { password: this.opts.password } : {}),
    });
    this.client = client;
    client.on('connect', (ack) => {
      this.logger.info({ sessionPresent: ack.sessionPresent }, 'connected to the city broker');
      // Subscribing again on a resumed session is harmless and covers a session the cluster lost.
      client.subscribe(['city/+/events', 'city/+/server/status', 'city/+/state/queue', `city/+/res/${CITY_AGENT}`], { qos: 1 }, (err) => {
        if (err) this.logger.warn({ err: err.message }, 'city subscription failed');
      });
      // Whatever was asked on the old connection may be lost: ask again.
      this.inFlight.clear();
      this.checkGaps();
    });
    client.on('error', (err) => this.logger.warn({ err: err.message }, 'city broker connection error'));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    this.timer = setInterval(() => this.checkGaps(), Math.min(1000, this.opts.catchUpTimeoutMs));
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
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
      this.offer(hall, [e.data as unknown as HallEvent]);
    } else if (rest === 'server/status') {
      const s = serverStatusSchema.safeParse(json.value);
      if (!s.success) return this.drop(topic, payload, 'not a server status');
      this.seen(hall, s.data.seq ?? 0);
      void this.store.hallStatus(hall, { online: s.data.online, ...(s.data.seq !== undefined ? { hallSeq: s.data.seq } : {}) }).catch((err: Error) => this.logger.warn({ err: err.message }, 'hall status not stored'));
    } else if (rest === 'state/queue') {
      const q = queueViewSchema.safeParse(json.value);
      if (!q.success) return this.drop(topic, payload, 'not a queue view');
      this.seen(hall, q.data.seq);
      void this.store.hallStatus(hall, { hallSeq: q.data.seq, day: q.data.day }).catch((err: Error) => this.logger.warn({ err: err.message }, 'hall status not stored'));
    } else if (rest === `res/${CITY_AGENT}`) {
      const r = responseSchema.safeParse(json.value);
      if (!r.success) return this.drop(topic, payload, 'not an answer');
      this.onAnswer(hall, r.data as { id: string; status: string; data?: unknown; error?: { code: string } });
    }
    this.checkGaps(hall);
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
    const asked = this.inFlight.get(hall);
    if (!asked || asked.id !== r.id) return;
    this.inFlight.delete(hall);
    if (r.status !== 'ok') {
      this.logger.warn({ hall, code: r.error?.code }, 'catch-up refused by the hall');
      return;
    }
    const page = eventsDataSchema.safeParse(r.data);
    if (!page.success) return;
    this.seen(hall, page.data.lastSeq);
    const events: HallEvent[] = [];
    for (const raw of page.data.events) {
      const e = eventSchema.safeParse(raw);
      if (e.success) events.push(e.data as unknown as HallEvent);
    }
    this.offer(hall, events);
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

  /** Asks a hall for the events after the last applied one when something is missing and nothing is asked yet. */
  private checkGaps(only?: string): void {
    if (this.stopped || !this.client?.connected) return;
    const now = this.opts.clock();
    for (const hall of only === undefined ? this.halls : [only]) {
      const last = this.lastSeq(hall);
      const map = this.pending.get(hall);
      const next = map?.has(last + 1) ?? false;
      const behind = (this.hallSeq.get(hall) ?? 0) > last;
      if (!behind || next) continue;
      const asked = this.inFlight.get(hall);
      if (asked && now - asked.sentAt < this.opts.catchUpTimeoutMs) continue;
      const id = `city-${++this.requestNo}`;
      this.inFlight.set(hall, { id, sentAt: now });
      this.metrics.catchUpRequests += 1;
      this.client.publish(`city/${hall}/req/${CITY_AGENT}`, JSON.stringify({ id, type: 'events', after: last, limit: PAGE }), { qos: 1 });
    }
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
