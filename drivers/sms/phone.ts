/**
 * Phone-number forms. Pure. The masked form (138****0000) is the most a log may hold (DESIGN §8).
 */

/** Digits of the number in international form without '+', e.g. '8613800138000'; undefined when not a usable number. */
export function internationalDigits(phone: string): string | undefined {
  const p = phone.replace(/[\s-]/g, '');
  if (/^1\d{10}$/.test(p)) return `86${p}`;
  const m = /^(?:\+|00)(\d{6,15})$/.exec(p);
  if (m?.[1]) return m[1];
  if (/^861\d{10}$/.test(p)) return p;
  return undefined;
}

/** The 11-digit mainland number when the phone is one (with or without +86), else undefined. */
export function mainlandNumber(phone: string): string | undefined {
  const d = internationalDigits(phone);
  return d !== undefined && /^861\d{10}$/.test(d) ? d.slice(2) : undefined;
}

/** 13800138000 → 138****0000; anything else keeps at most its last 4 digits. */
export function maskPhone(phone: string): string {
  const national = mainlandNumber(phone);
  if (national) return `${national.slice(0, 3)}****${national.slice(7)}`;
  const digits = phone.replace(/\D/g, '');
  return digits.length > 4 ? `****${digits.slice(-4)}` : '****';
}
