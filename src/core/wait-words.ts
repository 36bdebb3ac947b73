import type { Lang } from './model.js';

/**
 * The longest estimated wait told as a figure, in minutes; a longer one is told as 超过2小时 / over 2 h.
 * The dry run (estimate.ts) assumes every open window stays open at its mean pace, with no break and
 * no closing time: hours ahead that is no figure a citizen can plan by (a tryout printed 5,827 minutes),
 * while "over two hours" still tells them to come back later or ask at the desk.
 */
export const WAIT_TOLD_MAX_MINUTES = 120;

/** The status page's words for a wait no open window can give yet. */
export const NO_OPEN_WINDOW_TEXT = '暂无开放窗口，开放后计算';

/**
 * The estimate as told under the label 预计等候 / Estimated wait (the status page, the API's
 * `estimatedWait`): 即将叫号 when a free window calls it now, 约 N 分钟 up to WAIT_TOLD_MAX_MINUTES,
 * 超过2小时 past it, and 暂无开放窗口 when no open window can call the ticket (no estimate).
 */
export function waitWords(minutes: number | undefined): Lang {
  if (minutes === undefined) return { zh: NO_OPEN_WINDOW_TEXT, en: 'No window open yet' };
  if (minutes === 0) return { zh: '即将叫号', en: 'Any moment now' };
  if (minutes > WAIT_TOLD_MAX_MINUTES) return { zh: `超过${WAIT_TOLD_MAX_MINUTES / 60}小时`, en: `over ${WAIT_TOLD_MAX_MINUTES / 60} h` };
  return { zh: `约 ${minutes} 分钟`, en: `about ${minutes} min` };
}

/**
 * The estimate as a sentence, on the printed ticket and in the SMS's `{waitText}` (ticket-notice.ts):
 * 即将叫号, 预计等候约 N 分钟, 预计等候超过2小时, 暂无开放窗口，开放后计算: never a made-up 0 nor a bare dash.
 */
export function waitText(minutes: number | undefined): string {
  const w = waitWords(minutes);
  return minutes === undefined || minutes === 0 ? w.zh : `预计等候${w.zh}`;
}

/**
 * The SMS's bare `{wait}`: the minutes up to WAIT_TOLD_MAX_MINUTES, `超过120` past it (a hall's own
 * text reads 预计等候超过120分钟), `—` without an estimate.
 */
export function waitFigure(minutes: number | undefined): string {
  if (minutes === undefined) return '—';
  return minutes > WAIT_TOLD_MAX_MINUTES ? `超过${WAIT_TOLD_MAX_MINUTES}` : String(minutes);
}
