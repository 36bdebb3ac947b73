/**
 * Invented keys in refusals (HTTP and MQTT): one holding what may be personal data is said as `?`, by
 * the rule a found text is quoted by (7 digits in a row, spaces, dots or dashes counted too). The
 * log's scrub (src/log/scrub.ts) redacts less than that rule catches, so a key the log would show as
 * `zhang_[redacted]` is never echoed to the sender.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invalidText, keyPath, type Issue } from '../../drivers/common/invalid-text.js';
import { scrubString } from '../../src/log/scrub.js';

const unknownKeys = (keys: string[]): Issue => ({ code: 'unrecognized_keys', keys, path: [], message: '' }) as unknown as Issue;

describe('keyPath: invented keys that may hold personal data', () => {
  it('says keys with an ID or a phone number as `?`, and keeps field-like keys and short numbers', () => {
    expect(keyPath(['zhang_11010519491231002X'], 'body')).toBe('body.?');
    expect(keyPath(['li_138-1234-5678'], 'body')).toBe('body.?');
    expect(keyPath(['x_1234567'], 'command')).toBe('command.?');
    expect(keyPath(['windows', 2, 'tier_123456'], '')).toBe('windows[2].tier_123456');
    expect(keyPath(['secrte'], 'body')).toBe('body.secrte');
    // A config file the reader wrote: shown as written.
    expect(keyPath(['policy', 'zhang_11010519491231002X'], '', true)).toBe('policy.zhang_11010519491231002X');
    const t = invalidText([unknownKeys(['zhang_11010519491231002X', 'li_138-1234-5678'])], { where: 'body' });
    expect(t.message).toBe('body.?: unknown key (check the spelling); body.?: unknown key (check the spelling)');
    expect(t.messageZh).not.toMatch(/\d{4}/);
  });

  it('property: a key the log would redact anything of is never echoed in a refusal', () => {
    const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((d) => d.join(''));
    const id = fc.tuple(digits(17), fc.constantFrom(...'0123456789Xx')).map(([d, c]) => d + c);
    const phone = fc.tuple(fc.constantFrom(...'3456789'), digits(8), fc.constantFrom('', '-')).map(([second, rest, sep]) => `1${second}${rest.slice(0, 1)}${sep}${rest.slice(1, 5)}${sep}${rest.slice(5)}0`);
    const word = fc.stringMatching(/^[a-z_]{0,8}$/);
    fc.assert(
      fc.property(word, fc.oneof(id, phone, digits(7), fc.stringMatching(/^[a-z0-9_-]{1,20}$/)), word, (before, middle, after) => {
        const key = `k${before}${middle}${after}`;
        if (scrubString(key) !== key) expect(keyPath([key], 'body')).toBe('body.?');
        const said = invalidText([unknownKeys([key])], { where: 'body' }).message;
        expect(said).not.toMatch(/(?:\d[\s.-]?){6}\d/);
      }),
      { numRuns: 2000 },
    );
  });
});
