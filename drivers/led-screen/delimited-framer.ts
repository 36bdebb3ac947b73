/**
 * The framing both screen protocols share: a start byte, an escaped body that can hold neither
 * delimiter, an end byte. A start byte inside a body means the frame was cut short and a new one
 * begins, which is how the framer resynchronises. Never throws.
 */
export type FramingError = 'truncated' | 'oversize';

const MAX_BODY = 8192;

export class DelimitedFramer<E> {
  private body: number[] = [];
  private inFrame = false;

  constructor(
    private readonly start: number,
    private readonly end: number,
    private readonly decode: (body: Buffer) => E,
    private readonly error: (kind: FramingError, raw: Buffer) => E,
  ) {}

  push(chunk: Uint8Array): E[] {
    const out: E[] = [];
    for (const b of chunk) {
      if (b === this.start) {
        // A run of start bytes (BX's preamble) opens one frame; a start byte after body bytes cuts the frame short.
        if (this.inFrame && this.body.length > 0) out.push(this.error('truncated', Buffer.from(this.body)));
        this.inFrame = true;
        this.body = [];
      } else if (!this.inFrame) {
        // garbage between frames
      } else if (b === this.end) {
        out.push(this.decode(Buffer.from(this.body)));
        this.inFrame = false;
        this.body = [];
      } else {
        this.body.push(b);
        if (this.body.length > MAX_BODY) {
          out.push(this.error('oversize', Buffer.from(this.body)));
          this.inFrame = false;
          this.body = [];
        }
      }
    }
    return out;
  }

  reset(): void {
    this.body = [];
    this.inFrame = false;
  }
}

/**
 * [start, end) of each complete start…end span in a receive buffer, undecoded (a reply framer hands
 * raw bytes back, so a corrupt reply surfaces as a checksum error). `preamble`: a run of start bytes
 * belongs to the frame (BX), else only the last start byte does.
 */
export function findDelimitedSpans(buf: Uint8Array, start: number, end: number, preamble: boolean): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  let from = -1;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === start) {
      if (!preamble || from < 0 || buf[i - 1] !== start) from = i;
    } else if (b === end && from >= 0) {
      spans.push({ start: from, end: i + 1 });
      from = -1;
    }
  }
  return spans;
}
