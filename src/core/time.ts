/** Local wall-clock helpers. The core never reads a clock: `now` (epoch ms) is passed in. */

export interface LocalTime {
  /** YYYY-MM-DD in the hall's zone. */
  day: string;
  /** Minutes since local midnight, 0..1439. */
  minute: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

export function localTime(now: number, utcOffsetMinutes: number): LocalTime {
  const d = new Date(now + utcOffsetMinutes * 60_000);
  return { day: d.toISOString().slice(0, 10), minute: d.getUTCHours() * 60 + d.getUTCMinutes(), weekday: d.getUTCDay() };
}

/** "08:30" → 510. Config validation guarantees the format. */
export function parseHm(hm: string): number {
  const [h, m] = hm.split(':');
  return Number(h) * 60 + Number(m);
}

export function formatHm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** Epoch ms of a local day and minute. */
export function epochOf(day: string, minute: number, utcOffsetMinutes: number): number {
  return Date.parse(`${day}T00:00:00Z`) + (minute - utcOffsetMinutes) * 60_000;
}

/** Whole years between a YYYYMMDD birth date and a YYYY-MM-DD day. */
export function ageOn(birthDate: string, day: string): number {
  const by = Number(birthDate.slice(0, 4));
  const bmd = birthDate.slice(4, 8);
  const y = Number(day.slice(0, 4));
  const md = day.slice(5, 7) + day.slice(8, 10);
  return y - by - (md < bmd ? 1 : 0);
}
