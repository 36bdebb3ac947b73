import type Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../drivers/common/logger.js';
import { epochOf, type CommandBody, type HallEvent } from '../../src/core/index.js';
import { HallEngine } from '../../src/server/engine.js';
import { Contacts } from '../../src/server/sms/contacts.js';
import { Outbox } from '../../src/server/sms/outbox.js';
import { openSmsDb } from '../../src/server/sms/sms-db.js';
import { tempDirs } from '../store/temp-dir.js';
import { wireConfig } from '../wire/rig.js';

export const dirs = tempDirs();

/** Monday 2026-11-23 10:00 in the hall (UTC+8). */
export const MONDAY_10 = epochOf('2026-11-23', 600, 480);

/** A real engine on a fresh database, and the SMS tables on their own connection, as the server has them. */
export function smsRig(opts: { clock?: () => number; logger?: Logger; path?: string; key?: Buffer } = {}) {
  const clock = opts.clock ?? (() => MONDAY_10);
  const logger = opts.logger ?? silentLogger;
  const path = opts.path ?? join(dirs.make(), 'hall.db');
  const engine = HallEngine.open(path, wireConfig, logger, clock());
  const key = opts.key ?? randomBytes(32);
  const db: Database.Database = openSmsDb(path, logger);
  const contacts = new Contacts(db, key, clock);
  const outbox = new Outbox(db, contacts, clock);
  /** Runs a command on the engine and enqueues its events, as MqttServer.publishEvents does. */
  const run = (cmd: CommandBody): HallEvent[] => {
    const r = engine.handle({ id: randomUUID(), ...cmd } as never, clock());
    outbox.enqueue(r.events);
    return r.events;
  };
  const issue = (serviceId = 'A'): string => {
    const ev = run({ type: 'IssueTicket', serviceId, delivery: 'sms', source: 'kiosk' } as CommandBody);
    const issued = ev.find((e) => e.type === 'TicketIssued');
    if (issued?.type !== 'TicketIssued') throw new Error('not issued');
    return issued.ticket.id;
  };
  return {
    path,
    key,
    engine,
    db,
    contacts,
    outbox,
    run,
    issue,
    close() {
      db.close();
      engine.close();
    },
  };
}

export const notices = (events: readonly HallEvent[]) => events.filter((e) => e.type === 'NotificationDue');
