// The page UI: Preact with htm, served from the npm packages under /web/vendor/ (see the import map
// in each page). Live snapshots re-render through Preact, which patches the DOM in place: what a person
// is typing, the option they picked and the button under their finger survive every update.
import { h, render } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
export { render };
export { useState, useRef, useEffect } from 'preact/hooks';

/** Window status as staff read it. */
export const windowStatusZh = { open: '开放', paused: '暂停服务', closed: '关闭' };
export const windowStatusEn = { open: 'Open', paused: 'Paused', closed: 'Closed' };

/** Whether a window's pause reason says more than its status (a keypad's pause gives 暂停服务 as the reason). */
export function pauseReasonShown(w) {
  const reason = (w.pauseReason ?? '').trim();
  if (reason === '') return false;
  const said = [windowStatusZh[w.status], windowStatusEn[w.status]].filter(Boolean).map((x) => x.toLowerCase());
  return !said.some((x) => x.includes(reason.toLowerCase()));
}
