/**
 * A value that breaks two bounds of one key on the same side (`window: 1e20`: zod's whole-number range,
 * at most 9007199254740991, and the schema's max(999)) is told the tighter bound only, never two lines
 * that contradict each other.
 */
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidText } from '../../drivers/common/invalid-text.js';
import { httpRig, type HttpRig } from '../http/rig.js';

const schema = z.strictObject({ window: z.number().int().min(1).max(999), name: z.string().min(2).max(5) });

function wordsFor(input: Record<string, unknown>) {
  const r = schema.safeParse(input);
  if (r.success) throw new Error('expected a refusal');
  return invalidText(r.error.issues, { where: 'body', input });
}

describe('one bound per key and side', () => {
  it('1e20: at most 999 only', () => {
    const t = wordsFor({ window: 1e20, name: 'abc' });
    expect(t.message).toBe('body.window: found a number of 21 characters, expected a number of at most 999');
    expect(t.messageZh).toBe('body.window：收到21 位的数字，应为不大于 999 的数');
  });

  it('-1e20: at least 1 only', () => {
    expect(wordsFor({ window: -1e20, name: 'abc' }).message).toBe('body.window: found a number of 22 characters, expected a number of at least 1');
  });

  it('bounds of different keys are all said', () => {
    const t = wordsFor({ window: 1e20, name: 'abcdefgh' });
    expect(t.lines.map((l) => l.path)).toEqual(['body.window', 'body.name']);
    expect(t.message).not.toContain('9007199254740991');
  });

  it('a bound and a type issue of one key are both kept', () => {
    const issues = [
      { code: 'too_big', origin: 'number', maximum: 999, inclusive: true, path: ['window'], message: '' },
      { code: 'not_multiple_of', divisor: 2, origin: 'number', path: ['window'], message: '' },
    ] as unknown as Parameters<typeof invalidText>[0];
    expect(invalidText(issues, { where: 'body', input: { window: 1001 } }).lines).toHaveLength(2);
  });
});

describe('over HTTP', () => {
  let h: HttpRig;
  beforeAll(async () => {
    h = await httpRig();
  });
  afterAll(async () => {
    await h.close();
  });

  it('POST /api/commands {"window":1e20}: one message, the tighter bound', async () => {
    const r = await h.app.inject({ method: 'POST', url: '/api/commands', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.cliToken}` }, payload: '{"id":"c1","type":"CallNext","window":1e20}' });
    expect(r.statusCode).toBe(400);
    const e = (r.json() as { error: { message: string; messageZh: string } }).error;
    expect(e.message).toBe('body.window: found a number of 21 characters, expected a number of at most 999');
    expect(e.messageZh).not.toContain('9007199254740991');
  });
});
