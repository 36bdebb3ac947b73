/**
 * Finding today's booked appointment at the kiosk by what the citizen has: the ID card on the reader
 * (its keyed hash), the mobile number given to the platform, or the appointment code. Phone and code
 * are hashed here with the hall's ID hash key (agent.idHashKeyFile, the key the server's import uses)
 * and compared with the hashes in the replica; the raw input is never kept or sent.
 */
import { localTime, type Appointment, type HallState } from '../../core/index.js';
import { codeHash, phoneHash } from '../../bus/person.js';

export type CheckInBy = { idHash: string } | { phone: string } | { code: string };

/** The earliest of today's booked appointments that matches, or undefined. */
export function findAppointment(state: HallState, key: Buffer | string, by: CheckInBy): Appointment | undefined {
  const offset = state.config?.utcOffsetMinutes ?? 480;
  const match: (a: Appointment) => boolean =
    'idHash' in by
      ? (a) => a.person.idHash === by.idHash
      : 'phone' in by
        ? ((h) => (a: Appointment) => a.phoneHash === h)(phoneHash(by.phone.replace(/^\+?86/, ''), key))
        : ((h) => (a: Appointment) => a.codeHash === h)(codeHash(by.code, key));
  return Object.values(state.appointments)
    .filter((a) => a.status === 'booked' && localTime(a.slotStart, offset).day === state.day && match(a))
    .sort((x, y) => x.slotStart - y.slotStart)[0];
}
