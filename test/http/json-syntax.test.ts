/**
 * issue 13: a body that is not JSON is answered with where it broke. jsonSyntaxFault must agree with
 * JSON.parse on what is JSON, point at the first character that is not, and never quote more of the
 * body than that one character.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonFaultWords, jsonSyntaxFault } from '../../src/http/json-syntax.js';

/** JSON.parse's message for `text`, or undefined when it parses. */
function parseError(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const at = (text: string) => {
  const f = jsonSyntaxFault(text);
  if (!f) throw new Error(`expected a fault in ${text}`);
  return { where: `${f.line}:${f.column}`, offset: f.offset, text: jsonFaultWords(f) };
};

describe('jsonSyntaxFault: where a body stops being JSON', () => {
  it.each([
    ['a missing value', '{"type": }', '1:10', 'found "}", expected a value'],
    ['a body cut short', '{"type": ', '1:10', 'found the end of the body, expected a value'],
    ['single quotes', "{'type': 'CallNext'}", '1:2', `found "'", expected a key in double quotes or } (JSON needs double quotes " around keys and text)`],
    ['a trailing comma in an object', '{"a": 1,}', '1:9', 'found "}", expected a key in double quotes (a comma may not come before })'],
    ['a trailing comma in a list', '[1, 2,]', '1:7', 'found "]", expected a value ({…}, […], "text", a number, true, false or null) (a comma may not come before ])'],
    ['a missing colon', '{"a" 1}', '1:6', 'found "1", expected :'],
    ['a missing comma', '{"a": 1 "b": 2}', '1:9', 'found "\\"", expected , or }'],
    ['a misspelt literal', '{"a": tru}', '1:10', 'found "}", expected true'],
    ['a leading zero', '{"a": 01}', '1:8', 'found "1", expected , or }'],
    ['a bare word', 'CallNext', '1:1', 'found "C", expected a value ({…}, […], "text", a number, true, false or null) (text goes in double quotes: "…")'],
    // A word that only starts like a literal is a word, not a misspelt null (tryout: `not json {` said "expected null").
    ['a word starting like null', 'not json {', '1:1', 'found "n", expected a value ({…}, […], "text", a number, true, false or null) (text goes in double quotes: "…")'],
    ['a word starting like true', '{"a": today}', '1:7', 'found "t", expected a value'],
    ['a misspelt null', '[nul]', '1:5', 'found "]", expected null'],
    ['a second value', '{} {}', '1:4', 'found "{", expected the end of the body (one JSON value per body)'],
    ['an unclosed string', '{"a": "bc', '1:10', 'found the end of the body, expected the closing "'],
    ['a raw line break in text', '{"a": "b\nc"}', '1:9', 'found a control character (U+000A), expected the text to go on'],
    ['a bad escape', '{"a": "\\x"}', '1:9', 'found "x", expected an escape'],
    ['on the third line', '{\n  "a": 1,\n  "b": [1 2]\n}', '3:11', 'found "2", expected , or ]'],
    ['a Chinese character where a value goes', '{"name": 张三}', '1:10', 'found the character U+5F20, expected a value'],
  ])('%s', (_name, text, where, says) => {
    const f = at(text);
    expect(f.where).toBe(where);
    expect(f.text.en).toContain(says);
    expect(f.text.zh).toMatch(new RegExp(`^第 ${where.split(':')[0]} 行第 ${where.split(':')[1]} 列：收到.+，应为`));
  });

  it('never repeats more of the body than one character', () => {
    const f = at('{"idNumber": "320102198001011234", "phone": 13812345678 x}');
    expect(f.text.en).not.toMatch(/3201|1381/);
    expect(f.text.en).toContain('found "x"');
  });

  it('a body of 200,000 [ is a fault at its end, not a stack overflow', () => {
    expect(at('['.repeat(200_000)).offset).toBe(200_000);
  });

  it('a leading BOM is skipped, as Fastify skips it', () => {
    expect(jsonSyntaxFault('\uFEFF{"a":1}')).toBeUndefined();
  });

  it('property: finds a fault exactly when JSON.parse refuses the text, at a place inside it', () => {
    const mutated = fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', "'", '\n', ':', 'x', '0', '-', '\\', '{', '[', ' ')).map(([j, n, c]) => {
      const k = n % (j.length + 1);
      return n % 2 === 0 ? j.slice(0, k) + c + j.slice(k) : j.slice(0, k) + j.slice(k + 1);
    });
    fc.assert(
      fc.property(fc.oneof(fc.json(), mutated, fc.string(), fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '1', 'e', '-', '.', ' ', 't', 'n') })), (text) => {
        if (text.startsWith('\uFEFF')) return;
        const refusal = parseError(text);
        const f = jsonSyntaxFault(text);
        expect(f === undefined, text).toBe(refusal === undefined);
        if (f) {
          expect(f.offset).toBeGreaterThanOrEqual(0);
          expect(f.offset).toBeLessThanOrEqual(text.length);
          // Everything before the fault is a prefix some valid JSON could continue: JSON.parse agrees the
          // text is refused at or after it (V8 names a position in many of its messages).
          const m = /at position (\d+)/.exec(refusal ?? '');
          if (m) expect(f.offset, text).toBeLessThanOrEqual(Number(m[1]));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
