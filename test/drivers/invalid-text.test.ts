import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { invalidText, keyPath, RAW_ZOD_TEXT, zhText } from '../../drivers/common/invalid-text.js';

const issuesOf = (schema: z.ZodType, input: unknown, reportInput = false) => {
  const r = schema.safeParse(input, { reportInput });
  if (r.success) throw new Error('expected the input to be refused');
  return r.error.issues;
};

const window = z.strictObject({ window: z.number().int().min(1).max(12) });

describe('invalidText: schema issues in plain words, English and Chinese', () => {
  it.each([
    ['a number below the minimum', window, { window: 0 }, 'window: found 0, expected a number of at least 1', 'window：收到0，应为不小于 1 的数'],
    ['a number above the maximum', window, { window: 99 }, 'window: found 99, expected a number of at most 12', 'window：收到99，应为不大于 12 的数'],
    ['a missing key', window, {}, 'window: found nothing (the key is missing), expected a number', 'window：收到空缺（缺少此项），应为数字'],
    ['text where a number goes', window, { window: 'x' }, 'window: found "x", expected a number', 'window：收到"x"，应为数字'],
    ['a fraction', window, { window: 1.5 }, 'window: found 1.5, expected a whole number', 'window：收到1.5，应为整数'],
    ['an unknown key', window, { window: 1, windw: 2 }, 'windw: unknown key (check the spelling)', 'windw：未知的项（请检查拼写）'],
    ['an empty string', z.object({ name: z.string().min(1) }), { name: '' }, 'name: found empty text, expected text that is not empty', 'name：收到空文字，应为非空的文字'],
    ['a value outside an enum', z.object({ kind: z.enum(['general', 'domain']) }), { kind: 'x' }, 'kind: found "x", expected one of general, domain', 'kind：收到"x"，应为以下之一："general"、"domain"'],
    ['a nested list index', z.object({ windows: z.array(z.object({ id: z.number() })) }), { windows: [{ id: 1 }, { id: 'two' }] }, 'windows[1].id: found "two", expected a number', 'windows[1].id：收到"two"，应为数字'],
    ['a bad URL', z.object({ url: z.url() }), { url: 'nope' }, 'url: found "nope", expected a web address (http://… or https://…)', 'url：收到"nope"，应为网址（http://… 或 https://…）'],
    ['an author-worded regex', z.object({ token: z.string().regex(/^[a-z]{4}$/, 'a token of four letters') }), { token: '12' }, 'token: found text of 2 characters, expected a token of four letters', 'token：收到2 个字符的文字，应为符合格式的文字（a token of four letters）'],
    ['the whole input of the wrong kind', window, 'hello', 'the input: found "hello", expected a group of keys', '输入内容：收到"hello"，应为一组键值（对象）'],
    ['an author-worded regex with its Chinese (zhText)', z.object({ time: z.string().regex(/^\d\d:\d\d$/, zhText('a time as HH:MM (test)', '时间（HH:MM，测试）')) }), { time: '9' }, 'time: found "9", expected a time as HH:MM (test)', 'time：收到"9"，应为时间（HH:MM，测试）'],
    ['a mistyped choice: the close allowed value', z.object({ kind: z.enum(['general', 'domain']) }), { kind: 'generall' }, 'kind: found "generall", expected one of general, domain (did you mean general?)', 'kind：收到"generall"，应为以下之一："general"、"domain"（是不是 "general"？）'],
  ])('%s', (_name, schema, input, en, zh) => {
    const t = invalidText(issuesOf(schema, input), { input });
    expect(t.message).toBe(en);
    expect(t.messageZh).toBe(zh);
  });

  it('names the discriminator of a tagged union and its allowed values', () => {
    const cmd = z.discriminatedUnion('type', [z.object({ type: z.literal('CallNext'), window: z.number() }), z.object({ type: z.literal('Pause'), window: z.number() })]);
    const t = invalidText(issuesOf(cmd, { type: 'Nope', window: 1 }), { input: { type: 'Nope', window: 1 } });
    expect(t.message).toBe('type: found "Nope", expected one of CallNext, Pause');
    expect(t.messageZh).toBe('type：收到"Nope"，应为以下之一："CallNext"、"Pause"');
  });

  it('prefixes the place (body, query); Chinese text only when values are shown (a config file), never under a personal key', () => {
    const issues = issuesOf(z.object({ service: z.string().max(3) }), { service: '张三丰先生' }, true);
    expect(invalidText(issues, { where: 'body' }).message).toBe('body.service: found text of 5 characters, expected at most 3 characters');
    expect(invalidText(issues, { values: 'shown' }).message).toBe('service: found "张三丰先生", expected at most 3 characters');
    const named = issuesOf(z.object({ name: z.string().max(3) }), { name: 'Zhang San' }, true);
    expect(invalidText(named, { values: 'shown' }).message).toBe('name: found text of 9 characters, expected at most 3 characters');
  });

  it('reads the value from the input when the issue has none (HTTP validation), else says only what was expected', () => {
    const issues = issuesOf(window, { window: 99 });
    expect(issues[0]?.input).toBeUndefined();
    expect(invalidText(issues, { input: { window: 99 } }).message).toBe('window: found 99, expected a number of at most 12');
    expect(invalidText(issues).message).toBe('window: expected a number of at most 12');
    expect(invalidText(issues).messageZh).toBe('window：应为不大于 12 的数');
  });

  it('counts what it leaves out', () => {
    const many = z.strictObject(Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => [k, z.number()])));
    const t = invalidText(issuesOf(many, {}), { max: 2, input: {} });
    expect(t.message).toBe('a: found nothing (the key is missing), expected a number; b: found nothing (the key is missing), expected a number; and 5 more');
    expect(t.messageZh.endsWith('；另有 5 处')).toBe(true);
    expect(t.lines).toHaveLength(7);
  });

  it('never repeats a key name a sender invented that does not look like a field', () => {
    expect(keyPath(['a b<script>', 0, 'ok'])).toBe('?[0].ok');
    const t = invalidText(issuesOf(window, { window: 1, '<img src=x>': 1 }));
    expect(t.message).not.toContain('<img');
  });

  it('shows the keys of a file the reader wrote (values shown): Chinese as written, odd ones quoted and escaped (issue 13)', () => {
    expect(keyPath(['policy', '张三'], '', true)).toBe('policy.张三');
    expect(keyPath(['policy', 'a b'], '', true)).toBe('policy["a b"]');
    expect(keyPath(['policy', 'x\u202ey'], '', true)).toBe('policy["x\\u202ey"]');
    expect(keyPath(['policy', 'x\ny'], '', true)).toBe('policy["x\\ny"]');
    const t = invalidText(issuesOf(window, { window: 1, 张三: 2 }), { values: 'shown' });
    expect(t.lines.map((l) => l.path)).toEqual(['张三']);
    // Not shown (HTTP, MQTT): still `?`.
    expect(invalidText(issuesOf(window, { window: 1, 张三: 2 })).lines.map((l) => l.path)).toEqual(['?']);
  });

  it('answers an unknown key with the allowed key it is a typo of, given the schema, at any depth (issue 13)', () => {
    const schema = z.strictObject({ policy: z.strictObject({ interleave: z.number().optional(), agingMinutes: z.number().optional() }).default({}), list: z.array(z.strictObject({ kind: z.string().optional() })).optional() });
    const t = invalidText(issuesOf(schema, { policy: { interlave: 1 }, list: [{ knid: 'a' }] }), { schema, values: 'shown' });
    expect(t.lines.map((l) => l.en)).toEqual(['policy.interlave: unknown key (did you mean interleave?)', 'list[0].knid: unknown key (did you mean kind?)']);
    expect(t.lines[0]?.expected).toEqual({ en: 'no such key (did you mean interleave?)', zh: '没有这一项（是不是 "interleave"？）' });
    // A key already written is offered too, said as written (issue #13: a typo beside the real key is a
    // left-over or a duplicate); nothing close: the plain words.
    const u = invalidText(issuesOf(schema, { policy: { interleave: 1, interlave: 1, zzz: 1 } }), { schema, input: { policy: { interleave: 1, interlave: 1, zzz: 1 } } });
    expect(u.lines.map((l) => l.en)).toEqual(['policy.interlave: unknown key (did you mean interleave? interleave is also set)', 'policy.zzz: unknown key (check the spelling)']);
    expect(u.lines[0]?.expected).toEqual({ en: 'no such key (did you mean interleave? interleave is also set)', zh: '没有这一项（是不是 "interleave"？"interleave" 也已设置）' });
  });

  it('property: for any input a schema refuses, every line names a path or the input, in both languages, with no zod wording', () => {
    const schema = z.strictObject({
      window: z.number().int().min(1).max(12),
      service: z.string().min(1).max(20),
      kind: z.enum(['general', 'domain', 'special', 'pickup']),
      tags: z.array(z.string()).max(3).optional(),
      at: z.iso.date().optional(),
    });
    fc.assert(
      fc.property(fc.anything(), fc.dictionary(fc.constantFrom('window', 'service', 'kind', 'tags', 'at', 'extra'), fc.anything()), (whole, obj) => {
        for (const input of [whole, obj]) {
          const r = schema.safeParse(input);
          if (r.success) continue;
          const t = invalidText(r.error.issues, { max: 50, input });
          for (const l of t.lines) {
            expect(l.en).toMatch(/^(the input|[\w?$-]+(\[\d+\])*(\.[\w?$-]+(\[\d+\])*)*): (found .+, expected .+|unknown key \(check the spelling\))$/);
            expect(l.zh).toMatch(/：(收到.+，应为.+|未知的项（请检查拼写）)$/);
            expect(l.en).not.toMatch(RAW_ZOD_TEXT);
            expect(l.zh).not.toMatch(RAW_ZOD_TEXT);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
