import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../../drivers/common/logger.js';
import { loadOrCreateSecretFile } from './secret-file.js';

/** What a new rating key breaks (loadOrCreateSecretFile's warning). */
export const RATING_LINKS_LOST = 'the rating links already sent by SMS no longer open';

/** `<database>.rating-key`: the key of the off-site rating links (apart from the status page key). */
export function ratingKeyPath(database: string): string {
  return `${database}.rating-key`;
}

/**
 * The rating link key of a database, made on first use. A key made for a database that has already
 * run a hall day (`history`: HallEngine.openedWithHistory) is a warning: the rating links sent by SMS no longer open.
 */
export function ratingKey(database: string, logger: Logger, history: boolean): string {
  return loadOrCreateSecretFile(ratingKeyPath(database), 'rating link key', logger, history ? RATING_LINKS_LOST : undefined);
}

/** What a rating link's token says: which ticket of which day, and until when (epoch ms, whole seconds). */
export interface RatingClaim {
  ticketId: string;
  expiresAt: number;
}

/** `<ticketId>.<expiry, base36 seconds>.<base64url HMAC-SHA256, 32 characters>`: ≤ 70 characters, URL-safe. */
export const RATING_TOKEN_PATTERN = /^\d{8}-[A-Z]{1,2}\d{3,4}\.[0-9a-z]{1,10}\.[A-Za-z0-9_-]{32}$/;

/**
 * The off-site rating link's token (Songjiang §6.6.1.1): like the status page token an HMAC the
 * server alone can make, but carrying its expiry, so a link is bound to one ticket of this hall
 * and dies at its time without any server-side table. No personal data: a ticket id is a day and
 * a ticket number.
 */
export class RatingTokens {
  constructor(
    private readonly key: string,
    private readonly hall: string,
  ) {}

  tokenOf(ticketId: string, expiresAt: number): string {
    const exp = Math.floor(expiresAt / 1000).toString(36);
    return `${ticketId}.${exp}.${this.mac(ticketId, exp)}`;
  }

  /** The claim of a genuine token (expired or not: the core says "expired"); undefined for anything else. */
  verify(token: string): RatingClaim | undefined {
    if (!RATING_TOKEN_PATTERN.test(token)) return undefined;
    const [ticketId = '', exp = '', mac = ''] = token.split('.');
    const want = Buffer.from(this.mac(ticketId, exp));
    const got = Buffer.from(mac);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    return { ticketId, expiresAt: parseInt(exp, 36) * 1000 };
  }

  private mac(ticketId: string, exp: string): string {
    return createHmac('sha256', this.key).update(`rating|${this.hall}|${ticketId}|${exp}`).digest('base64url').slice(0, 32);
  }
}
