/**
 * Resident ID numbers (GB 11643-1999): 6-digit area, 8-digit birth date, 3-digit sequence,
 * check character by ISO 7064 MOD 11-2. Pure; the edge uses it before hashing the number.
 */
const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const checkChars = '10X98765432';

/** The check character for the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (weights[i] ?? 0);
  return checkChars[sum % 11] ?? '?';
}

function validDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

export type ResidentIdInfo =
  | { valid: true; birthDate: string; sex: 'male' | 'female'; masked: string }
  | { valid: false; reason: 'format' | 'birth-date' | 'check-digit' };

export function parseResidentId(raw: string): ResidentIdInfo {
  const id = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return { valid: false, reason: 'format' };
  const birthDate = id.slice(6, 14);
  if (!validDate(birthDate)) return { valid: false, reason: 'birth-date' };
  if (residentIdCheckChar(id.slice(0, 17)) !== id[17]) return { valid: false, reason: 'check-digit' };
  return { valid: true, birthDate, sex: Number(id[16]) % 2 === 1 ? 'male' : 'female', masked: maskResidentId(id) };
}

/** 3201**********1234: the first four and last four stay (DESIGN §8). */
export function maskResidentId(id: string): string {
  if (id.length <= 8) return '*'.repeat(id.length);
  return id.slice(0, 4) + '*'.repeat(id.length - 8) + id.slice(-4);
}
