import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../../drivers/common/logger.js';
import { isHallqError } from '../../drivers/common/error.js';
import { queueView, windowView, windowsTouched, type Command, type HallEvent, type Outcome } from '../core/index.js';
import { describeInvalid, parseJson, requestSchema, type Response, type ServerStatus } from '../bus/messages.js';
import { clientOf, topics, type Topics } from '../bus/topics.js';
import type { Authorized, RequestAuthorizer } from './authorize.js';
import type { HallEngine } from './engine.js';
import type { SmsHook } from './sms/hook.js';

export interface ServerMetrics {
  requests: number;
  invalidPayloads: number;
  commands: number;
  duplicates: number;
  /** Requests refused by the per-agent authorization (src/server/authorize.ts). */
  refused: number;
  connected: boolean;
  reconnects: number;
}

/**
 * The server's side of the wire: answers requests, publishes every event in seq order, keeps the
 * retained state topics current and republishes them on every (re)connect.
 */
export class MqttServer {
  readonly metrics: ServerMetrics = { requests: 0, invalidPayloads: 0, commands: 0, duplicates: 0, refused: 0, connected: false, reconnects: 0 };
  private client: MqttClient | undefined;
  private readonly t: Topics;
  /** SMS contacts and outbox (src/server/sms), set by startSms when SMS is on. */
  sms: SmsHook | undefined;

  constructor(
    private readonly engine: HallEngine,
    private readonly opts: {
      url: string;
      hall: string;
      username?: string;
      password?: string;
      clock: () => number;
      /** Every request is checked by the sending agent's identity (the client id of its topic). */
      authorize: RequestAuthorizer;
    },
    private readonly logger: Logger,
  ) {
    this.t = topics(opts.hall);
  }

  /** Resolves on the first connection. */
  start(): Promise<void> {
    const offline: ServerStatus = { online: false };
    const client = mqtt.connect(this.opts.url, {
      protocolVersion: 4,
      // With a broker user, the client id is the user name (bound to it by the broker: Mosquitto's
      // use_username_as_clientid; the embedded broker does the same), so no other user can take it.
      clientId: this.opts.username ?? `hallq-server-${this.opts.hall}`,
      clean: true,
      reconnectPeriod: 500,
      connectTimeout: 5000,
      will: { topic: this.t.serverStatus, payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
      ...(this.opts.username ? { username: this.opts.username } : {}),
      ...(this.opts.password ? { password: this.opts.password } : {}),
    });
    this.client = client;
    client.on('connect', () => {
      this.metrics.connected = true;
      this.logger.info({ url: this.opts.url }, 'connected to broker');
      client.subscribe(this.t.requestAll, { qos: 1 });
      this.publishAllState();
    });
    client.on('reconnect', () => {
      this.metrics.reconnects += 1;
    });
    client.on('close', () => {
      this.metrics.connected = false;
    });
    client.on('error', (err) => this.logger.warn({ err: err.message }, 'broker connection error'));
    client.on('message', (topic, payload) => this.onRequest(topic, payload));
    return new Promise((resolve) => client.once('connect', () => resolve()));
  }

  private publish(topic: string, body: unknown, retain = false): void {
    this.client?.publish(topic, JSON.stringify(body), { qos: 1, retain });
  }

  private publishAllState(): void {
    const s = this.engine.state;
    const status: ServerStatus = { online: true, seq: s.seq, at: this.opts.clock() };
    this.publish(this.t.serverStatus, status, true);
    for (const w of s.config?.windows ?? []) this.publish(this.t.windowState(w.id), windowView(s, w.id), true);
    this.publish(this.t.queueState, queueView(s), true);
  }

  /** Publishes events, then the retained views they changed. */
  publishEvents(events: HallEvent[]): void {
    if (events.length === 0) return;
    this.sms?.afterAppend(events);
    for (const e of events) this.publish(this.t.events, e);
    const s = this.engine.state;
    const windows = new Set(events.flatMap((e) => windowsTouched(s, e)));
    for (const w of windows) this.publish(this.t.windowState(w), windowView(s, w), true);
    this.publish(this.t.queueState, queueView(s), true);
  }

  /** Runs a command from any front (MQTT, HTTP, the server's own timer). */
  run(cmd: Command): Outcome {
    const r = this.engine.handle(cmd, this.opts.clock());
    this.metrics.commands += 1;
    if (r.duplicate) this.metrics.duplicates += 1;
    this.publishEvents(r.events);
    return r.outcome;
  }

  private respond(client: string, res: Response): void {
    this.publish(this.t.response(client), res);
  }

  private onRequest(topic: string, payload: Buffer): void {
    this.metrics.requests += 1;
    const client = clientOf(topic);
    if (!client) return;
    const json = parseJson(payload);
    const id = json.ok && typeof json.value === 'object' && json.value !== null && typeof (json.value as { id?: unknown }).id === 'string' ? (json.value as { id: string }).id : '';
    if (!json.ok) return this.invalid(client, id, `not JSON: ${json.error}`);
    const req = requestSchema.safeParse(json.value);
    if (!req.success) return this.invalid(client, id, describeInvalid(req.error));
    const allowed = this.opts.authorize(client, req.data);
    if (!allowed.ok) return this.refuse(client, req.data.id, allowed);
    try {
      const r = allowed.request;
      switch (r.type) {
        case 'command': {
          const outcome = this.run(r.command as Command);
          return this.respond(client, { id: r.id, status: 'ok', data: { outcome, seq: this.engine.state.seq } });
        }
        case 'events':
          return this.respond(client, { id: r.id, status: 'ok', data: { events: this.engine.eventsAfter(r.after, r.limit ?? 1000), lastSeq: this.engine.state.seq } });
        case 'state':
          return this.respond(client, { id: r.id, status: 'ok', data: { state: this.engine.state } });
        case 'contact':
          // The phone is personal data: stored sealed by the SMS side, never logged, never in an event.
          return this.respond(client, { id: r.id, status: 'ok', data: { stored: this.sms?.contact(r.ticketId, r.phone) ?? false } });
      }
    } catch (e) {
      this.logger.error({ err: isHallqError(e) ? e.code : String(e), requestId: id }, 'request failed');
      this.respond(client, { id, status: 'error', error: { code: isHallqError(e) ? e.code : 'INTERNAL', message: 'the server could not run the request' } });
    }
  }

  private refuse(client: string, id: string, refusal: Extract<Authorized, { ok: false }>): void {
    this.metrics.refused += 1;
    // Who, what and which window only: the payload may carry personal data.
    this.logger.warn({ ...refusal.log, requestId: id }, 'request refused');
    this.respond(client, { id, status: 'error', error: refusal.error });
  }

  private invalid(client: string, id: string, reason: string): void {
    this.metrics.invalidPayloads += 1;
    // The reason names fields, never their values: a payload may carry personal data.
    this.logger.warn({ client, requestId: id, reason: reason.replace(/received .*/g, '') }, 'invalid request payload');
    this.respond(client, { id, status: 'error', error: { code: 'PAYLOAD_INVALID', message: reason } });
  }

  /** Resolves once connected to the broker (at once if connected now). */
  whenConnected(): Promise<void> {
    const client = this.client;
    if (this.metrics.connected || !client) return Promise.resolve();
    return new Promise((resolve) => client.once('connect', () => resolve()));
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const offline: ServerStatus = { online: false, seq: this.engine.state.seq, at: this.opts.clock() };
    await new Promise<void>((resolve) => client.publish(this.t.serverStatus, JSON.stringify(offline), { qos: 1, retain: true }, () => resolve()));
    await client.endAsync();
  }
}
