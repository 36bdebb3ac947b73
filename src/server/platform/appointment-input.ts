/**
 * An appointment as the platform sends it (push body or pull answer; docs/platform.md,
 * "Appointment import"). Raw ID number, name and phone arrive here and are reduced at once to keyed
 * hashes and masked forms; they are never stored, logged or put in an event.
 */
import { zhText } from '../../../drivers/common/invalid-text.js';
import { z } from 'zod';

export const platformAppointment = z.strictObject({
  /** The platform's appointment id: the idempotency key of the import. */
  id: z.string().regex(/^[\w.:-]{1,60}$/, zhText('letters, digits and _ . : - (at most 60)', '字母、数字及 _ . : -（最多 60 个）')),
  serviceId: z.string().min(1).max(40),
  /** ISO 8601 with offset, e.g. 2026-12-01T09:30:00+08:00. */
  slotStart: z.iso.datetime({ offset: true }),
  slotEnd: z.iso.datetime({ offset: true }),
  status: z.enum(['booked', 'cancelled']).default('booked'),
  /** Resident ID number (18 characters). */
  idNumber: z.string().min(15).max(18),
  name: z.string().max(60).optional(),
  /** Mainland mobile: enables check-in by phone and the reminder SMS. */
  phone: z.string().regex(/^(\+?86)?1[3-9]\d{9}$/, zhText('a mainland mobile number', '中国大陆手机号码')).optional(),
  /** The code the citizen was given (check-in by code). */
  code: z.string().regex(/^[A-Za-z0-9]{4,32}$/, zhText('4–32 letters and digits', '4–32 个字母和数字')).optional(),
});
export type PlatformAppointment = z.infer<typeof platformAppointment>;

export const appointmentBatch = z.strictObject({ appointments: z.array(platformAppointment).max(2000) });
export type AppointmentBatch = z.infer<typeof appointmentBatch>;

/** What became of one appointment of a batch. */
export interface ImportResult {
  id: string;
  result: 'booked' | 'changed' | 'cancelled' | 'unchanged' | 'refused';
  /** On refused: the core's rejection code or `id-invalid` / `past`. */
  code?: string;
}
