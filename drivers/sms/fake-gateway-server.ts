/**
 * What the two fake SMS gateways share: a node:http server on 127.0.0.1 (port 0 by default),
 * switchable faults, a record of accepted messages and a clean close.
 */
import http from 'node:http';
import { Listeners } from '../common/transport.js';

export type GatewayFault = 'http500' | 'throttle';

export interface AcceptedSms {
  phone: string;
  signName: string;
  templateId: string;
  /** Aliyun: the TemplateParam object; Tencent: the positional TemplateParamSet. */
  params: Record<string, string> | string[];
  providerRef: string;
}

export abstract class FakeGatewayServer {
  private server: http.Server | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private faults: { kind: GatewayFault; times: number } | undefined;
  private delayMs = 0;
  private seq = 0;
  private readonly listeners = new Listeners<[AcceptedSms]>();
  /** Every accepted message, in order. Holds phone numbers: keep it in memory, never log it. */
  readonly accepted: AcceptedSms[] = [];
  /** Requests refused for a bad or unknown credential. */
  rejectedSignatures = 0;
  url = '';

  constructor(protected readonly port = 0) {}

  async start(): Promise<string> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = () => {
          const out = this.handle(req, Buffer.concat(chunks).toString('utf8'));
          res.writeHead(out.status, { 'Content-Type': out.contentType ?? 'application/json;charset=utf-8' });
          res.end(out.body);
        };
        if (this.delayMs > 0) {
          const t = setTimeout(() => {
            this.timers.delete(t);
            answer();
          }, this.delayMs);
          this.timers.add(t);
        } else answer();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : this.port;
    this.url = `http://127.0.0.1:${port}/`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  onAccepted(fn: (sms: AcceptedSms) => void): () => void {
    return this.listeners.add(fn);
  }

  /** The next `times` correctly signed requests fail with HTTP 500 or the provider's throttling error. */
  failNext(kind: GatewayFault, times = 1): void {
    this.faults = { kind, times };
  }
  /** Delays every answer (a slow gateway): clients with a shorter deadline time out. */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }
  clearFaults(): void {
    this.faults = undefined;
    this.delayMs = 0;
  }

  /** Consumes one pending fault, if any. */
  protected takeFault(): GatewayFault | undefined {
    const f = this.faults;
    if (!f) return undefined;
    if (--f.times <= 0) this.faults = undefined;
    return f.kind;
  }

  protected record(sms: Omit<AcceptedSms, 'providerRef'>, prefix: string): string {
    const providerRef = `${prefix}${String(++this.seq).padStart(6, '0')}`;
    const full = { ...sms, providerRef };
    this.accepted.push(full);
    this.listeners.emit(full);
    return providerRef;
  }

  protected requestId(): string {
    return `FAKE-${String(this.seq).padStart(4, '0')}-${Date.now().toString(36)}`;
  }

  protected abstract handle(req: http.IncomingMessage, body: string): { status: number; body: string; contentType?: string };
}
