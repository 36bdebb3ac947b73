import type Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../drivers/common/logger.js';
import { openPtyPair, type PtyPair } from '../../drivers/common/pty-pair.js';
import { SerialTransport } from '../../drivers/common/serial-transport.js';
import { ModemEmulator, type DeliveredSms } from '../../drivers/sms/modem-emulator.js';
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

/**
 * A GSM modem's emulator on one end of a real pty pair (the SMS service's AtModem opens `pty.host`),
 * and what citizens received: `arrived(n)` resolves once n messages have come (the event, not a sleep).
 */
export async function modemInbox(logger: Logger = silentLogger): Promise<{ pty: PtyPair; emulator: ModemEmulator; received: DeliveredSms[]; arrived(n: number): Promise<DeliveredSms[]>; close(): Promise<void> }> {
  const pty = await openPtyPair();
  const emulator = new ModemEmulator(new SerialTransport({ path: pty.device, baudRate: 115200 }), { logger });
  await emulator.start();
  const received: DeliveredSms[] = [];
  const waiters: (() => void)[] = [];
  emulator.onMessage((m) => {
    received.push(m);
    for (const w of waiters.splice(0)) w();
  });
  return {
    pty,
    emulator,
    received,
    arrived: async (n) => {
      while (received.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
      return received;
    },
    close: async () => {
      await emulator.close();
      await pty.close();
    },
  };
}
