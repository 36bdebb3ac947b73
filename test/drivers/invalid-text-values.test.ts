/**
 * issue 13: invalid input names the bad value when it cannot be personal data (an unknown command
 * type, a misspelt enum), cut to a safe length, and never a value under a key that may hold personal
 * data or a secret (drivers/common/personal-keys.ts), whatever the options.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { invalidText, issueLines, QUOTED_MAX, type Issue } from '../../drivers/common/invalid-text.js';
import { isPersonalKey } from '../../drivers/common/personal-keys.js';

const refused = (schema: z.ZodType, input: unknown, o: Parameters<typeof invalidText>[1] = {}) => {
  const r = schema.safeParse(input);
  if (r.success) throw new Error('expected the input to be refused');
  return invalidText(r.error.issues, { input, ...o });
};

const command = z.discriminatedUnion('type', [z.strictObject({ type: z.literal('CallNext'), window: z.number() }), z.strictObject({ type: z.literal('PauseWindow'), window: z.number(), reason: z.string().max(20) })]);

describe('found values: quoted when they cannot be personal data', () => {
  it('an unknown command type is quoted, with the allowed types', () => {
    const t = refused(command, { type: 'CallNxt', window: 1 }, { where: 'body' });
    expect(t.message).toBe('body.type: found "CallNxt", expected one of CallNext, PauseWindow (did you mean CallNext?)');
    expect(t.messageZh).toBe('body.type：收到"CallNxt"，应为以下之一："CallNext"、"PauseWindow"（是不是 "CallNext"？）');
  });

  it('an enum lists its allowed values and quotes what came', () => {
    const t = refused(z.object({ kind: z.enum(['general', 'domain', 'special']) }), { kind: 'genral' });
    expect(t.message).toBe('kind: found "genral", expected one of general, domain, special (did you mean general?)');
  });

  it(`a long text is cut after ${QUOTED_MAX} characters and counted, never split inside a character`, () => {
    const long = '𝒜'.repeat(50);
    const t = refused(z.object({ kind: z.enum(['a', 'b']) }), { kind: long });
    expect(t.message).toBe(`kind: found "${'𝒜'.repeat(QUOTED_MAX)}"… (text of 50 characters), expected one of a, b`);
    expect(t.messageZh).toBe(`kind：收到"${'𝒜'.repeat(QUOTED_MAX)}"…（共 50 个字符），应为以下之一："a"、"b"`);
  });

  it('control and direction characters are escaped: a log line or a terminal stays one line, in order', () => {
    const t = refused(z.object({ kind: z.enum(['a', 'b']) }), { kind: 'x\n\u202ey\u0085' });
    expect(t.message).toBe('kind: found "x\\n\\u202ey\\u0085", expected one of a, b');
    expect(t.message).not.toMatch(/[\n\u202e\u0085]/);
  });

  it('1e400 (Infinity once parsed) is a number too large, not "not a number"', () => {
    const input = JSON.parse('{"window": 1e400, "other": -1e400}') as unknown;
    const t = refused(z.object({ window: z.number(), other: z.number() }), input);
    expect(t.message).toBe('window: found a number too large (not a finite number), expected a number; other: found a negative number too large (not a finite number), expected a number');
    expect(t.messageZh).toContain('window：收到过大的数（不是有限数），应为数字');
  });

  it.each([
    ['an ID number', 'idNumber', '32010219800101123X'],
    ['a phone', 'phone', 'abc'],
    ['a masked phone that is not masked', 'phoneMasked', 'zz'],
    ['a name', 'name', 'Li Lei'],
    ['a staff PIN', 'secret', 'pw'],
    ['a token', 'token', 'tok'],
    ['a snake_case ID number', 'id_number', 'q'],
  ])('never quotes %s (key %s), not even when values are shown', (_what, key, value) => {
    for (const values of ['kind', 'shown'] as const) {
      const t = refused(z.strictObject({ [key]: z.number() }), { [key]: value }, { values });
      expect(t.message).toBe(`${key}: found text of ${[...value].length} character${value.length === 1 ? '' : 's'}, expected a number`);
    }
  });

  it('never quotes anything under person, nor a short number under a personal key', () => {
    const schema = z.object({ person: z.strictObject({ nameMasked: z.string().max(2), idHash: z.number() }), pin: z.string() });
    const t = refused(schema, { person: { nameMasked: 'abc', idHash: 'h' }, pin: 1234 }, { values: 'shown', max: 10 });
    expect(t.message).toBe('person.nameMasked: found text of 3 characters, expected at most 2 characters; person.idHash: found text of 1 character, expected a number; pin: found a number of 4 characters, expected text');
  });

  it.each([
    ['a mobile number', '13812345678'],
    ['a spaced mobile number', '138 1234 5678'],
    ['a full-width one', '１３８１２３４５６７８'],
    ['an ID number', '320102198001011234'],
    ['a Chinese name', '张三'],
    ['an email address', 'a@b.cn'],
  ])('does not quote %s typed into a harmless field', (_what, value) => {
    const t = refused(z.object({ kind: z.enum(['a', 'b']) }), { kind: value }, { where: 'body' });
    expect(t.message).toBe(`body.kind: found text of ${[...value].length} characters, expected one of a, b`);
  });

  it('the deny-list matches keys in any spelling, and leaves harmless keys alone', () => {
    for (const k of ['idNumber', 'IDNUMBER', 'id-no', 'phoneNumber', 'mobile', 'staffName', 'person', 'address', 'secret', 'password', 'pin', 'text', 'cookie', 'authorization']) expect(isPersonalKey(k), k).toBe(true);
    for (const k of ['type', 'window', 'serviceId', 'kind', 'reason', 'from', 'to', 'grade', 'barcode', 'keypad', 'context', 'passwordFile', 'idHashKeyFile', 'statusBaseUrl']) expect(isPersonalKey(k), k).toBe(false);
    expect(isPersonalKey(3)).toBe(false);
  });
});

// A marker no wording of the formatter contains: any echo of a personal value carries it.
const MARK = 'QZXJ';
const PERSONAL = ['idNumber', 'phone', 'name', 'secret', 'phoneMasked', 'id_number', 'text'] as const;
const personalValue = fc.oneof(
  fc.string({ maxLength: 80 }).map((s) => `${MARK}${s}`),
  fc.integer({ min: 100_000_000, max: 999_999_999 }),
  fc.array(fc.string().map((s) => `${MARK}${s}`), { maxLength: 3 }),
);
const schema = z.strictObject({
  type: z.enum(['CallNext', 'Recall', 'PauseWindow']),
  window: z.number().int().min(1).max(12),
  ...Object.fromEntries(PERSONAL.map((k) => [k, z.string().max(2).optional()])),
  person: z.strictObject({ nameMasked: z.string().max(2), idHash: z.string().length(4) }).optional(),
  tags: z.array(z.string().max(3)).max(2).optional(),
});

const CODES = ['invalid_type', 'too_small', 'too_big', 'invalid_value', 'invalid_format', 'not_multiple_of', 'unrecognized_keys', 'invalid_union', 'invalid_key', 'invalid_element', 'custom', 'no_such_code'];
/** Issues as anything may hand them in: Fastify's rebuilt ones, a future zod: odd fields of any type. */
const oddIssue = fc
  .record({
    code: fc.constantFrom(...CODES),
    path: fc.oneof(fc.array(fc.oneof(fc.string(), fc.nat(), fc.constant('__proto__'), fc.constant(Symbol('s')))), fc.anything()),
    message: fc.anything(),
    extra: fc.dictionary(fc.constantFrom('expected', 'values', 'keys', 'origin', 'minimum', 'maximum', 'inclusive', 'exact', 'format', 'prefix', 'suffix', 'divisor', 'discriminator', 'options', 'params', 'input'), fc.oneof(fc.anything(), fc.array(fc.oneof(fc.bigInt(), fc.anything())))),
  })
  .map(({ extra, ...i }) => ({ ...extra, ...i }) as unknown as Issue);

describe('property: the formatter never throws and never echoes a value under a personal key', () => {
  it('refused inputs of a command-like schema with personal fields, in both modes', () => {
    fc.assert(
      fc.property(
        fc.record({ type: fc.oneof(fc.string(), fc.anything()), window: fc.anything() }, { requiredKeys: [] }),
        fc.dictionary(fc.constantFrom(...PERSONAL), personalValue),
        fc.option(fc.record({ nameMasked: personalValue, idHash: personalValue }), { nil: undefined }),
        fc.constantFrom('kind', 'shown'),
        (base, personal, person, values) => {
          const input = { ...base, ...personal, ...(person ? { person } : {}) };
          const r = schema.safeParse(input);
          if (r.success) return;
          const t = invalidText(r.error.issues, { input, values, where: 'body', max: 50 });
          const all = [t.message, t.messageZh, ...t.lines.flatMap((l) => [l.en, l.zh, l.found.en, l.found.zh])].join('\n');
          expect(all).not.toContain(MARK);
          for (const v of [...Object.values(personal), ...Object.values(person ?? {})]) if (typeof v === 'number') expect(all).not.toContain(String(v));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('malformed issues of any shape, against any input', () => {
    fc.assert(
      fc.property(fc.array(oddIssue, { maxLength: 4 }), fc.anything(), fc.constantFrom('kind', 'shown'), (issues, input, values) => {
        const t = invalidText(issues, { input, values });
        expect(typeof t.message).toBe('string');
        expect(typeof t.messageZh).toBe('string');
        for (const i of issues) expect(Array.isArray(issueLines(i, { values }))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
