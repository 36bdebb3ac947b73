import { apply, emptyState, type HallEvent, type HallState } from '../../src/core/index.js';
import { EventLog } from '../../src/store/event-log.js';

/** A hall database's events as its file holds them (opened read-only: beside a running server, WAL), and the state they make. */
export function readHallLog(dbPath: string): { events: HallEvent[]; state: HallState } {
  const log = EventLog.open(dbPath, { readonly: true });
  const events = log.read(0) as unknown as HallEvent[];
  log.close();
  const state = emptyState();
  for (const e of events) apply(state, e);
  return { events, state };
}
