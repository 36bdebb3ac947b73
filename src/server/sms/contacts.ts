/**
 * Citizens' phone numbers, one per ticket, sealed at rest (seal.ts). The only place a raw number is
 * held by the server; it leaves only inside an SmsMessage to the sender.
 */
import type Database from 'better-sqlite3';
import { mainlandNumber } from '../../../drivers/sms/phone.js';
import { HallqError } from '../../../drivers/common/error.js';
import { seal, unseal } from '../../store/seal.js';

export class Contacts {
  private readonly stmt: {
    insert: Database.Statement<[{ ticket_id: string; phone: Buffer; created: number }]>;
    get: Database.Statement<[string], { phone: Buffer }>;
    ids: Database.Statement<[], { ticket_id: string }>;
    purge: Database.Statement<[number]>;
  };

  constructor(
    db: Database.Database,
    private readonly key: Buffer,
    private readonly clock: () => number,
  ) {
    this.stmt = {
      // The first number given for a ticket stands: a resent request (same or not) changes nothing.
      insert: db.prepare('INSERT INTO contacts (ticket_id, phone, created) VALUES (@ticket_id, @phone, @created) ON CONFLICT (ticket_id) DO NOTHING'),
      get: db.prepare('SELECT phone FROM contacts WHERE ticket_id = ?'),
      ids: db.prepare('SELECT ticket_id FROM contacts ORDER BY ticket_id'),
      purge: db.prepare('DELETE FROM contacts WHERE created < ?'),
    };
  }

  /**
   * Stores the number (11 digits or +86…) for a ticket: `stored` when this call stored it, `same` when
   * that number was already held (a resent request), `other` when another number was given first (it stands).
   */
  put(ticketId: string, phone: string): 'stored' | 'same' | 'other' {
    const national = mainlandNumber(phone);
    if (national === undefined) throw new HallqError('PAYLOAD_INVALID', 'not a mainland mobile number');
    if (this.stmt.insert.run({ ticket_id: ticketId, phone: seal(this.key, national, ticketId), created: this.clock() }).changes === 1) return 'stored';
    return this.phoneOf(ticketId) === national ? 'same' : 'other';
  }

  /** The 11-digit number, or undefined when none was given (or it was purged). */
  phoneOf(ticketId: string): string | undefined {
    const row = this.stmt.get.get(ticketId);
    return row === undefined ? undefined : unseal(this.key, row.phone, ticketId);
  }

  has(ticketId: string): boolean {
    return this.stmt.get.get(ticketId) !== undefined;
  }

  ticketIds(): string[] {
    return this.stmt.ids.all().map((r) => r.ticket_id);
  }

  /** Deletes numbers stored before `cutoff` (epoch ms); returns how many. */
  purgeBefore(cutoff: number): number {
    return this.stmt.purge.run(cutoff).changes;
  }
}
