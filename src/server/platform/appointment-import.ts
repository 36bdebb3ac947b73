/**
 * Appointments from the platform into the hall (Songjiang §4.7.4): each one applied through core
 * commands — BookAppointment, ChangeAppointment (slot or service moved), CancelAppointment — so the
 * event log says what happened and every replica (the kiosks') knows it. Idempotent by the platform's
 * id: a ledger keeps a digest of what was last applied, and command ids derive from id + digest, so
 * the same appointment pushed twice, pulled again, or retried after a crash changes nothing.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../../drivers/common/logger.js';
import { mainlandNumber } from '../../../drivers/sms/phone.js';
import { codeHash, personFromCard, phoneHash } from '../../bus/person.js';
import { maskPhone, own, type Command, type HallState, type Outcome } from '../../core/index.js';
import { reminderKey } from '../sms/outbox.js';
import type { PlatformAppointment, ImportResult } from './appointment-input.js';
import type Database from 'better-sqlite3';

/** The SMS side reminders go through (SmsService's contacts and outbox). */
export interface ReminderSink {
  contacts: { put(key: string, phone: string): unknown };
  outbox: { scheduleReminder(r: { appointmentId: string; serviceId: string; slotStart: number; at: number }): boolean };
  kick(): void;
}

export interface AppointmentImportOptions {
  db: Database.Database;
  state: () => HallState;
  run: (cmd: Command) => Outcome;
  /** The agents' ID hash key (agent.idHashKeyFile), as bytes. */
  idHashKey: Buffer;
  /** Minutes before the slot; undefined: no reminders. */
  reminderMinutes: number | undefined;
  reminders: ReminderSink | undefined;
  clock: () => number;
  logger: Logger;
}

export class AppointmentImport {
  private readonly stmt: {
    get: Database.Statement<[string], { digest: string }>;
    put: Database.Statement<[{ id: string; digest: string; now: number }]>;
    count: Database.Statement<[], { n: number }>;
  };
  private readonly log: Logger;

  constructor(private readonly o: AppointmentImportOptions) {
    this.log = o.logger.child({ component: 'appointment-import' });
    this.stmt = {
      get: o.db.prepare('SELECT digest FROM imported_appointments WHERE id = ?'),
      put: o.db.prepare('INSERT INTO imported_appointments (id, digest, updated) VALUES (@id, @digest, @now) ON CONFLICT (id) DO UPDATE SET digest = excluded.digest, updated = excluded.updated'),
      count: o.db.prepare('SELECT count(*) AS n FROM imported_appointments'),
    };
  }

  /** How many platform appointment ids the ledger knows. */
  imported(): number {
    return this.stmt.count.get()?.n ?? 0;
  }

  applyAll(list: readonly PlatformAppointment[]): ImportResult[] {
    const results = list.map((a) => this.apply(a));
    const tally: Record<string, number> = {};
    for (const r of results) tally[r.result] = (tally[r.result] ?? 0) + 1;
    this.log.info({ ...tally, total: results.length }, 'appointments imported');
    return results;
  }

  apply(a: PlatformAppointment): ImportResult {
    // The digest covers the raw input; it is a one-way hash kept only to recognise a repeat.
    const digest = createHash('sha256').update(JSON.stringify([a.id, a.serviceId, Date.parse(a.slotStart), Date.parse(a.slotEnd), a.status, a.idNumber, a.name ?? '', a.phone ?? '', a.code ?? ''])).digest('hex');
    if (this.stmt.get.get(a.id)?.digest === digest) return { id: a.id, result: 'unchanged' };
    const result = this.decide(a, digest);
    if (result.result !== 'refused') this.stmt.put.run({ id: a.id, digest, now: this.o.clock() });
    else this.log.warn({ appointmentId: a.id, code: result.code }, 'appointment refused');
    return result;
  }

  private decide(a: PlatformAppointment, digest: string): ImportResult {
    const slotStart = Date.parse(a.slotStart);
    const slotEnd = Date.parse(a.slotEnd);
    const current = own(this.o.state().appointments, a.id);
    const cmdId = (what: string) => `platform-${what}-${a.id}-${digest.slice(0, 16)}`;
    const refused = (o: Outcome): ImportResult => ({ id: a.id, result: 'refused', code: o.ok ? 'internal' : o.code });
    if (a.status === 'cancelled') {
      if (!current || current.status === 'cancelled') return { id: a.id, result: 'unchanged' };
      const o = this.o.run({ id: cmdId('cancel'), type: 'CancelAppointment', appointmentId: a.id, source: 'system' });
      return o.ok ? { id: a.id, result: 'cancelled' } : refused(o);
    }
    if (!current) {
      if (slotEnd <= this.o.clock()) return { id: a.id, result: 'refused', code: 'past' };
      const person = personFromCard(a.idNumber, a.name ?? '', this.o.idHashKey);
      if (!person.idValid) return { id: a.id, result: 'refused', code: 'id-invalid' };
      const national = a.phone === undefined ? undefined : mainlandNumber(a.phone);
      const o = this.o.run({
        id: cmdId('book'),
        type: 'BookAppointment',
        source: 'system',
        appointment: {
          id: a.id,
          serviceId: a.serviceId,
          slotStart,
          slotEnd,
          person: { idHash: person.idHash, idMasked: person.idMasked, ...(person.nameMasked ? { nameMasked: person.nameMasked } : {}) },
          ...(national ? { phoneHash: phoneHash(national, this.o.idHashKey), phoneMasked: maskPhone(national) } : {}),
          ...(a.code ? { codeHash: codeHash(a.code, this.o.idHashKey) } : {}),
        },
      });
      if (!o.ok) return refused(o);
      if (national) this.remind(a.id, a.serviceId, slotStart, national);
      return { id: a.id, result: 'booked' };
    }
    if (current.status !== 'booked') return { id: a.id, result: 'unchanged' };
    if (current.serviceId === a.serviceId && current.slotStart === slotStart && current.slotEnd === slotEnd) return { id: a.id, result: 'unchanged' };
    const o = this.o.run({ id: cmdId('change'), type: 'ChangeAppointment', appointmentId: a.id, serviceId: a.serviceId, slotStart, slotEnd, source: 'system' });
    if (!o.ok) return refused(o);
    const national = a.phone === undefined ? undefined : mainlandNumber(a.phone);
    if (national) this.remind(a.id, a.serviceId, slotStart, national);
    return { id: a.id, result: 'changed' };
  }

  /** Keeps the number sealed for the reminder and (re)schedules it; the delivery checks the appointment again before sending. */
  private remind(appointmentId: string, serviceId: string, slotStart: number, phone: string): void {
    const { reminders, reminderMinutes } = this.o;
    if (!reminders || reminderMinutes === undefined) return;
    try {
      reminders.contacts.put(reminderKey(appointmentId), phone);
      if (reminders.outbox.scheduleReminder({ appointmentId, serviceId, slotStart, at: slotStart - reminderMinutes * 60_000 })) reminders.kick();
    } catch (e) {
      this.log.error({ appointmentId, err: e instanceof Error ? e.message : String(e) }, 'reminder not scheduled');
    }
  }
}
