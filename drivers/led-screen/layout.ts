/**
 * What a window screen says, as a pure function of ScreenContent. Both protocols render this layout:
 * BX with inline colour codes, the external-call cards as plain text in the layout's main colour.
 */

export interface ScreenContent {
  window: number;
  /** The called ticket, e.g. "A012". */
  ticket?: string;
  /** Shows 暂停服务 (wins over the ticket). */
  paused: boolean;
  /** Optional scrolling line (already masked by the caller). */
  line?: string;
  /** An emergency notice (DB22/T 2871.4 §11.6): the whole screen scrolls it in red, over everything else. */
  notice?: string;
}

/** Longest emergency notice a screen scrolls (a BX dynamic area holds far more; the voice reads it whole). */
export const MAX_NOTICE_CHARS = 120;

export type ScreenColour = 'red' | 'green' | 'yellow';

export interface TextRun {
  colour: ScreenColour;
  text: string;
}

export interface ScreenLayout {
  runs: TextRun[];
  /** The main colour, for screens that take one colour per text. */
  colour: ScreenColour;
  scroll: boolean;
}

export const DEFAULT_MAX_LINE_CHARS = 64;

/** Strip what could upset a controller: control characters and the backslash that starts a BX colour code. */
export function sanitizeScreenText(s: string, maxChars: number): string {
  const clean = [...s.replace(/[\u0000-\u001f\u007f\\]/g, ' ').trim()];
  return clean.slice(0, maxChars).join('');
}

/**
 * Called:  A012 (red) · " 请到3号窗口" (green), static.
 * Paused:  "3号窗口 " (yellow) · 暂停服务 (red), static.
 * Idle:    "3号窗口" (green), static.
 * A line adds " <line>" (yellow) and makes the area scroll left.
 * Emergency: the notice alone (red), scrolling left, whatever else there is.
 */
export function layoutScreen(c: ScreenContent, opts: { maxLineChars?: number } = {}): ScreenLayout {
  const notice = c.notice === undefined ? '' : sanitizeScreenText(c.notice, MAX_NOTICE_CHARS);
  if (notice !== '') return { runs: [{ colour: 'red', text: notice }], colour: 'red', scroll: true };
  const win = `${Math.trunc(c.window)}号窗口`;
  const ticket = c.ticket === undefined ? '' : sanitizeScreenText(c.ticket, 8);
  let runs: TextRun[];
  let colour: ScreenColour;
  if (c.paused) {
    runs = [
      { colour: 'yellow', text: `${win} ` },
      { colour: 'red', text: '暂停服务' },
    ];
    colour = 'red';
  } else if (ticket !== '') {
    runs = [
      { colour: 'red', text: ticket },
      { colour: 'green', text: ` 请到${win}` },
    ];
    colour = 'red';
  } else {
    runs = [{ colour: 'green', text: win }];
    colour = 'green';
  }
  const line = c.line === undefined ? '' : sanitizeScreenText(c.line, opts.maxLineChars ?? DEFAULT_MAX_LINE_CHARS);
  if (line !== '') runs.push({ colour: 'yellow', text: ` ${line}` });
  return { runs, colour, scroll: line !== '' };
}

/** Shown by testPattern(): every colour, and the address so a technician can tell the screens apart. */
export function testPatternLayout(address: number): ScreenLayout {
  return {
    runs: [
      { colour: 'red', text: '■■' },
      { colour: 'green', text: '■■' },
      { colour: 'yellow', text: `■■ 地址${address}` },
    ],
    colour: 'red',
    scroll: false,
  };
}

export function plainText(l: ScreenLayout): string {
  return l.runs.map((r) => r.text).join('');
}

const BX_CODE: Record<ScreenColour, string> = { red: '\\C1', green: '\\C2', yellow: '\\C3' };

/** BX inline colour codes: \C1 red, \C2 green, \C3 yellow. */
export function bxMarkup(l: ScreenLayout): string {
  return l.runs.map((r) => BX_CODE[r.colour] + r.text).join('');
}

export type ShownColour = ScreenColour | 'default';

/** Parse BX markup back into runs (the emulator's view). Unknown colour codes fall back to 'default'. */
export function parseBxMarkup(s: string): Array<{ colour: ShownColour; text: string }> {
  const runs: Array<{ colour: ShownColour; text: string }> = [];
  const parts = s.split(/\\C(\d)/);
  const first = parts[0] ?? '';
  if (first !== '') runs.push({ colour: 'default', text: first });
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const code = parts[i];
    const text = parts[i + 1] ?? '';
    const colour: ShownColour = code === '1' ? 'red' : code === '2' ? 'green' : code === '3' ? 'yellow' : 'default';
    if (text !== '') runs.push({ colour, text });
  }
  return runs;
}

/** Identity of what a layout looks like: two contents with the same key look the same on the screen. */
export function layoutKey(l: ScreenLayout): string {
  return JSON.stringify([l.runs, l.colour, l.scroll]);
}
