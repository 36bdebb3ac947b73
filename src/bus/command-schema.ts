import { zhText } from '../../drivers/common/invalid-text.js';
import { z } from 'zod';
import { EMERGENCY_TEXT_MAX, type Command } from '../core/index.js';

/** Commands as they may arrive over the wire (Configure and Tick are the server's own). */
const id = z.string().min(1).max(100);
const window = z.number().int().min(1).max(999);
const ticketId = z.string().min(1).max(40);
const source = z.enum(['kiosk', 'caller-keypad', 'rating-device', 'soft-caller', 'admin', 'system', 'offsite-link']).optional();
const delivery = z
  .enum(['print', 'sms', 'none'])
  .meta({
    description:
      "print: the ticket stays `issued` until the kiosk's printer confirms it (voided if it does not); sms, none: waiting at once. Absent: none over HTTP (staff, managers, the CLI); print from a kiosk agent.",
  })
  .optional();
/**
 * Masked forms only (DESIGN §8, src/core/mask.ts): a field named "masked" that carries the whole
 * ID number, name or phone would put them into the event log and onto staff screens.
 */
const idMasked = z
  .string()
  .max(32)
  .regex(/^[0-9Xx*]*$/, zhText('an ID number masked like 3201**********1234', '打码的身份证号码，如 3201**********1234'))
  .refine((v) => v === '' || (v.includes('*') && !/\d{5}/.test(v)), zhText('a masked ID number (no more than 4 digits in a row)', '打码的身份证号码（连续数字不超过 4 位）'));
const nameMasked = z
  .string()
  .max(32)
  .refine((v) => [...v].length <= 1 || (v.includes('*') && [...v].filter((c) => c !== '*').length <= 2), zhText('a masked name like 张*丰', '打码的姓名，如 张*丰'));
const person = z.strictObject({
  idHash: z.string().min(8).max(128),
  idMasked,
  nameMasked: nameMasked.optional(),
  idValid: z.boolean(),
  birthDate: z.string().regex(/^\d{8}$/).optional(),
});
const phoneMasked = z
  .string()
  .max(20)
  .regex(/^(\d{3}\*{4}\d{4}|\**)$/, zhText('a masked mobile number like 139****5678', '打码的手机号码，如 139****5678'))
  .optional();
/** The keyed hash of the phone a ticket's SMS go to (bus/person.ts phoneHash): the per-phone rules count by it. */
const phoneHash = z.string().regex(/^[0-9a-f]{64}$/, zhText('a keyed phone hash: 64 lower-case hex digits', '手机号码的密钥散列：64 位小写十六进制')).optional();
const grade = z.enum(['very-satisfied', 'satisfied', 'basic', 'dissatisfied', 'very-dissatisfied']);
const base = { id, source };

export const wireCommandSchema = z.discriminatedUnion('type', [
  // An SMS-only ticket reaches its citizen by text only: without the number (masked here; the kiosk's
  // `contact` request brings it whole) nobody would ever learn it.
  z
    .strictObject({ ...base, type: z.literal('IssueTicket'), serviceId: z.string().max(40), delivery, person: person.optional(), phoneMasked, phoneHash, priority: z.boolean().optional() })
    .refine((c) => c.delivery !== 'sms' || /\d/.test(c.phoneMasked ?? ''), {
      message: zhText('a masked mobile number like 139****5678: an SMS ticket (delivery sms) is sent to it', '打码的手机号码，如 139****5678：短信取号（delivery 为 sms）须有手机号码'),
      path: ['phoneMasked'],
    }),
  z.strictObject({ ...base, type: z.literal('PrintConfirmed'), ticketId }),
  z.strictObject({ ...base, type: z.literal('PrintFailed'), ticketId, reason: z.string().max(200) }),
  // A kiosk agent gives back leased numbers it will never issue (core/lease.ts numbersToReturn); the agent is the request topic's.
  z.strictObject({ ...base, type: z.literal('ReturnNumbers'), serviceId: z.string().max(40), from: z.number().int().min(1).max(999), to: z.number().int().min(1).max(999) }),
  z.strictObject({ ...base, type: z.literal('CallNext'), window, after: ticketId.nullable().optional() }),
  z.strictObject({ ...base, type: z.literal('CallTicket'), window, ticketId }),
  z.strictObject({ ...base, type: z.literal('Recall'), window }),
  z.strictObject({ ...base, type: z.literal('StartService'), window }),
  z.strictObject({ ...base, type: z.literal('Complete'), window }),
  z.strictObject({ ...base, type: z.literal('NoShow'), window }),
  z.strictObject({ ...base, type: z.literal('Transfer'), window, toService: z.string().max(40), toWindow: window.optional() }),
  z.strictObject({ ...base, type: z.literal('Cancel'), ticketId, reason: z.string().max(200) }),
  z.strictObject({ ...base, type: z.literal('OpenWindow'), window, staffId: z.string().max(40) }),
  z.strictObject({ ...base, type: z.literal('PauseWindow'), window, reason: z.string().max(200) }),
  z.strictObject({ ...base, type: z.literal('ResumeWindow'), window }),
  z.strictObject({ ...base, type: z.literal('CloseWindow'), window }),
  z.strictObject({ ...base, type: z.literal('TakeOver'), window, staffId: z.string().max(40) }),
  z.strictObject({
    ...base,
    type: z.literal('BookAppointment'),
    appointment: z.strictObject({
      id: z.string().max(60),
      serviceId: z.string().max(40),
      slotStart: z.number(),
      slotEnd: z.number(),
      person: person.omit({ idValid: true, birthDate: true }),
      phoneHash: z.string().max(128).optional(),
      phoneMasked,
      codeHash: z.string().max(128).optional(),
    }),
  }),
  z.strictObject({ ...base, type: z.literal('CancelAppointment'), appointmentId: z.string().max(60) }),
  z.strictObject({ ...base, type: z.literal('ChangeAppointment'), appointmentId: z.string().max(60), serviceId: z.string().max(40), slotStart: z.number(), slotEnd: z.number() }),
  z.strictObject({ ...base, type: z.literal('CheckIn'), appointmentId: z.string().max(60).optional(), idHash: z.string().max(128).optional(), delivery, phoneMasked, phoneHash }),
  z.strictObject({ ...base, type: z.literal('RequestRating'), window }),
  z.strictObject({ ...base, type: z.literal('Rate'), window, grade }),
  // No staffId on the wire: who followed up or raised a notice is the server's to say, from the session.
  z
    .strictObject({ ...base, type: z.literal('FollowUp'), ratingId: z.string().max(80), note: z.string().max(1000), kind: z.enum(['reply', 'rectification', 'untrue']).optional(), reason: z.string().max(1000).optional() })
    .refine((c) => c.kind !== 'untrue' || (c.reason ?? '').trim() !== '', { message: zhText('a not-true determination (untrue) needs its reason', '不属实认定（untrue）须填写理由'), path: ['reason'] }),
  z.strictObject({ ...base, type: z.literal('RaiseEmergency'), kind: z.enum(['emergency', 'evacuation']).optional(), preset: z.string().max(40).optional(), text: z.string().max(EMERGENCY_TEXT_MAX).optional() }),
  z.strictObject({ ...base, type: z.literal('ClearEmergency') }),
]);

// The wire schema must stay a subset of the core's commands.
type Wire = z.infer<typeof wireCommandSchema>;
const _fits = (w: Wire): Command => w;
void _fits;
