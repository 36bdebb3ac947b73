// Property tests for the printer-side decoder: never throws, chunking does not matter,
// leading noise is cleared by ESC @, and encode → decode round-trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCode128, EscPosDecoder, type DecoderEvent } from '../../../drivers/printer/decoder.js';
import { normalizeBlock, type DecodedBlock, type PrintBlock, type PrintedTicket } from '../../../drivers/printer/document.js';
import { encodeDocument, encodeText, type TextEncoding } from '../../../drivers/printer/encoder.js';
import * as cmd from '../../../drivers/printer/commands.js';

// Text from ASCII, common hanzi (all in GBK), and Extension B (only in GB18030).
const char = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 3, arbitrary: fc.integer({ min: 0x4e00, max: 0x9fa5 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x20000, max: 0x2a6d6 }) },
  { weight: 1, arbitrary: fc.constantFrom(0x0a, 0x09, 0x1b) },
).map((cp) => String.fromCodePoint(cp));
const text = fc.array(char, { maxLength: 20 }).map((cs) => cs.join(''));
/** Paper wide enough for every generated QR (module 16, version 40) and barcode: the bytes are what these properties test, not the width. */
const WIDE = 4096;
const align = fc.constantFrom('left', 'center', 'right' as const);
const mag = fc.integer({ min: 1, max: 8 });

const block: fc.Arbitrary<PrintBlock> = fc.oneof(
  fc.record({ type: fc.constant('text' as const), text, align, width: mag, height: mag, bold: fc.boolean() }, { requiredKeys: ['type', 'text'] }),
  fc.record(
    {
      type: fc.constant('qr' as const),
      data: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
      moduleSize: fc.integer({ min: 1, max: 16 }),
      errorLevel: fc.constantFrom('L', 'M', 'Q', 'H' as const),
      align,
    },
    { requiredKeys: ['type', 'data'] },
  ),
  fc.record(
    {
      type: fc.constant('barcode' as const),
      data: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 30 }),
      height: fc.integer({ min: 1, max: 255 }),
      width: fc.integer({ min: 2, max: 6 }),
      hri: fc.constantFrom('none', 'above', 'below', 'both' as const),
      align,
    },
    { requiredKeys: ['type', 'data'] },
  ),
  fc.record({ type: fc.constant('feed' as const), lines: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ type: fc.constant('cut' as const), partial: fc.boolean() }, { requiredKeys: ['type'] }),
);
const doc = fc.array(block, { maxLength: 12 });

/** What the citizen should hold: blocks split at cuts; '?' where the encoding lacks a character. */
function expected(blocks: readonly PrintBlock[], encoding: TextEncoding): { tickets: PrintedTicket[]; pending: DecodedBlock[] } {
  const tickets: PrintedTicket[] = [];
  let current: DecodedBlock[] = [];
  for (const b of blocks) {
    if (b.type === 'cut') {
      tickets.push({ blocks: current, cut: b.partial ? 'partial' : 'full' });
      current = [];
      continue;
    }
    const n = normalizeBlock(b);
    if (n.type === 'text' && encoding === 'gbk') {
      n.text = [...n.text].map((c) => (encodeText(c, 'gbk').replaced ? '?' : c)).join('');
    }
    current.push(n);
  }
  return { tickets, pending: current };
}

function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    out.push(bytes.subarray(last, p));
    last = p;
  }
  out.push(bytes.subarray(last));
  return out;
}

function decodeAll(decoder: EscPosDecoder, chunks: Buffer[]): DecoderEvent[] {
  return chunks.flatMap((c) => decoder.push(c));
}
const ticketsOf = (events: DecoderEvent[]): PrintedTicket[] => events.flatMap((e) => (e.type === 'ticket' ? [e.ticket] : []));

describe('EscPosDecoder properties', () => {
  it('never throws on arbitrary bytes in arbitrary chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const d = new EscPosDecoder();
        for (const c of chunks) d.push(c);
        d.pendingBlocks();
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on byte soup made of real command prefixes', () => {
    const piece = fc.oneof(
      fc.constantFrom(...[0x1b, 0x1c, 0x1d, 0x10, 0x0a, 0x04, 0x28, 0x6b, 0x31, 0x50, 0x51, 0x56, 0x49, 0x7b].map((b) => Buffer.of(b))),
      fc.uint8Array({ maxLength: 4 }).map((u) => Buffer.from(u)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 5 }), (pieces, cuts) => {
        const d = new EscPosDecoder();
        for (const c of splitAt(Buffer.concat(pieces), cuts)) d.push(c);
      }),
      { numRuns: 500 },
    );
  });

  for (const encoding of ['gbk', 'gb18030'] as const) {
    it(`encode → decode round-trips random documents with Chinese text (${encoding}), split at arbitrary points`, () => {
      fc.assert(
        fc.property(doc, fc.array(fc.nat(), { maxLength: 8 }), (blocks, cuts) => {
          const { bytes } = encodeDocument({ blocks }, { encoding, printableDots: WIDE });
          const d = new EscPosDecoder({ encoding });
          const got = ticketsOf(decodeAll(d, splitAt(bytes, cuts)));
          const want = expected(blocks, encoding);
          expect(got).toEqual(want.tickets);
          expect(d.pendingBlocks()).toEqual(want.pending);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('several documents in one chunk, after leading noise, decode to exactly the hidden tickets', () => {
    // Noise: printable bytes and stray controls a line might pick up. ESC @ at the start of each
    // document clears the half-line the noise left. (Noise holding a length-prefixed command
    // header would swallow the following bytes on a real printer too: ESC/POS has no framing.)
    const noise = fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u.filter((b) => ![0x0a, 0x10, 0x1b, 0x1c, 0x1d].includes(b))));
    fc.assert(
      fc.property(noise, fc.array(doc, { minLength: 1, maxLength: 3 }), fc.array(fc.nat(), { maxLength: 6 }), (junk, docs, cuts) => {
        const streams = docs.map((blocks) => encodeDocument({ blocks: [...blocks, { type: 'cut' }] }, { encoding: 'gb18030', printableDots: WIDE }).bytes);
        const d = new EscPosDecoder();
        const got = ticketsOf(decodeAll(d, splitAt(Buffer.concat([junk, ...streams]), cuts)));
        const want = docs.flatMap((blocks) => expected([...blocks, { type: 'cut' }], 'gb18030').tickets);
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('skips unmodelled commands by their length (raster logo, ESC !, FS C) without losing the ticket', () => {
    const logo = Buffer.concat([Buffer.from([0x1d, 0x76, 0x30, 0x00, 0x02, 0x00, 0x02, 0x00]), Buffer.from([0x0a, 0x1d, 0x56, 0x00])]);
    const stream = Buffer.concat([cmd.init(), logo, Buffer.from([0x1c, 0x43, 0x01, 0x1b, 0x74, 0x0a]), Buffer.from('OK\n'), cmd.cut()]);
    const events = new EscPosDecoder().push(stream);
    expect(ticketsOf(events)).toEqual([{ blocks: [{ type: 'text', text: 'OK', align: 'left', width: 1, height: 1, bold: false }], cut: 'full' }]);
    expect(events.filter((e) => e.type === 'ignored').map((e) => e.type === 'ignored' && e.command)).toEqual(['GS v 0', 'FS 43', 'ESC 74']);
  });

  it('reports DLE EOT requests in stream order', () => {
    const events = new EscPosDecoder().push(Buffer.concat([cmd.statusRequest(1), Buffer.from('x'), cmd.statusRequest(4)]));
    expect(events).toEqual([
      { type: 'status-request', n: 1 },
      { type: 'status-request', n: 4 },
    ]);
  });

  it('CODE128 decoding: {{ is {, {C packs digit pairs, {A/{B switch back', () => {
    expect(decodeCode128(Buffer.from('{Ba{{b'))).toBe('a{b');
    expect(decodeCode128(Buffer.concat([Buffer.from('{BA'), Buffer.from([0x7b, 0x43, 12, 5]), Buffer.from('{BZ')]))).toBe('A1205Z');
  });
});

describe('EscPosDecoder memory', () => {
  it('streams through a huge raster command instead of buffering it, then decodes what follows', () => {
    const d = new EscPosDecoder();
    // GS v 0 with 255 × 65535 bytes declared: ~16 MB the decoder must not hold.
    expect(d.push(Buffer.from([0x1d, 0x76, 0x30, 0x00, 0xff, 0x00, 0xff, 0xff]))).toEqual([{ type: 'ignored', command: 'GS v 0', length: 8 + 255 * 65535 }]);
    const chunk = Buffer.alloc(65535, 0x41);
    for (let k = 0; k < 255; k++) expect(d.push(chunk)).toEqual([]);
    const events = d.push(Buffer.concat([Buffer.from('after\n'), cmd.cut()]));
    expect(ticketsOf(events)).toEqual([{ blocks: [{ type: 'text', text: 'after', align: 'left', width: 1, height: 1, bold: false }], cut: 'full' }]);
  });
});
