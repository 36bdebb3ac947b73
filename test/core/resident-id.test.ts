import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskName, maskPhone, maskResidentId, parseResidentId, residentIdCheckChar } from '../../src/core/index.js';

describe('resident ID numbers (GB 11643)', () => {
  it('accepts known-good numbers and reads birth date and sex', () => {
    expect(parseResidentId('11010519491231002X')).toEqual({ valid: true, birthDate: '19491231', sex: 'female', masked: '1101**********002X' });
    expect(parseResidentId('110101199003077491')).toMatchObject({ valid: true, sex: 'male' });
  });

  it('rejects a wrong check digit, a bad date and a bad format', () => {
    expect(parseResidentId('110105194912310021')).toEqual({ valid: false, reason: 'check-digit' });
    expect(parseResidentId('110105194902300024')).toMatchObject({ valid: false, reason: 'birth-date' });
    expect(parseResidentId('11010519491231002')).toMatchObject({ valid: false, reason: 'format' });
  });

  it('detects every single-digit change (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-6]\d{5}(19[5-9]\d|200\d)(0[1-9]|1[0-2])(0[1-9]|1\d|2[0-8])\d{3}$/), fc.nat(16), fc.integer({ min: 1, max: 9 }), (first17, pos, delta) => {
        const id = first17 + residentIdCheckChar(first17);
        expect(parseResidentId(id).valid).toBe(true);
        const digit = (Number(id[pos]) + delta) % 10;
        const changed = id.slice(0, pos) + String(digit) + id.slice(pos + 1);
        const r = parseResidentId(changed);
        expect(r.valid && r.birthDate === id.slice(6, 14) && changed.slice(0, 17) === id.slice(0, 17)).toBe(false);
      }),
    );
  });

  it('masks ID numbers, names and phones as shown on screens and tickets', () => {
    expect(maskResidentId('320102199001011234')).toBe('3201**********1234');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('张三丰')).toBe('张*丰');
    expect(maskName('欧阳娜娜')).toBe('欧**娜');
    expect(maskName('𠮷田')).toBe('𠮷*');
    expect(maskPhone('13800000000')).toBe('138****0000');
    expect(maskPhone('+8613912345678')).toBe('139****5678');
  });
});
