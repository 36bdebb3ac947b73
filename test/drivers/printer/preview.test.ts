import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { EscPosDecoder } from '../../../drivers/printer/decoder.js';
import type { PrintBlock, PrintedTicket } from '../../../drivers/printer/document.js';
import { encodeDocument } from '../../../drivers/printer/encoder.js';
import { DEFAULT_MECHANICS, ticketMechanics } from '../../../drivers/printer/mechanics.js';
import { renderTicketPng } from '../../../drivers/printer/preview.js';

const REFERENCE = fileURLToPath(new URL('./fixtures/ticket-preview.png', import.meta.url));

/** A known ticket, through the real bytes: encoded as the kiosk sends it, decoded as the emulator reads it. */
function printed(blocks: PrintBlock[]): PrintedTicket {
  const ev = new EscPosDecoder().push(encodeDocument({ blocks }, { encoding: 'gbk' }).bytes).find((e) => e.type === 'ticket');
  if (ev?.type !== 'ticket') throw new Error('no ticket decoded');
  return ev.ticket;
}

const KNOWN: PrintBlock[] = [
  { type: 'text', text: '示范区政务服务中心', align: 'center', bold: true },
  { type: 'text', text: 'A012', align: 'center', width: 4, height: 4, bold: true },
  { type: 'text', text: '社会保障 Social security', align: 'center' },
  { type: 'text', text: '等待顺序 3 · 请到 1、2、5 号窗口等候', align: 'center' },
  { type: 'qr', data: 'http://hall.example:8080/t/Qm9vbGVhbnMtYXJlLWZ1bi0xMjM0', moduleSize: 6, errorLevel: 'M', align: 'center' },
  { type: 'text', text: '2026-11-30 10:03', align: 'center' },
  { type: 'barcode', data: 'A012-20261130', align: 'center' },
  { type: 'feed', lines: 2 },
  { type: 'cut', partial: true },
];

async function pixels(png: Buffer): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  const img = await loadImage(png);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return { width: img.width, height: img.height, data: ctx.getImageData(0, 0, img.width, img.height).data };
}

const dark = (d: Uint8ClampedArray, i: number) => (d[i * 4] ?? 255) < 128;

describe('ticket preview (the printer emulator as a PNG)', () => {
  it('matches the reference image of a known ticket, pixel for pixel within 0.5 %', async () => {
    const png = renderTicketPng(printed(KNOWN));
    if (process.env['HALLQ_UPDATE_REFERENCE'] === '1') writeFileSync(REFERENCE, png);
    const got = await pixels(png);
    const want = await pixels(readFileSync(REFERENCE));
    expect([got.width, got.height]).toEqual([want.width, want.height]);
    let differ = 0;
    for (let i = 0; i < got.width * got.height; i++) if (dark(got.data, i) !== dark(want.data, i)) differ++;
    expect(differ / (got.width * got.height)).toBeLessThan(0.005);
  });

  it('draws each glyph inside its fixed-width cell: double-size W, M and digits never touch their neighbours', async () => {
    for (const [text, mag] of [
      ['WWMW', 4],
      ['H002A888', 2],
    ] as const) {
      const ticket = printed([{ type: 'text', text, width: mag, height: mag, bold: true }, { type: 'cut' }]);
      const { width, data } = await pixels(renderTicketPng(ticket));
      const cell = 12 * mag;
      const rows = Math.max(30, 24 * mag);
      const inkAt = (x: number) => Array.from({ length: rows }, (_, y) => dark(data, y * width + x)).some(Boolean);
      // The last column of each cell and the first of the next are blank: the glyphs keep apart.
      for (let k = 1; k < [...text].length; k++) expect([text, k, inkAt(k * cell - 1) || inkAt(k * cell)]).toEqual([text, k, false]);
      // And every glyph has ink (narrowed, not dropped).
      for (let k = 0; k < [...text].length; k++) expect(Array.from({ length: cell }, (_, i) => inkAt(k * cell + i)).some(Boolean)).toBe(true);
    }
  });

  it('is 576 dots wide and exactly as long as the paper the mechanics model times (plus the cut line)', async () => {
    const ticket = printed(KNOWN);
    const { width, height } = await pixels(renderTicketPng(ticket));
    expect(width).toBe(DEFAULT_MECHANICS.printableDots);
    expect(height).toBe(ticketMechanics(ticket).dots + 16);
  });

  it('draws the QR where the layout puts it: centred, finder patterns dark at its three corners, light beside them', async () => {
    const ticket = printed(KNOWN);
    const { width, data } = await pixels(renderTicketPng(ticket));
    const qr = ticket.blocks[4];
    if (qr?.type !== 'qr') throw new Error('no qr block');
    const top = ticket.blocks.slice(0, 4).reduce((a, b) => a + (b.type === 'text' ? Math.max(30, 24 * b.height) : 0), 0);
    const size = 33 * 6; // 48 bytes at level M: version 4, 33 modules of 6 dots
    const left = Math.floor((576 - size) / 2);
    const at = (x: number, y: number) => dark(data, y * width + x);
    for (const [x, y] of [
      [left + 3, top + 3],
      [left + size - 4, top + 3],
      [left + 3, top + size - 4],
    ] as const)
      expect(at(x, y)).toBe(true);
    expect(at(left - 3, top + 3)).toBe(false);
    expect(at(left + size + 3, top + 3)).toBe(false);
  });
});
