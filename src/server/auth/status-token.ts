import { createHmac } from 'node:crypto';
import type { HallState } from '../../core/index.js';
import type { Logger } from '../../../drivers/common/logger.js';
import { loadOrCreateSecretFile } from './secret-file.js';

/** What a new status key breaks (loadOrCreateSecretFile's warning). */
export const STATUS_LINKS_LOST = "the status links and QR codes of today's tickets no longer open";

/** `<database>.status-key`: the key of the ticket status page tokens. */
export function statusKeyPath(database: string): string {
  return `${database}.status-key`;
}

/**
 * The status page key of a database, made on first use. A key made for a database that has already
 * run a hall day (`history`: HallEngine.openedWithHistory) is a warning: the links of its tickets no longer open.
 */
export function statusKey(database: string, logger: Logger, history: boolean): string {
  return loadOrCreateSecretFile(statusKeyPath(database), 'status page key', logger, history ? STATUS_LINKS_LOST : undefined);
}

/** The status page token of a ticket: base64url HMAC-SHA256 of `hall|day|ticketId` (43 characters, unguessable, not enumerable). */
export function statusToken(key: string, hall: string, day: string, ticketId: string): string {
  return createHmac('sha256', key).update(`${hall}|${day}|${ticketId}`).digest('base64url');
}

export const STATUS_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Finds today's ticket of a token. The map is rebuilt when the state moved on (a new ticket, a new
 * day), so a lookup costs one HMAC per ticket at most once per change.
 */
export class StatusTokens {
  private built = -1;
  private readonly byToken = new Map<string, string>();
  constructor(
    private readonly key: string,
    private readonly hall: string,
  ) {}

  tokenOf(state: HallState, ticketId: string): string {
    return statusToken(this.key, this.hall, state.day, ticketId);
  }

  ticketOf(state: HallState, token: string): string | undefined {
    if (!STATUS_TOKEN_PATTERN.test(token)) return undefined;
    if (this.built !== state.seq) {
      this.byToken.clear();
      for (const id of Object.keys(state.tickets)) this.byToken.set(this.tokenOf(state, id), id);
      this.built = state.seq;
    }
    return this.byToken.get(token);
  }
}
