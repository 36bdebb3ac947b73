import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CityStore } from '../../src/city/store.js';
import { Hall } from '../core/fixtures.js';
import { startPostgres, type TestPostgres } from './postgres.js';

/**
 * The city's ticket row (real PostgreSQL) of a kiosk ticket the print-confirm timeout voided: finished
 * as voided, then waiting again with no finish time once its late cut (TicketPrinted revived) arrives.
 */
describe('city store: a ticket revived after the print-confirm timeout', () => {
  let pg: TestPostgres;
  let store: CityStore;
  beforeAll(async () => {
    pg = await startPostgres();
    store = await CityStore.open(pg.url);
    await store.ensureHalls(['h1']);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await pg?.stop();
  });

  it('voided with a finish time after the tick; waiting with none after the late cut', async () => {
    const h = new Hall();
    const r = h.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'print' });
    const id = r.outcome.ok ? r.outcome.ticketId! : '';
    h.advance(10);
    h.ok({ type: 'Tick' });
    const row = async () => (await store.pool.query<{ status: string; finished_at: string | null }>('SELECT status, finished_at FROM tickets WHERE hall_id = $1 AND ticket_id = $2', ['h1', id])).rows[0];
    await store.apply('h1', h.log, h.now);
    expect(await row()).toMatchObject({ status: 'voided' });
    expect((await row())?.finished_at).not.toBeNull();
    const seen = h.log.length;
    h.ok({ type: 'PrintConfirmed', ticketId: id });
    await store.apply('h1', h.log.slice(seen), h.now);
    expect(await row()).toEqual({ status: 'waiting', finished_at: null });
  }, 60_000);
});
