/**
 * The modem's byte stream as typed lines. Pure: the framer takes arbitrary chunks, never throws,
 * and copes with lines split anywhere. The "> " prompt of AT+CMGS has no line ending, so it is
 * recognised at the start of a line as soon as its '>' arrives.
 */

export type AtLine =
  | { type: 'ok' }
  | { type: 'error' }
  | { type: 'cms-error'; code: number }
  | { type: 'cme-error'; code: number | string }
  | { type: 'cmgs'; ref: number }
  | { type: 'prompt' }
  /** Unsolicited result code; `data` is the second line of two-line URCs (+CMT, +CDS, +CBM: a PDU). */
  | { type: 'urc'; name: string; line: string; data?: string }
  /** The modem echoing what we typed (ATE1): commands, or PDU hex ending in Ctrl-Z. */
  | { type: 'echo'; line: string }
  /** Any other response line (+CSQ: 20,99, +CMGF: 0 …). */
  | { type: 'info'; line: string }
  /** A line longer than the limit was discarded (garbage or a missing line ending). */
  | { type: 'overflow'; length: number };

/** Unsolicited codes routed aside even in the middle of a command. */
const URC_PREFIXES = ['+CMTI:', '+CMT:', '+CDSI:', '+CDS:', '+CBM:', '+CREG:', '+CGREG:', '+CEREG:', '+CLIP:', '+CRING:', '+CUSD:', '^RSSI:', '^BOOT:', '^MODE:', '^SIMST:', '^SRVST:', '+CPIN:', '+QIND:'];
const URC_WORDS = new Set(['RING', 'NO CARRIER', 'RDY', 'SMS READY', 'CALL READY', '^SYSSTART']);
/** URCs whose next line is a PDU that belongs to them. */
const TWO_LINE_URCS = new Set(['+CMT', '+CDS', '+CBM']);

export const MAX_LINE = 1024;

function classify(line: string): AtLine {
  if (line === 'OK') return { type: 'ok' };
  if (line === 'ERROR') return { type: 'error' };
  let m = /^\+CMS ERROR:\s*(\d+)$/.exec(line);
  if (m) return { type: 'cms-error', code: Number(m[1]) };
  m = /^\+CME ERROR:\s*(.*)$/.exec(line);
  if (m) {
    const raw = (m[1] ?? '').trim();
    return { type: 'cme-error', code: /^\d+$/.test(raw) ? Number(raw) : raw };
  }
  m = /^\+CMGS:\s*(\d+)/.exec(line);
  if (m) return { type: 'cmgs', ref: Number(m[1]) };
  if (/^AT/i.test(line) || line.includes('\x1a')) return { type: 'echo', line };
  const upper = line.toUpperCase();
  if (URC_WORDS.has(upper)) return { type: 'urc', name: upper, line };
  for (const prefix of URC_PREFIXES) {
    if (upper.startsWith(prefix)) return { type: 'urc', name: prefix.slice(0, -1), line };
  }
  return { type: 'info', line };
}

export class AtFramer {
  private pending = '';
  private awaitingData: { type: 'urc'; name: string; line: string } | undefined;

  /** Feeds a chunk and returns the complete lines it finished. */
  push(chunk: Uint8Array): AtLine[] {
    const out: AtLine[] = [];
    // latin1 maps every byte to one char, so no byte can make decoding throw.
    const text = Buffer.from(chunk).toString('latin1');
    for (const ch of text) {
      if (ch === '\x1b') continue; // our own ESC echoed (ATE1): no reply holds one, and it has no line ending
      if (ch === '\r' || ch === '\n') {
        this.finishLine(out);
        continue;
      }
      if (this.pending.length === 0) {
        if (ch === ' ') continue; // leading blanks, including the one after '>'
        if (ch === '>' && !this.awaitingData) {
          out.push({ type: 'prompt' });
          continue;
        }
      }
      this.pending += ch;
      if (this.pending.length > MAX_LINE) {
        out.push({ type: 'overflow', length: this.pending.length });
        this.pending = '';
      }
    }
    return out;
  }

  private finishLine(out: AtLine[]): void {
    const line = this.pending.trim();
    this.pending = '';
    if (line.length === 0) return;
    if (this.awaitingData) {
      out.push({ ...this.awaitingData, data: line });
      this.awaitingData = undefined;
      return;
    }
    const typed = classify(line);
    if (typed.type === 'urc' && TWO_LINE_URCS.has(typed.name)) {
      this.awaitingData = typed;
      return;
    }
    out.push(typed);
  }
}
