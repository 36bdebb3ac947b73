import { describe, expect, it } from 'vitest';
import { isHallqError } from '../../drivers/common/error.js';
import { encodeDocument } from '../../drivers/printer/encoder.js';
import { statusUrlOf } from '../../src/agent/flows/kiosk.js';
import { printedTicket } from '../../src/agent/ticket-document.js';
import { MAX_STATUS_BASE_URL_BYTES } from '../../src/config/ticket-qr.js';

/** The limit `hallq config check` warns with is the one the printer's encoder keeps: a ticket's QR code must fit the paper. */
describe("the ticket's QR code and the paper's width", () => {
  const ticket = (base: string) =>
    printedTicket({ hallName: { zh: '大厅', en: 'Hall' }, number: 'A001', serviceName: { zh: '社保', en: 'Social' }, position: 1, windows: [1], issuedAt: 0, utcOffsetMinutes: 480, statusUrl: statusUrlOf(base, 'x'.repeat(43)) });
  const base = (bytes: number) => `http://h.example/${'p'.repeat(bytes - 'http://h.example/'.length)}`;

  it('prints with a statusBaseUrl of the longest length config check accepts (578 bytes on 80 mm paper)', () => {
    expect(MAX_STATUS_BASE_URL_BYTES).toBe(578);
    expect(() => encodeDocument(ticket(base(578)), { encoding: 'gbk' })).not.toThrow();
  });

  it('one byte longer: every ticket is refused, its QR code wider than the paper', () => {
    let caught: unknown;
    try {
      encodeDocument(ticket(base(579)), { encoding: 'gbk' });
    } catch (e) {
      caught = e;
    }
    expect(isHallqError(caught, 'PAYLOAD_INVALID')).toBe(true);
    expect((caught as Error).message).toMatch(/is 582 dots wide; the paper prints 576 dots/);
  });
});
