/**
 * A technician tryout (issue #13): a report's refused `to` was said as `found text of 10 characters,
 * expected from must not be after to`: a date was masked like a phone number (its 8 digits with dashes
 * between them) and the expectation was not English. A date is quoted; a phone written with dashes is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foundWords, invalidText } from '../../drivers/common/invalid-text.js';
import { reportQuery } from '../../src/server/reports-http.js';
import { PIN, httpRig, type HttpRig } from './rig.js';

function refusal(input: unknown): { message: string; messageZh: string } {
  const r = reportQuery.safeParse(input);
  if (r.success) throw new Error('expected the query to be refused');
  return invalidText(r.error.issues, { where: 'query', input });
}

describe("a report's dates in its refusals", () => {
  it('a range too long: the date quoted, the bound in words (README, Errors)', () => {
    const t = refusal({ from: '2024-01-01', to: '2026-12-01' });
    expect(t.message).toBe('query.to: found "2026-12-01", expected a day less than 800 days after from (a report covers at most 800 days)');
    expect(t.messageZh).toBe('query.to：收到"2026-12-01"，应为from 之后不到 800 天的日期（一份报表最多 800 天）');
  });

  it('a day that does not exist is quoted too', () => {
    expect(refusal({ from: '2026-13-01', to: '2026-12-01' }).message).toBe('query.from: found "2026-13-01", expected a day YYYY-MM-DD, like 2026-11-23');
  });

  it('a missing day is asked for as a day, not as "text"', () => {
    const t = refusal({ from: '2026-12-01' });
    expect(t.message).toBe('query.to: found nothing (the key is missing), expected a day YYYY-MM-DD, like 2026-11-23');
    expect(t.messageZh).toBe('query.to：收到空缺（缺少此项），应为日期（年-月-日），如 2026-11-23');
  });
});

describe('reversed days, on every report route: plain words naming both days, not a key path', () => {
  let h: HttpRig;
  let manager = '';
  beforeAll(async () => {
    h = await httpRig();
    manager = await h.signIn('m01', PIN['m01']!);
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([['/api/reports'], ['/api/reports.csv'], ['/api/reports.xlsx']])('%s: 400 days-reversed, in both languages', async (route) => {
    const r = await h.app.inject({ url: `${route}?from=2026-12-05&to=2026-12-01`, headers: { cookie: manager } });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json()).toEqual({ error: { code: 'days-reversed', message: 'The first day 2026-12-05 is after the last day 2026-12-01', messageZh: '开始日期 2026-12-05 晚于结束日期 2026-12-01' } });
  });

  it('a bad day is said as that first, and one day (from = to) is a period', async () => {
    const bad = await h.app.inject({ url: '/api/reports?from=2026-13-05&to=2026-12-01', headers: { cookie: manager } });
    expect(bad.json()).toMatchObject({ error: { code: 'payload-invalid', message: 'query.from: found "2026-13-05", expected a day YYYY-MM-DD, like 2026-11-23' } });
    expect((await h.app.inject({ url: '/api/reports?from=2026-12-01&to=2026-12-01', headers: { cookie: manager } })).statusCode).toBe(200);
  });
});

describe('the masking rule: 7 digits in a row, spaces, dots or dashes between them too, never a date', () => {
  it.each([['2026-12-01'], ['2026-12-01T09:30:00Z'], ['2026-12-01 09:30'], ['2026-12-01T09:30:00.123+08:00']])('%s is quoted', (v) => {
    expect(foundWords(v).en).toBe(JSON.stringify(v));
  });

  it.each([['13812345678'], ['138-1234-5678'], ['138 1234 5678'], ['1381234'], ['2026-12-01 13812345678'], ['20261201']])('%s is said by its length only', (v) => {
    expect(foundWords(v).en).toBe(`text of ${v.length} characters`);
  });
});
