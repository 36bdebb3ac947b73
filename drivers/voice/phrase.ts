/**
 * The phrase composer: a call becomes a list of clip tokens. Pure; problems are values, not exceptions.
 *
 * Grammar of a template: words separated by whitespace. A word is either a placeholder, `{ticket}` (the
 * ticket read character by character: letters A–Z by name, digits 零…九) or `{window}` (the window number
 * read as a number: 3 → 三, 12 → 十二), or a literal token spoken as one clip. Write 号 窗口 as two words, so
 * the library needs the clips 号 and 窗口 rather than a clip for every combination.
 */
import { DIGIT_TOKENS, MAX_READ_NUMBER, readNumber } from './chinese-number.js';

export interface VoiceCall {
  /** The printed ticket number, e.g. "A012". Lower-case letters are read as upper-case. */
  ticket: string;
  /** The window number, an integer 1…9999. */
  window: number;
}

export const DEFAULT_CALL_TEMPLATE = '请 {ticket} 号 到 {window} 号 窗口 办理';

export type TemplateWord = { type: 'literal'; token: string } | { type: 'ticket' } | { type: 'window' };

export type PhraseError =
  | { type: 'TEMPLATE_INVALID'; message: string }
  | { type: 'TICKET_UNREADABLE'; message: string; chars: string[] }
  | { type: 'WINDOW_INVALID'; message: string };

export type TemplateResult = { ok: true; words: TemplateWord[] } | { ok: false; error: PhraseError };
export type PhraseResult = { ok: true; tokens: string[] } | { ok: false; error: PhraseError };

export function parseTemplate(template: string): TemplateResult {
  const words: TemplateWord[] = [];
  for (const w of template.split(/\s+/).filter((s) => s !== '')) {
    if (w === '{ticket}') words.push({ type: 'ticket' });
    else if (w === '{window}') words.push({ type: 'window' });
    else if (/[{}]/.test(w)) {
      return { ok: false, error: { type: 'TEMPLATE_INVALID', message: `"${w}" is not {ticket} or {window} (placeholders are whole words)` } };
    } else words.push({ type: 'literal', token: w });
  }
  if (words.length === 0) return { ok: false, error: { type: 'TEMPLATE_INVALID', message: 'template is empty' } };
  return { ok: true, words };
}

/** A012 → A 零 一 二. Characters other than A–Z and 0–9 are reported, all of them, in order. */
export function readTicket(ticket: string): PhraseResult {
  const tokens: string[] = [];
  const bad: string[] = [];
  for (const ch of Array.from(ticket.toUpperCase())) {
    if (ch >= 'A' && ch <= 'Z') tokens.push(ch);
    else if (ch >= '0' && ch <= '9') tokens.push(DIGIT_TOKENS[Number(ch)] ?? '');
    else bad.push(ch);
  }
  if (bad.length > 0) {
    return { ok: false, error: { type: 'TICKET_UNREADABLE', message: `ticket "${ticket}" has unreadable characters: ${bad.join(' ')}`, chars: bad } };
  }
  if (tokens.length === 0) return { ok: false, error: { type: 'TICKET_UNREADABLE', message: 'ticket is empty', chars: [] } };
  return { ok: true, tokens };
}

/** The tokens of one spoken call, following the template (DEFAULT_CALL_TEMPLATE unless given). */
export function callPhrase(call: VoiceCall, template: string = DEFAULT_CALL_TEMPLATE): PhraseResult {
  const t = parseTemplate(template);
  if (!t.ok) return t;
  const tokens: string[] = [];
  for (const w of t.words) {
    switch (w.type) {
      case 'literal':
        tokens.push(w.token);
        break;
      case 'ticket': {
        const r = readTicket(call.ticket);
        if (!r.ok) return r;
        tokens.push(...r.tokens);
        break;
      }
      case 'window': {
        const r = call.window >= 1 ? readNumber(call.window) : undefined;
        if (r === undefined) {
          return { ok: false, error: { type: 'WINDOW_INVALID', message: `window ${call.window} is not an integer 1…${MAX_READ_NUMBER}` } };
        }
        tokens.push(...r);
        break;
      }
    }
  }
  return { ok: true, tokens };
}
