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
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
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

export class IslandContacts {
  private sending: Promise<void> | undefined;

  constructor(
    private readonly store: IslandStore,
    private readonly key: Buffer,
    private readonly link: AgentLink,
    private readonly logger: Logger,
  ) {
    if (key.length !== KEY_BYTES) throw new HallqError('CONFIG_INVALID', `an AES-256 key has ${KEY_BYTES} bytes, not ${key.length}`);
  }

  /** Keeps `phone` (national form) for an island ticket, sealed and durable, before the citizen is answered. */
  keep(ticketId: string, phone: string): void {
    const id = randomUUID();
    this.store.keepContact({ id, ticketId, day: this.link.replica.state.day, phone: seal(this.key, phone, id) });
    this.logger.info({ ticketId }, 'island ticket: the citizen\u2019s mobile number is kept sealed until the server is back, then sent for its SMS');
  }

  /** How many numbers wait for the server. */
  get kept(): number {
    return this.store.contacts().length;
  }

  /**
   * Sends every kept number to the server (the outbox returned, commands go to the server again), each
   * deleted once the server answered (held, or not: another number first, an unknown ticket) or when
   * it can never go (another day's ticket; a value that does not open). A new island stops it; what is
   * left goes after that island's return. One run at a time.
   */
  returnAll(): Promise<void> {
    this.sending ??= (async () => {
      let sent = 0;
      let dropped = 0;
      try {
        for (const c of this.store.contacts()) {
          if (this.link.divert) return;
          if (c.day !== this.link.replica.state.day) {
            this.store.dropContact(c.id);
            dropped += 1;
            this.logger.warn({ ticketId: c.ticketId }, 'an island contact of another day is not sent: its ticket is gone');
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
            const stored = await this.link.sendContact(c.ticketId, phone);
            if (stored) sent += 1;
            else this.logger.warn({ ticketId: c.ticketId }, 'the server holds no contact for this island ticket (SMS off, or another number given first); no SMS to this number');
          } catch (e) {
            // Not sent (the link stopped, or a new island): kept for the next return.
            if (isHallqError(e, 'NOT_CONNECTED')) return;
            this.logger.warn({ ticketId: c.ticketId, code: isHallqError(e) ? (e.details?.['code'] ?? e.code) : 'INTERNAL' }, 'island contact refused; no SMS for this ticket');
          }
          this.store.dropContact(c.id);
        }
      } finally {
        this.sending = undefined;
        if (sent + dropped > 0) this.logger.info({ sent, dropped }, 'island contacts returned to the server');
      }
    })();
    return this.sending;
  }
}
