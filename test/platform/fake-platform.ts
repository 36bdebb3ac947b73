import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The unified platform as the tests play it: a real HTTP server that checks every request's signature
 * the way docs/platform.md tells a platform to (its own HMAC code, not hallq's), keeps exported
 * events by their idempotency key (the first copy wins, as a platform must), and misbehaves on demand:
 * drops a request before or after storing it (the socket is destroyed, no answer), answers 5xx, is
 * down altogether, or holds a request unanswered. It also serves appointments for hallq to pull.
 */
export type Fault = 'drop-before' | 'drop-after' | 'error-500' | 'hold' | 'ok';

export interface ReceivedEvent {
  key: string;
  seq: number;
  type: string;
  ticket?: { id: string; number?: string; person?: Record<string, unknown>; phoneMasked?: string };
  data: Record<string, unknown>;
}

export class FakePlatform {
  /** First copy of each event by key, in arrival order. */
  readonly events = new Map<string, ReceivedEvent>();
  /** Every POST that carried a valid signature, duplicates included. */
  readonly deliveries: string[] = [];
  readonly badSignatures: string[] = [];
  /** Bodies exactly as they arrived (for personal-data checks). */
  readonly rawBodies: string[] = [];
  /** Faults to apply to the next requests, in order; then `ok` (or `down`). */
  faults: Fault[] = [];
  down = false;
  requests = 0;
  pulls = 0;
  appointments: unknown[] = [];
  private readonly held: http.ServerResponse[] = [];
  private readonly waiters: (() => void)[] = [];
  private server!: http.Server;
  url = '';

  constructor(private readonly secret: string) {}

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Resolves when `pred` holds, re-checked after every request (the event, not a sleep). */
  until(pred: () => boolean): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => (pred() ? resolve() : this.waiters.push(check));
      this.waiters.push(check);
    });
  }

  async close(): Promise<void> {
    for (const r of this.held.splice(0)) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private verify(req: http.IncomingMessage, body: string): boolean {
    const ts = req.headers['x-hallq-timestamp'];
    const sig = req.headers['x-hallq-signature'];
    if (typeof ts !== 'string' || typeof sig !== 'string') return false;
    const want = Buffer.from(`v1=${createHmac('sha256', this.secret).update(`${ts}.${body}`).digest('hex')}`);
    const got = Buffer.from(sig);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    this.requests += 1;
    try {
      if (!this.verify(req, body)) {
        this.badSignatures.push(req.url ?? '');
        res.writeHead(401).end();
        return;
      }
      if (req.method === 'GET' && req.url === '/appointments') {
        this.pulls += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ appointments: this.appointments }));
        return;
      }
      if (this.down) {
        req.socket.destroy();
        return;
      }
      const fault = this.faults.shift() ?? 'ok';
      if (fault === 'drop-before') return void req.socket.destroy();
      if (fault === 'error-500') return void res.writeHead(500).end();
      const e = JSON.parse(body) as ReceivedEvent;
      if (req.headers['idempotency-key'] !== e.key) throw new Error(`Idempotency-Key ${String(req.headers['idempotency-key'])} is not the body's key ${e.key}`);
      this.rawBodies.push(body);
      this.deliveries.push(e.key);
      if (!this.events.has(e.key)) this.events.set(e.key, e);
      if (fault === 'drop-after') return void req.socket.destroy();
      // Stored, never answered: the sender cannot know (a crash now must lead to a resend).
      if (fault === 'hold') return void this.held.push(res);
      res.writeHead(204).end();
    } finally {
      for (const w of this.waiters.splice(0)) w();
    }
  }
}

/** The same signature for a request the test sends to hallq (a push), computed independently. */
export function signFor(secret: string, nowMs: number, body: string): Record<string, string> {
  const ts = Math.floor(nowMs / 1000);
  return { 'x-hallq-timestamp': String(ts), 'x-hallq-signature': `v1=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}` };
}
