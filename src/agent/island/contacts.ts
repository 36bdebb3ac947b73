/**
 * The mobile numbers citizens give at this agent's kiosk while it is an island (README "Island mode").
 * The number's one way to the server is the kiosk's `contact` request, which needs the server; during
 * an island the kiosk keeps it here instead, sealed at rest as the server keeps its contacts
 * (AES-256-GCM, a fresh IV per number, its row's own id as associated data; layout as
 * src/store/seal.ts, the same code: version · IV · tag · ciphertext) in the island file, the key in a
 * file of its own beside it (`<island.outbox>.contact-key`, mode 0600, made at the first start). Once the outbox
 * is returned (the server has the island's tickets, renumbered ones under their new ids), each number
 * goes to the server as a contact for its ticket and is deleted here; the server's SMS for the ticket
 * (issued, still waiting; near; called) then go as for any kiosk ticket.
 *
 * A number that cannot go yet (a new island, the broker away, the outbox not yet back, the server not
 * answering within SEND_WITHIN_MS or not saving) stays kept and is tried again at every later occasion:
 * the server's online status, a catch-up (a reconnect), a return, and every RETRY_MS while any is kept.
 * Deleted only once the server answered for it: held, or refused (its ticket unknown to it, another
 * number first, another kiosk's ticket), or when it can never go (another day's; a value that does not open).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { own } from '../../core/index.js';
import { HallqError, isHallqError } from '../../../drivers/common/error.js';
import type { Logger } from '../../../drivers/common/logger.js';
import { fileProblem } from '../../../drivers/common/system-words.js';
import { KEY_BYTES, seal, unseal } from '../../store/seal.js';
import type { AgentLink } from '../link.js';
import type { IslandStore } from './store.js';

/** `<outbox>.contact-key`: made once (never overwritten), mode 0600, then read at every start. */
export function contactKey(outbox: string, logger: Logger): Buffer {
  const path = `${outbox}.contact-key`;
  try {
    writeFileSync(path, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    logger.info({ keyFile: path }, 'generated the key that seals island contacts (citizens\u2019 numbers kept until the server is back)');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      const p = fileProblem('create', path, e);
      throw new HallqError('STORE_IO', `the island contact key file: ${p.en}`, { path, messageZh: `孤岛模式联系电话密钥文件 ${p.zh}` }, { cause: e });
    }
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
    if ((statSync(path).mode & 0o077) !== 0) logger.warn({ keyFile: path }, 'island contact key file is readable by others; chmod 600 it');
  } catch (e) {
    const p = fileProblem('read', path, e);
    throw new HallqError('STORE_IO', `the island contact key file: ${p.en}`, { path, messageZh: `孤岛模式联系电话密钥文件 ${p.zh}` }, { cause: e });
  }
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new HallqError('STORE_CORRUPT', `the island contact key file ${path} holds no key of ${KEY_BYTES} bytes (64 hex digits)`, { path });
  return Buffer.from(text, 'hex');
}

/** How long one number's request waits for the server's answer before it is withdrawn and kept for the next try (ms). */
const SEND_WITHIN_MS = 10_000;
/** While any number is kept: how often a send is tried again even when nothing else says the server is back (ms). */
const RETRY_MS = 30_000;
/** The server's answers that say a number can never be taken for its ticket: deleted (the rest are worth another try). */
const REFUSED = new Set(['FORBIDDEN', 'PAYLOAD_INVALID', 'PAYLOAD_TOO_LARGE', 'RESPONSE_TOO_LARGE']);

export class IslandContacts {
  private sending: Promise<void> | undefined;
  /** Asked again while a run was under way: one more run follows it. */
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly offs: (() => void)[] = [];
  private stopped = false;
  /** Why the kept numbers wait, while they do (said once per episode: until none is kept). */
  private waiting: string | undefined;
  private readonly retryMs: number;
  private readonly sendWithinMs: number;

  constructor(
    private readonly store: IslandStore,
    private readonly key: Buffer,
    private readonly link: AgentLink,
    private readonly logger: Logger,
    o: { retryMs?: number; sendWithinMs?: number } = {},
  ) {
    if (key.length !== KEY_BYTES) throw new HallqError('CONFIG_INVALID', `an AES-256 key has ${KEY_BYTES} bytes, not ${key.length}`);
    this.retryMs = o.retryMs ?? RETRY_MS;
    this.sendWithinMs = o.sendWithinMs ?? SEND_WITHIN_MS;
  }

  /**
   * Tries the kept numbers again at each sign the server may take them: its online status, a catch-up
   * (a reconnect, a gap), the replica loaded again (a return); and every `retryMs` while any is kept.
   */
  start(): void {
    this.stopped = false;
    this.offs.push(
      this.link.onServerStatus((s) => {
        if (s.online) this.retry();
      }),
      this.link.onCaughtUp(() => this.retry()),
      this.link.onResync(() => this.retry()),
    );
    if (this.kept > 0) this.arm();
  }

  /** No more tries (the agent stops; its island file closes after this). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const off of this.offs.splice(0)) off();
  }

  /** Keeps `phone` (national form) for an island ticket, sealed and durable, before the citizen is answered. */
  keep(ticketId: string, phone: string): void {
    const id = randomUUID();
    this.store.keepContact({ id, ticketId, day: this.link.replica.state.day, phone: seal(this.key, phone, id) });
    this.logger.info({ ticketId }, 'island ticket: the citizen\u2019s mobile number is kept sealed until the server is back, then sent for its SMS');
    this.arm();
  }

  /** How many numbers wait for the server. */
  get kept(): number {
    return this.store.contacts().length;
  }

  /** The next periodic try, while any number is kept (one timer; it never holds the process open). */
  private arm(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.retry();
    }, this.retryMs);
    this.timer.unref();
  }

  private retry(): void {
    if (this.stopped) return;
    if (this.kept > 0) void this.returnAll();
  }

  /** Why no number can go now, in words; undefined when the server has the island's tickets and is reachable. */
  private notNow(): string | undefined {
    if (this.link.divert) return 'island mode: the server is away';
    if (!this.link.connected) return 'the broker is unreachable';
    if (this.store.pending().length > 0) return 'the island outbox is not yet returned';
    if (this.link.replica.state.day === '') return 'the hall state is being loaded from the server';
    return undefined;
  }

  /**
   * Sends every kept number to the server (the outbox returned, commands go to the server again), each
   * deleted once the server answered (held, or not: another number first, an unknown ticket, a refusal)
   * or when it can never go (another day's ticket; a value that does not open). One that cannot go now
   * (see notNow; no answer within `sendWithinMs`; the server not saving) stays for the next try. One run
   * at a time: a call during a run makes one more run after it.
   */
  returnAll(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.sending) {
      this.again = true;
      return this.sending;
    }
    const run: Promise<void> = this.runOnce().finally(() => {
      if (this.sending === run) this.sending = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.returnAll();
      }
    });
    this.sending = run;
    return run;
  }

  private async runOnce(): Promise<void> {
    let sent = 0;
    let dropped = 0;
    let waitingNow: string | undefined;
    try {
      for (const c of this.store.contacts()) {
        if (this.stopped) return;
        const why = this.notNow();
        if (why !== undefined) {
          waitingNow = why;
          break;
        }
        const state = this.link.replica.state;
        if (c.day !== state.day) {
          this.store.dropContact(c.id);
          dropped += 1;
          this.logger.warn({ ticketId: c.ticketId }, 'an island contact of another day is not sent: its ticket is gone');
          continue;
        }
        if (own(state.tickets, c.ticketId) === undefined) {
          // Not yet the server's (an acting agent's outbox still to come back): kept for a later try.
          waitingNow ??= 'the ticket is not yet in the server\u2019s state';
          continue;
        }
        let phone: string;
        try {
          phone = unseal(this.key, c.phone, c.id);
        } catch {
          this.store.dropContact(c.id);
          dropped += 1;
          this.logger.error({ ticketId: c.ticketId }, 'an island contact does not open (its key file replaced?): no SMS for this ticket');
          continue;
        }
        try {
          const stored = await this.link.sendContact(c.ticketId, phone, { withinMs: this.sendWithinMs });
          if (stored) sent += 1;
          else {
            dropped += 1;
            this.logger.info({ ticketId: c.ticketId }, 'the server holds no contact for this island ticket (SMS off, the ticket unknown, or another number given first): the kept number is deleted, no SMS to it');
          }
        } catch (e) {
          const code = isHallqError(e) ? String(e.details?.['code'] ?? e.code) : 'INTERNAL';
          if (!REFUSED.has(code)) {
            // Not taken now (a new island, the broker lost, no answer in time, the server not saving): kept.
            waitingNow = code === 'NOT_CONNECTED' ? 'the server is away' : code === 'REQUEST_TIMEOUT' ? 'the server did not answer in time' : `the server could not take it now (${code})`;
            break;
          }
          dropped += 1;
          this.logger.info({ ticketId: c.ticketId, code }, 'the server refused the kept number for this island ticket: deleted, no SMS for this ticket');
        }
        if (this.stopped) return;
        this.store.dropContact(c.id);
      }
    } finally {
      if (sent + dropped > 0) this.logger.info({ sent, dropped }, 'island contacts returned to the server');
      if (!this.stopped) this.settle(waitingNow);
    }
  }

  /** After a run: the next try armed while any number is kept, its reason said once per episode. */
  private settle(waitingNow: string | undefined): void {
    const kept = this.kept;
    if (kept === 0) {
      if (this.waiting !== undefined) this.logger.info({}, 'island contacts: every kept number has gone to the server');
      this.waiting = undefined;
      clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.waiting === undefined) {
      this.waiting = waitingNow ?? 'not yet tried';
      this.logger.warn({ kept, reason: this.waiting, retrySeconds: Math.round(this.retryMs / 1000) }, 'island contacts wait for the server: kept sealed, sent at its next status, reconnect or return, and tried again periodically');
    }
    this.arm();
  }
}
