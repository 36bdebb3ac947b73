import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  TEXT_FIELDS,
  decodeAppendedAddress,
  decodeCardText,
  decodeReadData,
  encodeAppendedAddress,
  encodeCardText,
  encodeReadData,
  type CardText,
} from '../../../drivers/idcard/card-data.js';
import { TEST_CARDS } from '../../../drivers/idcard/test-cards.js';
import { hasValidCheckDigit } from './gb11643.js';

const noSurrogate = fc.integer({ min: 0x21, max: 0xfffd }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCharCode(c));
const anyChar = fc.oneof(noSurrogate, fc.constant(' '));
const fieldArb = (size: number) =>
  fc.tuple(fc.array(anyChar, { maxLength: size - 1 }), noSurrogate).map(([body, last]) => (body.join('') + last).slice(0, size)).filter((s) => !/ $/.test(s));
const textArb = fc.record(Object.fromEntries(TEXT_FIELDS.map(([name, size]) => [name, fc.oneof(fieldArb(size), fc.constant(''))])) as Record<keyof CardText, fc.Arbitrary<string>>);

describe('card text', () => {
  it('lays the fields out at their documented offsets, UCS-2 LE, space padded', () => {
    const text = encodeCardText({ name: '张三', sex: '1', nation: '01', birthDate: '19491231', idNumber: '11010519491231002X', validTo: '长期' });
    expect(text.length).toBe(256);
    // 张 = U+5F20, 三 = U+4E09, then 13 spaces (20 00).
    expect(text.subarray(0, 6)).toEqual(Buffer.from('205f094e2000', 'hex'));
    expect(text.subarray(30, 32)).toEqual(Buffer.from('3100', 'hex')); // sex at char 15
    expect(text.subarray(32, 36)).toEqual(Buffer.from('30003100', 'hex')); // nation at char 16
    // ID number at char 15+1+2+8+35 = 61.
    expect(text.toString('utf16le', 122, 158)).toBe('11010519491231002X');
    // valid to at char 61+18+15+8 = 102: 长期 then six spaces.
    expect(text.toString('utf16le', 204, 220)).toBe('长期      ');
    const back = decodeCardText(text);
    expect(back.name).toBe('张三');
    expect(back.validTo).toBe('长期');
    expect(back.address).toBe('');
  });

  it('decodes what it encodes, for any field contents that fit', () => {
    fc.assert(
      fc.property(textArb, (fields) => {
        expect(decodeCardText(encodeCardText(fields))).toEqual(fields);
      }),
    );
  });

  it('refuses a field that does not fit', () => {
    expect(() => encodeCardText({ idNumber: '1'.repeat(19) })).toThrow(RangeError);
  });
});

describe('read reply data', () => {
  it('decodes fields and keeps the photo bytes exactly', () => {
    fc.assert(
      fc.property(textArb, fc.uint8Array({ minLength: 1024, maxLength: 1024 }), (fields, photo) => {
        const data = encodeReadData(encodeCardText(fields), Buffer.from(photo));
        expect(data.length).toBe(4 + 256 + 1024);
        const r = decodeReadData(data);
        if (r.type !== 'card') throw new Error(r.type);
        expect(r.card.photo).toEqual(Buffer.from(photo));
        expect(r.card.idNumber).toBe(fields.idNumber);
        expect(r.card.name).toBe(fields.name);
        expect(r.card.validTo).toBe(fields.validTo);
        expect(r.card.fingerprint).toBeUndefined();
      }),
    );
  });

  it('decodes the fingerprint block of a 30 10 reply', () => {
    const fp = Buffer.alloc(1024, 7);
    const r = decodeReadData(encodeReadData(encodeCardText({ name: '李明' }), Buffer.alloc(1024, 1), fp), true);
    expect(r.type === 'card' && r.card.fingerprint).toEqual(fp);
  });

  it('never throws on random bytes, and reports short or inconsistent data as values', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1400 }), fc.boolean(), (data, fp) => {
        decodeReadData(data, fp);
      }),
    );
    expect(decodeReadData(Buffer.alloc(3))).toEqual({ type: 'short-reply', length: 3 });
    expect(decodeReadData(Buffer.from('01000400', 'hex')).type).toBe('bad-lengths');
  });

  it('round-trips the appended address', () => {
    expect(decodeAppendedAddress(encodeAppendedAddress('上海市闵行区莘建路18号'))).toBe('上海市闵行区莘建路18号');
  });
});

describe('built-in test cards', () => {
  it('carry valid GB 11643 check digits and a birth date and sex that agree with the number', () => {
    for (const card of Object.values(TEST_CARDS)) {
      expect(hasValidCheckDigit(card.idNumber), card.idNumber).toBe(true);
      expect(card.idNumber.slice(6, 14)).toBe(card.birthDate);
      expect(Number(card.idNumber[16]) % 2 === 1 ? '1' : '2').toBe(card.sexCode);
      expect(card.photo.length).toBe(1024);
    }
    expect(hasValidCheckDigit('110105194912310021')).toBe(false);
  });
});
