import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { HallqError } from '../../drivers/common/error.js';
import type { Logger } from '../../drivers/common/logger.js';
import type { Command, CommandBody, HallEvent, HallState, Outcome } from '../core/index.js';
import { parseJson, type AgentStatus, type DeviceHealth, type Request, type Response } from '../bus/messages.js';
import { topics, type Topics } from '../bus/topics.js';
import { Replica } from './replica.js';

export interface LinkOptions {
  url: string;
  hall: string;
  agentId: string;
  username?: string;
  password?: string;
  /** How long one request waits for its answer before it is sent again (same id: safe). */
  requestTimeoutMs?: number;
}

type Pending = { resolve: (r: Response) => void; timer: NodeJS.Timeout | undefined; payload: string };

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
  private readonly listeners = new Set<(e: HallEvent) => void>();
  connected = false;
  reconnects = 0;
  private devices: DeviceHealth[] = [];

  constructor(
    private readonly opts: LinkOptions,
    private readonly logger: Logger,
  ) {
    this.t = topics(opts.hall);
  }

  /** Every event applied to the replica, in order. */
  onEvent(fn: (e: HallEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  start(): Promise<void> {
    const offline: AgentStatus = { online: false };
    const client = mqtt.connect(this.opts.url, {
      protocolVersion: 4,
      // With a broker user, the client id is the user name, which the broker binds to it.
      clientId: this.opts.username ?? `hallq-agent-${this.opts.hall}-${this.opts.agentId}`,
      clean: true,
      reconnectPeriod: 500,
      connectTimeout: 5000,
      will: { topic: this.t.agentStatus(this.opts.agentId), payload: Buffer.from(JSON.stringify(offline)), qos: 1, retain: true },
      ...(this.opts.username ? { username: this.opts.username } : {}),
      ...(this.opts.password ? { password: this.opts.password } : {}),
    });
    this.client = client;
    client.on('connect', () => {
      this.connected = true;
      client.subscribe([this.t.events, this.t.response(this.opts.agentId)], { qos: 1 }, () => {
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
    client.on('error', (err) => this.logger.warn({ err: err.message }, 'broker connection error'));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    return new Promise((resolve) => client.once('connect', () => resolve()));
  }

  /** Publishes this agent's device health (retained), e.g. on every change. */
  publishDevices(devices: DeviceHealth[]): void {
    this.devices = devices;
    this.client?.publish(this.t.agentDevices(this.opts.agentId), JSON.stringify(devices), { qos: 1, retain: true });
  }

  private publishStatus(online: boolean): void {
    const s: AgentStatus = { online, seq: this.replica.seq, at: Date.now() };
    this.client?.publish(this.t.agentStatus(this.opts.agentId), JSON.stringify(s), { qos: 1, retain: true });
  }

  private onMessage(topic: string, payload: Buffer): void {
    const json = parseJson(payload);
    if (!json.ok || typeof json.value !== 'object' || json.value === null) {
      this.logger.warn({ topic }, 'ignored a malformed message');
      return;
    }
    if (topic === this.t.events) {
      const e = json.value as HallEvent;
      if (typeof e.seq !== 'number' || typeof e.type !== 'string') return;
      this.deliver(e);
      return;
    }
    const res = json.value as Response;
    const p = this.pending.get(res.id);
    if (p) {
      clearTimeout(p.timer);
      this.pending.delete(res.id);
      p.resolve(res);
    }
  }

  private deliver(e: HallEvent): void {
    const r = this.replica.receive(e);
    if (r === 'applied') for (const fn of this.listeners) fn(e);
    else if (r === 'gap') void this.catchUp();
  }

  /** Asks for everything after the replica's seq until it has caught up. One at a time. */
  catchUp(): Promise<void> {
    this.catchingUp ??= (async () => {
      try {
        if (this.replica.seq === 0) {
          const r = await this.request({ id: randomUUID(), type: 'state' });
          if (r.status === 'ok') this.replica.load((r.data as { state: HallState }).state);
        }
        for (;;) {
          const r = await this.request({ id: randomUUID(), type: 'events', after: this.replica.seq, limit: 1000 });
          if (r.status !== 'ok') return;
          const data = r.data as { events: HallEvent[]; lastSeq: number };
          for (const e of data.events) this.deliver(e);
          if (data.events.length === 0 || this.replica.seq >= data.lastSeq) return;
        }
      } finally {
        this.catchingUp = undefined;
      }
    })();
    return this.catchingUp;
  }

  request(req: Request): Promise<Response> {
    const client = this.client;
    if (!client) return Promise.reject(new HallqError('NOT_CONNECTED', 'agent link not started'));
    const payload = JSON.stringify(req);
    return new Promise((resolve) => {
      const p: Pending = { resolve, timer: undefined, payload };
      const arm = () => {
        p.timer = setTimeout(() => {
          // No answer: send again with the same id; the server answers a repeat with the first answer.
          if (this.connected) client.publish(this.t.request(this.opts.agentId), payload, { qos: 1 });
          arm();
        }, this.opts.requestTimeoutMs ?? 3000);
        p.timer.unref();
      };
      this.pending.set(req.id, p);
      arm();
      if (this.connected) client.publish(this.t.request(this.opts.agentId), payload, { qos: 1 });
    });
  }

  /** Sends a command and resolves with its outcome. */
  async send(cmd: CommandBody & { id?: string }): Promise<Outcome> {
    return (await this.run(cmd)).outcome;
  }

  /** Sends a command; resolves with its outcome and the seq the server reached with it. */
  async run(cmd: CommandBody & { id?: string }): Promise<{ outcome: Outcome; seq: number }> {
    const command = { ...cmd, id: cmd.id ?? randomUUID() } as Command;
    const r = await this.request({ id: randomUUID(), type: 'command', command: command as never });
    if (r.status === 'error') throw new HallqError(r.error.code === 'FORBIDDEN' ? 'FORBIDDEN' : 'PAYLOAD_INVALID', r.error.message, { code: r.error.code });
    return r.data as { outcome: Outcome; seq: number };
  }

  /**
   * Hands the server a citizen's mobile number for SMS about one ticket. It travels only in this
   * request (stored encrypted on the server, never in an event); resolves with whether it is held.
   */
  async sendContact(ticketId: string, phone: string): Promise<boolean> {
    const r = await this.request({ id: randomUUID(), type: 'contact', ticketId, phone });
    if (r.status === 'error') throw new HallqError(r.error.code === 'FORBIDDEN' ? 'FORBIDDEN' : 'PAYLOAD_INVALID', r.error.message, { code: r.error.code });
    return (r.data as { stored: boolean }).stored;
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

  async stop(): Promise<void> {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    const client = this.client;
    if (!client) return;
    await new Promise<void>((resolve) => client.publish(this.t.agentStatus(this.opts.agentId), JSON.stringify({ online: false, seq: this.replica.seq }), { qos: 1, retain: true }, () => resolve()));
    await client.endAsync();
  }
}
