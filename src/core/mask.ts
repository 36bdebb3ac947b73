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

/** Mainland mobile numbers: 11 digits starting 1[3-9]. */
export function isMobileNumber(phone: string): boolean {
  return /^1[3-9]\d{9}$/.test(phone.replace(/^\+?86/, ''));
}
