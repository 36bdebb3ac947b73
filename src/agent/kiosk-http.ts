import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../drivers/common/logger.js';
import { isMobileNumber, maskPhone, type PersonInput } from '../core/index.js';
import { sendFile, serveStatic } from '../web/routes.js';
import type { KioskFlow } from './flows/kiosk.js';
import type { AgentLink } from './link.js';

const pagesDir = fileURLToPath(new URL('../web/pages/', import.meta.url));

/** The card on the reader, held for one ticket and forgotten after a minute. */
export class CardSlot {
  private person: PersonInput | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();
  constructor(private readonly holdMs = 60_000) {}
  put(person: PersonInput): void {
    this.person = person;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.clear(), this.holdMs);
    this.timer.unref();
    this.changed();
  }
  take(): PersonInput | undefined {
    const p = this.person;
    this.clear();
    return p;
  }
  peek(): PersonInput | undefined {
    return this.person;
  }
  clear(): void {
    clearTimeout(this.timer);
    if (this.person) {
      this.person = undefined;
      this.changed();
    }
  }
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  private changed(): void {
    for (const fn of this.listeners) fn();
  }
}

/**
 * The kiosk page the agent serves to the touch screen beside it (Chromium in kiosk mode): the service
 * menu, the card on the reader, the printer's state, and taking a number through the kiosk flow.
 */
export function startKioskHttp(
  link: AgentLink,
  kiosk: KioskFlow,
  card: CardSlot,
  opts: { host: string; port: number; statusBaseUrl: string; /** A keyboard-wedge reader typed an ID number into the page. */ wedge?: (idNumber: string) => boolean },
  logger: Logger,
): Promise<http.Server> {
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const info = () => {
    const c = link.replica.state.config;
    const person = card.peek();
    return {
      hall: c?.name ?? { zh: '', en: '' },
      services: (c?.services ?? []).map((s) => ({ id: s.id, zh: s.name.zh, en: s.name.en, idRequired: s.idRequired })),
      canPrint: kiosk.canPrint(),
      card: person ? { nameMasked: person.nameMasked ?? '', idMasked: person.idMasked } : null,
    };
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://kiosk');
    if (req.method === 'GET' && serveStatic(url, res)) return;
    if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/kiosk')) return void sendFile(res, join(pagesDir, 'kiosk.html'));
    if (req.method === 'GET' && url.pathname === '/kiosk/api/info') return json(res, 200, info());
    if (req.method === 'GET' && url.pathname === '/kiosk/api/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const push = () => res.write(`event: snapshot\ndata: ${JSON.stringify(info())}\n\n`);
      push();
      const offCard = card.onChange(push);
      const timer = setInterval(push, 2000); // printer health changes without an event here
      req.on('close', () => {
        offCard();
        clearInterval(timer);
      });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/kiosk/api/wedge') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let idNumber: unknown;
        try {
          idNumber = (JSON.parse(Buffer.concat(chunks).toString() || '{}') as { idNumber?: unknown }).idNumber;
        } catch {
          idNumber = undefined;
        }
        // The number is hashed and masked at once; it is never logged or kept.
        const ok = typeof idNumber === 'string' && opts.wedge !== undefined && opts.wedge(idNumber);
        json(res, ok ? 200 : 400, ok ? { ok: true } : { ok: false, code: 'id-invalid', message: { zh: '身份证号码无效', en: 'The ID number is not valid' } });
      });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/kiosk/api/cancel-card') {
      card.clear();
      return json(res, 200, { ok: true });
    }
    if (req.method === 'POST' && url.pathname === '/kiosk/api/issue') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body: { serviceId?: unknown; phone?: unknown; smsOnly?: unknown };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as typeof body;
        } catch {
          return json(res, 400, { ok: false, code: 'PAYLOAD_INVALID', message: { zh: '请求无效', en: 'Invalid request' } });
        }
        const phone = typeof body.phone === 'string' && body.phone !== '' ? body.phone : undefined;
        if (typeof body.serviceId !== 'string') return json(res, 400, { ok: false, code: 'PAYLOAD_INVALID', message: { zh: '请选择业务', en: 'Choose a service' } });
        if (phone !== undefined && !isMobileNumber(phone)) return json(res, 400, { ok: false, code: 'phone-invalid', message: { zh: '手机号码无效', en: 'Invalid mobile number' } });
        if (body.smsOnly === true && phone === undefined) return json(res, 400, { ok: false, code: 'phone-required', message: { zh: '短信取号需要手机号码', en: 'An SMS ticket needs a mobile number' } });
        const person = card.take();
        kiosk
          .issue({ serviceId: body.serviceId, ...(person ? { person } : {}), ...(phone ? { phoneMasked: maskPhone(phone), phone } : {}), ...(body.smsOnly === true ? { smsOnly: true } : {}) })
          .then((r) => json(res, 200, r.ok ? { ...r, statusUrl: `${opts.statusBaseUrl}/t/${r.ticketId}` } : r))
          .catch((e: unknown) => {
            logger.error({ err: String(e) }, 'kiosk issue failed');
            json(res, 500, { ok: false, code: 'INTERNAL', message: { zh: '系统繁忙，请稍后再试', en: 'The system is busy, please try again' } });
          });
      });
      return;
    }
    json(res, 404, { ok: false, code: 'not-found' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve(server));
  });
}
