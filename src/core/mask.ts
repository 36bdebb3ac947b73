/** Masked forms shown on screens and tickets (DESIGN §8). */

/** 张三 → 张*, 张三丰 → 张*丰, 欧阳娜娜 → 欧**娜. Works per code point, so rare characters stay whole. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.join('');
  if (chars.length === 2) return `${chars[0] ?? ''}*`;
  return `${chars[0] ?? ''}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1] ?? ''}`;
}

/** 13800000000 → 138****0000; a +86 prefix is dropped. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '').replace(/^86(?=1\d{10}$)/, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return digits.slice(0, 3) + '*'.repeat(digits.length - 7) + digits.slice(-4);
}

/**
 * A mainland mobile number as typed (`138 1234 5678`, `138-1234-5678`, `+86 13812345678`, `0086…`) in its
 * national form, 11 digits starting 1[3-9] (`13812345678`), or undefined when it is not one. Spaces and
 * dashes between the digits are how people write it (the 3-4-4 grouping), not part of the number; the
 * national form is what the SMS gateways take and what a booking's phone hash is made of.
 */
export function nationalMobile(phone: string): string | undefined {
  const national = phone
    .trim()
    .replace(/(?<=[\d+])[\s-]+(?=\d)/g, '')
    .replace(/^(?:\+|00)?86(?=1\d{10}$)/, '');
  return /^1[3-9]\d{9}$/.test(national) ? national : undefined;
}

/** Mainland mobile numbers: 11 digits starting 1[3-9], as nationalMobile reads them. */
export function isMobileNumber(phone: string): boolean {
  return nationalMobile(phone) !== undefined;
}

/** An 18-character resident ID (17 digits and a check character) not inside a longer digit run. */
export const RESIDENT_ID_PATTERN = /(?<!\d)\d{17}[\dXx](?!\d)/g;
/** A mainland mobile 1[3-9]xxxxxxxxx, with an optional +86 / 0086 / 86 and 3-4-4 spaces or dashes. */
export const MOBILE_PATTERN = /(?<!\d)(?:(?:\+|00)?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)/g;

/**
 * Free text a person typed (an off-site rating's comment, a follow-up note) with every resident ID and
 * mobile number in it masked (110105********0021, 139****5678), so what the log, the reports and the
 * platform keep is never a raw number (DESIGN §8).
 */
export function maskNumbersInText(text: string): string {
  return text
    .replace(RESIDENT_ID_PATTERN, (id) => `${id.slice(0, 6)}${'*'.repeat(8)}${id.slice(-4)}`)
    .replace(MOBILE_PATTERN, (m) => maskPhone(m));
}
