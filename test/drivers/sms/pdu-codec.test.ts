import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSubmit, encodeSubmit, splitUcs2, type PduPart } from '../../../drivers/sms/pdu-codec.js';
import { maskPhone, mainlandNumber } from '../../../drivers/sms/phone.js';

function parts(phone: string, text: string, ref = 0): PduPart[] {
  const r = encodeSubmit(phone, text, { concatRef: ref });
  if (!r.ok) throw new Error(r.error);
  return r.parts;
}

// 13800138000 → international 8613800138000 (13 digits = 0D), type 91, swapped nibbles with F padding.
const DEST = '0D91683108108300F0';

describe('PDU golden bytes', () => {
  it('encodes 您好 to 13800138000 as one UCS2 SMS-SUBMIT', () => {
    const [p, ...rest] = parts('13800138000', '您好');
    expect(rest).toEqual([]);
    // 00 SMSC · 11 first octet · 00 MR · dest · 00 PID · 08 DCS · A7 VP · 04 UDL · 60A8 597D
    expect(p?.hex).toBe(`001100${DEST}0008A70460A8597D`);
    expect(p?.tpduLength).toBe(19);
  });

  it('accepts +86 and bare 11-digit forms identically', () => {
    expect(parts('+8613800138000', '您好')[0]?.hex).toBe(parts('13800138000', '您好')[0]?.hex);
  });

  it('keeps 70 characters in one part and splits 71 into 67 + 4 with the concatenation header', () => {
    expect(parts('13800138000', '号'.repeat(70))).toHaveLength(1);
    const text = '号'.repeat(71); // 号 = U+53F7
    const [a, b, ...rest] = parts('13800138000', text, 0x2a);
    expect(rest).toEqual([]);
    // first octet 51 (UDHI) · UDL 8C = 6 + 134 · UDH 05 00 03 2A 02 01
    expect(a?.hex).toBe(`005100${DEST}0008A78C0500032A0201${'53F7'.repeat(67)}`);
    expect(a?.tpduLength).toBe(155);
    expect(b?.hex).toBe(`005100${DEST}0008A70E0500032A0202${'53F7'.repeat(4)}`);
    expect(b?.tpduLength).toBe(29);
  });

  it('never splits a surrogate pair at the 67-unit boundary', () => {
    const text = `${'字'.repeat(66)}😀${'x'.repeat(10)}`; // the emoji would occupy units 67 and 68
    const [a, b] = parts('13800138000', text, 1);
    expect(a?.hex.slice(30, 32)).toBe('8A'); // UDL 6 + 132: 66 units, not 67
    expect(b?.hex).toContain('0500030102' + '02' + 'D83DDE00'); // part 2 opens with the whole emoji
    expect(splitUcs2(text).map((c) => c.length)).toEqual([66, 12]);
  });

  it('rejects what it cannot address, as a value', () => {
    expect(encodeSubmit('12345', 'x')).toEqual({ ok: false, error: 'phone-invalid' });
    expect(encodeSubmit('13800138000', 'x'.repeat(67 * 255 + 1))).toEqual({ ok: false, error: 'too-long' });
  });

  it('decodes its own golden PDU', () => {
    expect(decodeSubmit(`001100${DEST}0008A70460A8597D`)).toEqual({
      ok: true,
      value: { phone: '+8613800138000', text: '您好', messageRef: 0, dcs: 8, tpduLength: 19 },
    });
  });

  it('decodes an SMSC address, a national number and no validity period', () => {
    // SMSC 08 91 683108200505F0 · first octet 01 (no VP) · MR 05 · 0B 81 (national) 31 08 10 83 00 F0
    const r = decodeSubmit('0891683108200505F00105' + '0B813108108300F0' + '0008' + '02' + '4F60');
    expect(r).toEqual({ ok: true, value: { phone: '13800138000', text: '你', messageRef: 5, dcs: 8, tpduLength: 15 } });
  });

  it('reports bad input as values', () => {
    expect(decodeSubmit('0')).toEqual({ ok: false, error: 'hex-invalid' });
    expect(decodeSubmit('00')).toEqual({ ok: false, error: 'truncated' });
    expect(decodeSubmit(`001100${DEST}0000A70431D98C06`)).toEqual({ ok: false, error: 'dcs-unsupported' });
    expect(decodeSubmit(`001100${DEST}0008A70360A859`)).toEqual({ ok: false, error: 'ucs2-odd-length' });
    expect(decodeSubmit(`000000${DEST}0008A70460A8597D`)).toEqual({ ok: false, error: 'not-submit' });
  });
});

describe('phone forms', () => {
  it('masks to 138****0000 at most', () => {
    expect(maskPhone('13800138000')).toBe('138****8000');
    expect(maskPhone('+8613912345678')).toBe('139****5678');
    expect(maskPhone('+4915112345678')).toBe('****5678');
    expect(mainlandNumber('+8613800138000')).toBe('13800138000');
    expect(mainlandNumber('+4915112345678')).toBeUndefined();
  });
});

const mainland = fc.stringMatching(/^1[3-9]\d{9}$/);
const international = fc.stringMatching(/^\+[1-9]\d{5,14}$/);
const texts = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }), // any code point, emoji (surrogate pairs) included
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 300 }).map((u) => String.fromCharCode(...u)), // raw UTF-16 units
);

describe('PDU properties', () => {
  it('encode → decode gives back number and text over random Unicode', () => {
    fc.assert(
      fc.property(fc.oneof(mainland, international), texts, fc.integer({ min: 0, max: 255 }), (phone, text, ref) => {
        const r = encodeSubmit(phone, text, { concatRef: ref });
        if (!r.ok) return false;
        const expectedPhone = phone.startsWith('+') ? phone : `+86${phone}`;
        let joined = '';
        r.parts.forEach((part, i) => {
          expect(part.tpduLength).toBe(part.hex.length / 2 - 1);
          const d = decodeSubmit(part.hex);
          if (!d.ok) throw new Error(d.error);
          expect(d.value.phone).toBe(expectedPhone);
          expect(d.value.tpduLength).toBe(part.tpduLength);
          if (r.parts.length > 1) {
            expect(d.value.concat).toEqual({ ref, total: r.parts.length, seq: i + 1 });
            expect(d.value.text.length).toBeLessThanOrEqual(67);
            // A high surrogate may only end a part if the next part does not start with its low half.
            const last = d.value.text.charCodeAt(d.value.text.length - 1);
            const next = r.parts[i + 1] ? text.charCodeAt(joined.length + d.value.text.length) : NaN;
            expect(last >= 0xd800 && last <= 0xdbff && next >= 0xdc00 && next <= 0xdfff).toBe(false);
          } else {
            expect(d.value.concat).toBeUndefined();
            expect(d.value.text.length).toBeLessThanOrEqual(70);
          }
          joined += d.value.text;
        });
        expect(joined).toBe(text);
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('the decoder never throws on random hex', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = decodeSubmit(Buffer.from(bytes).toString('hex'));
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.string(), (s) => typeof decodeSubmit(s).ok === 'boolean'));
  });
});
