/**
 * Every message a schema's author wrote (`.regex(re, '…')`, `.refine(fn, '…')`, `{ message }`) has its
 * Chinese (zhText or params.zh): a refusal's messageZh never quotes English (`应为符合格式的文字（a status
 * page token …）`). The walk covers every zod schema exported by a file of src/ that uses zod, so a new
 * English-only message fails here; the routes that were reported are checked end to end.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authored, authoredZh } from '../../drivers/common/invalid-text.js';
import { httpRig, PIN, type HttpRig } from './rig.js';

/** src/ files that use zod (side-effect-free modules: schemas and route builders). */
function zodFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return zodFiles(p);
    return e.name.endsWith('.ts') && /from 'zod'/.test(readFileSync(p, 'utf8')) ? [p] : [];
  });
}

interface ZodLike {
  _zod: { def: Record<string, unknown> };
}
const isZod = (v: unknown): v is ZodLike => typeof v === 'object' && v !== null && '_zod' in v && typeof (v as ZodLike)._zod === 'object' && typeof (v as ZodLike)._zod.def === 'object';

/** Every authored message in a schema and what it nests (checks, shapes, options, inner types), with whether it has Chinese. */
function authoredMessages(root: unknown, seen: Set<unknown>, out: Map<string, boolean>): void {
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!isZod(v) || seen.has(v)) return;
    seen.add(v);
    const def = v._zod.def;
    if (typeof def['error'] === 'function') {
      let m: unknown;
      try {
        m = (def['error'] as (i?: unknown) => unknown)(undefined);
      } catch {
        m = undefined;
      }
      const text = typeof m === 'string' ? m : typeof m === 'object' && m !== null && 'message' in m ? String(m.message) : undefined;
      const own = text === undefined ? undefined : authored(text);
      if (own !== undefined) {
        const params = def['params'] as Record<string, unknown> | undefined;
        out.set(own, (out.get(own) ?? false) || authoredZh(own) !== undefined || typeof params?.['zh'] === 'string');
      }
    }
    for (const [k, x] of Object.entries(def)) {
      if (k === 'shape' && typeof x === 'object' && x !== null) Object.values(x).forEach(visit);
      else visit(x);
    }
  };
  visit(root);
}

describe('every authored schema message has Chinese', () => {
  it('in every zod schema exported from src/', async () => {
    const found = new Map<string, boolean>();
    const seen = new Set<unknown>();
    for (const f of zodFiles('src')) {
      const mod = (await import(pathToFileURL(join(process.cwd(), f)).href)) as Record<string, unknown>;
      for (const v of Object.values(mod)) authoredMessages(v, seen, found);
    }
    // The walk reaches the messages (a walk that found none would pass anything).
    expect(found.has('a status page token (43 base64url characters)')).toBe(true);
    expect(found.has('a day YYYY-MM-DD, like 2026-11-23')).toBe(true);
    expect(found.size).toBeGreaterThan(15);
    expect([...found].filter(([, zh]) => !zh).map(([en]) => en)).toEqual([]);
  });
});

describe('the reported refusals: messageZh holds no English expectation', () => {
  let h: HttpRig;
  let manager: Record<string, string> = {};
  beforeAll(async () => {
    h = await httpRig();
    manager = { cookie: await h.signIn('m01', PIN['m01'] ?? '') };
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([
    ['a status page token', 'GET', '/api/status/AAAA', undefined, '排队状态页令牌'],
    ['an off-site rating token', 'GET', '/api/rating/AAAA', undefined, '离场评价链接的令牌'],
    ['a ticket id', 'GET', '/api/tickets/nope', 'cli', '号码编号，如 20261123-A001'],
    ['a day that does not exist', 'GET', '/api/reports?from=2026-13-01&to=2026-11-23', 'manager', '日期（年-月-日），如 2026-11-23'],
    ['from after to', 'GET', '/api/reports?from=2026-11-24&to=2026-11-23', 'manager', '开始日期 2026-11-24 晚于结束日期 2026-11-23'],
    ['a period too long', 'GET', '/api/reports?from=2024-01-01&to=2026-11-23', 'manager', 'from 之后不到 800 天的日期（一份报表最多 800 天）'],
    ['a rating id', 'POST', '/api/ratings/nope/follow-up', 'manager', '评价编号，如 R-20261123-A001'],
  ] as const)('%s', async (_name, method, url, who, zh) => {
    const headers = who === 'manager' ? manager : who === 'cli' ? { authorization: `Bearer ${h.cliToken}` } : {};
    const r = await h.app.inject({ method, url, headers: { ...headers, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) }, ...(method === 'POST' ? { payload: { kind: 'reply', note: 'x' } } : {}) });
    expect(r.statusCode, r.body).toBe(400);
    const e = (r.json() as { error: { messageZh: string } }).error;
    expect(e.messageZh).toContain(zh);
    // No English words in the Chinese beyond key paths, literals (`from`, `to`) and the quoted value found.
    expect(e.messageZh.replace(/"[^"]*"/g, '').replace(/\b(params|query|body|token|ticketId|ratingId|from|to|base64url|R|A)\b/g, '')).not.toMatch(/[A-Za-z]{3,}/);
  });
});
