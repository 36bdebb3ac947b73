import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WedgeLineAssembler } from '../../../drivers/idcard/wedge.js';

const ID = '11010519491231002X';

function typeAll(w: WedgeLineAssembler, keys: string[], start = 0, gap = 10) {
  return keys.map((k, i) => w.key(k, start + i * gap)).filter((r) => r !== undefined);
}

describe('keyboard-wedge line assembler', () => {
  it('yields the number on Enter', () => {
    const w = new WedgeLineAssembler();
    expect(typeAll(w, [...ID, 'Enter'])).toEqual([{ type: 'id-number', idNumber: ID }]);
    expect(w.pending).toBe(0);
  });

  it('upper-cases a typed x and ignores modifier key names', () => {
    const w = new WedgeLineAssembler();
    expect(typeAll(w, [...ID.slice(0, 17), 'Shift', 'x', 'Enter'])).toEqual([{ type: 'id-number', idNumber: ID }]);
  });

  it('discards partial input after the idle timeout', () => {
    const w = new WedgeLineAssembler({ idleMs: 300 });
    w.text('1101051949', 0);
    // A pause longer than the idle time: the first ten digits are stale.
    const out = w.text(`${ID}\r`, 1000);
    expect(out).toEqual([{ type: 'id-number', idNumber: ID }]);
  });

  it('keeps input that arrives within the idle time', () => {
    const w = new WedgeLineAssembler({ idleMs: 300 });
    w.text(ID.slice(0, 9), 0);
    expect(w.text(`${ID.slice(9)}\r\n`, 200)).toEqual([{ type: 'id-number', idNumber: ID }]);
  });

  it('expire() drops stale input without a key', () => {
    const w = new WedgeLineAssembler({ idleMs: 300 });
    w.text('123', 0);
    w.expire(100);
    expect(w.pending).toBe(3);
    w.expire(400);
    expect(w.pending).toBe(0);
  });

  it('rejects anything not shaped like an ID number, without echoing it', () => {
    const w = new WedgeLineAssembler();
    expect(w.text('12345\r', 0)).toEqual([{ type: 'rejected', length: 5 }]);
    expect(w.text(`${ID}9\r`, 10)).toEqual([{ type: 'rejected', length: 19 }]);
    expect(w.text('\r', 20)).toEqual([]);
  });

  it('finds every number typed among junk lines, whatever the junk', () => {
    const junk = fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ''));
    const idArb = fc.tuple(fc.stringMatching(/^\d{17}$/), fc.constantFrom(...'0123456789X')).map(([a, b]) => a + b);
    fc.assert(
      fc.property(fc.array(fc.oneof(idArb.map((id) => ({ id })), junk.map((j) => ({ junk: j }))), { maxLength: 8 }), (lines) => {
        const w = new WedgeLineAssembler({ maxLength: 64 });
        const out = w.text(lines.map((l) => ('id' in l ? l.id : l.junk) + '\r').join(''), 0);
        const ids = out.flatMap((o) => (o.type === 'id-number' ? [o.idNumber] : []));
        const expected = lines.flatMap((l) => ('id' in l ? [l.id] : /^\d{17}[\dX]$/.test(l.junk) ? [l.junk] : []));
        expect(ids).toEqual(expected);
      }),
    );
  });
});
