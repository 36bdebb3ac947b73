import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { int } from '../../drivers/common/int-schema.js';

/** int() stands for zod's chain in the config schemas (built once per start, issue 12): same answers, same issues. */
describe('int(min, max): a whole number, as z.number().int().min(min).max(max)', () => {
  const inputs: unknown[] = [0, 1, 240, 241, -1, 1.5, '3', null, undefined, Number.NaN, Infinity, 2 ** 60, -(2 ** 60)];
  const pairs: Array<[string, z.ZodType, z.ZodType]> = [
    ['no bounds', int(), z.number().int()],
    ['from 1', int(1), z.number().int().min(1)],
    ['0 to 240', int(0, 240), z.number().int().min(0).max(240)],
    ['positive', int().positive(), z.number().int().positive()],
    ['with a default', int(0, 240).default(30), z.number().int().min(0).max(240).default(30)],
  ];
  for (const [name, ours, chain] of pairs) {
    it(name, () => {
      for (const input of inputs) {
        const a = ours.safeParse(input);
        const b = chain.safeParse(input);
        expect(a.success, `${name}: ${String(input)}`).toBe(b.success);
        expect(a.success ? a.data : a.error.issues, `${name}: ${String(input)}`).toEqual(b.success ? b.data : b.error.issues);
      }
      expect(z.toJSONSchema(ours, { io: 'input' })).toEqual(z.toJSONSchema(chain, { io: 'input' }));
    });
  }

  it('one shared whole-number check does not tie the bounds of one field to another', () => {
    const a = int(0, 10);
    const b = int(5, 500);
    expect(a.safeParse(300).success).toBe(false);
    expect(b.safeParse(300).success).toBe(true);
    expect(b.safeParse(3).success).toBe(false);
    expect(a.safeParse(3).success).toBe(true);
  });
});
