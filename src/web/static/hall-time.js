// The hall's wall clock on any screen, whatever time zone the browser's box is set to (a hall TV left on
// UTC): times are the server's utcOffsetMinutes ahead of UTC, as the tickets print them.
const pad = (n) => String(n).padStart(2, '0');
const shifted = (offsetMinutes, ms) => new Date(ms + offsetMinutes * 60_000);

/** "2026/12/1 17:46:05" in hall time. */
export function hallDateTime(offsetMinutes, ms = Date.now()) {
  const d = shifted(offsetMinutes, ms);
  return `${d.getUTCFullYear()}/${d.getUTCMonth() + 1}/${d.getUTCDate()} ${hallTime(offsetMinutes, ms)}`;
}

/** "17:46:05" in hall time. */
export function hallTime(offsetMinutes, ms = Date.now()) {
  const d = shifted(offsetMinutes, ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** The hall's calendar day at `ms`: { year, month (1–12), day, weekday (0 = Sunday) }. */
export function hallDay(offsetMinutes, ms = Date.now()) {
  const d = shifted(offsetMinutes, ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay() };
}

/** "2026-12-01": the hall's day at `ms`, as a date input and the report API take it. */
export function hallIsoDate(offsetMinutes, ms = Date.now()) {
  const { year, month, day } = hallDay(offsetMinutes, ms);
  return `${year}-${pad(month)}-${pad(day)}`;
}
