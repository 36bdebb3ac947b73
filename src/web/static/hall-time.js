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
