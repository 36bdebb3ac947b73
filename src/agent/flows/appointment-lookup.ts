/**
 * Finding today's booked appointment at the kiosk by what the citizen has: the ID card on the reader
 * (its keyed hash), the mobile number given to the platform, or the appointment code. Phone and code
 * are hashed here with the hall's ID hash key (agent.idHashKeyFile, the key the server's import uses)
 * and compared with the hashes in the replica; the raw input is never kept or sent.
 */
import { localTime, openForCheckIn, type Appointment, type HallState } from '../../core/index.js';
import { codeHash, phoneHash } from '../../bus/person.js';

export type CheckInBy = { idHash: string } | { phone: string } | { code: string };

/**
 * The earliest of today's appointments that matches and can be checked in (booked, or its ticket voided:
 * core openForCheckIn), or undefined.
 */
export function findAppointment(state: HallState, key: Buffer | string, by: CheckInBy): Appointment | undefined {
  return todaysMatching(state, key, by).find((a) => openForCheckIn(state, a));
}

/** Today's matching appointment already checked in to a ticket the citizen holds (for "already checked in: number …"), or undefined. */
export function findCheckedIn(state: HallState, key: Buffer | string, by: CheckInBy): Appointment | undefined {
  return todaysMatching(state, key, by).find((a) => a.status === 'checked-in' && !openForCheckIn(state, a));
}

function todaysMatching(state: HallState, key: Buffer | string, by: CheckInBy): Appointment[] {
  const offset = state.config?.utcOffsetMinutes ?? 480;
  const match: (a: Appointment) => boolean =
    'idHash' in by
      ? (a) => a.person.idHash === by.idHash
      : 'phone' in by
        ? ((h) => (a: Appointment) => a.phoneHash === h)(phoneHash(by.phone.replace(/^\+?86/, ''), key))
        : ((h) => (a: Appointment) => a.codeHash === h)(codeHash(by.code, key));
  return Object.values(state.appointments)
    .filter((a) => localTime(a.slotStart, offset).day === state.day && match(a))
    .sort((x, y) => x.slotStart - y.slotStart);
}
