import fc from 'fast-check';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { errorBodySchema } from '../../src/http/errors.js';

/**
 * Random HTTP requests for a Fastify app (server or kiosk), and the property every answer must
 * keep: the process stays up, no 5xx, every refusal in the one error shape, nothing changed.
 * Shared by test/http/fuzz.test.ts (CI) and scripts/fuzz-http.ts (`npm run fuzz:http`).
 */
export interface FuzzRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

const nasty = ['constructor', '__proto__', 'hasOwnProperty', 'toString', '..%2F..%2Fetc%2Fpasswd', '%00', '20261123-A001', 'A'.repeat(43), '', '%E4%B8%AD', "'; DROP TABLE events;--", '<script>'];

const segment = fc.oneof(fc.constantFrom(...nasty), fc.string({ maxLength: 60 }).map(encodeURIComponent), fc.stringMatching(/^[A-Za-z0-9_-]{1,50}$/));

const bodyValue: fc.Arbitrary<string | Buffer | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.constantFrom('null', '[]', '{}', '""', '0', 'true', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '{', 'nul', '\u0000') },
  {
    weight: 3,
    // Command-shaped objects with random and wrong-typed fields.
    arbitrary: fc
      .record(
        {
          id: fc.oneof(fc.string({ maxLength: 120 }), fc.integer(), fc.constant(null)),
          type: fc.oneof(fc.constantFrom('IssueTicket', 'CallNext', 'Rate', 'PauseWindow', 'Cancel', 'CancelAppointment', 'OpenWindow', 'SignIn', 'Configure', 'Tick'), fc.string()),
          window: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
          ticketId: fc.oneof(fc.constantFrom(...nasty), fc.string()),
          staffId: fc.oneof(fc.constantFrom('s01', 'm01', '__proto__'), fc.string()),
          secret: fc.oneof(fc.string({ maxLength: 200 }), fc.integer()),
          serviceId: fc.oneof(fc.constantFrom('social', 'constructor'), fc.string()),
          phone: fc.oneof(fc.constantFrom('13912345678', '1391234567x'), fc.string()),
          idNumber: fc.oneof(fc.constant('11010519491231002X'), fc.string()),
          smsOnly: fc.jsonValue({ maxDepth: 1 }),
          extra: fc.jsonValue({ maxDepth: 2 }),
        },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v)),
  },
  { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 200_000 }).map((n) => `{"id":"${'x'.repeat(n)}"}`) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

const contentType = fc.oneof(
  { weight: 5, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/jsonx', '', 'APPLICATION/JSON') },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

/** Requests to `routes` (paths with `:param` placeholders, filled with nasty and random segments) and to random paths. */
export function requests(routes: string[], auth: fc.Arbitrary<Record<string, string>>): fc.Arbitrary<FuzzRequest> {
  const path = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...routes), fc.array(segment, { minLength: 3, maxLength: 3 })).map(([r, segs]) => r.replace(/:\w+/g, () => segs.pop() ?? 'x')) },
    { weight: 1, arbitrary: fc.array(segment, { maxLength: 5 }).map((s) => `/${s.join('/')}`) },
  );
  const query = fc.oneof(fc.constant(''), fc.string({ maxLength: 40 }).map((q) => `?${encodeURIComponent(q)}=${encodeURIComponent(q)}`), fc.constant('?__proto__[x]=1&constructor=2'));
  return fc
    .record({
      method: fc.constantFrom('GET', 'HEAD', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
      url: fc.tuple(path, query).map(([p, q]) => p + q),
      contentType,
      auth,
      origin: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('http://evil.test', 'null', 'not a url') }),
      payload: bodyValue,
    })
    .map((r) => ({
      method: r.method as FuzzRequest['method'],
      url: r.url,
      headers: { ...(r.contentType ? { 'content-type': r.contentType } : {}), ...r.auth, ...(r.origin ? { origin: r.origin } : {}) },
      ...(r.payload === undefined || r.method === 'GET' || r.method === 'HEAD' ? {} : { payload: r.payload }),
    }));
}

const isErrorShape = (body: string): boolean => {
  try {
    return errorBodySchema.safeParse(JSON.parse(body)).success;
  } catch {
    return false;
  }
};

/**
 * One request and the property. `mayChange` says whether a 2xx here may have done something (it
 * never may in the fuzz: the generator has no valid credentials for a change). Returns the status.
 */
export async function checkOne(app: FastifyInstance, req: FuzzRequest, streams: readonly string[]): Promise<number> {
  const path = req.url.split('?')[0] ?? '';
  // Event streams never end; they are checked apart (their GET is a live stream by design).
  if ((req.method === 'GET' || req.method === 'HEAD') && streams.includes(path)) return 0;
  const r: LightMyRequestResponse = await app.inject({ method: req.method, url: req.url, headers: req.headers, ...(req.payload === undefined ? {} : { payload: req.payload }) } as InjectOptions);
  if (r.statusCode >= 500) throw new Error(`${req.method} ${req.url}: ${r.statusCode} ${r.body.slice(0, 200)}`);
  if (r.statusCode >= 200 && r.statusCode < 300 && req.method !== 'GET' && req.method !== 'HEAD') {
    // A state-changing 2xx: only the answer-only kiosk endpoints and sign-out may (they change no hall state).
    if (!/^\/(kiosk\/api\/(cancel-card|touch|wedge)|api\/auth\/sign-out)$/.test(path)) throw new Error(`${req.method} ${req.url}: ${r.statusCode} for a change without credentials: ${r.body.slice(0, 200)}`);
  }
  if (r.statusCode >= 400 && req.method !== 'HEAD' && !isErrorShape(r.body)) throw new Error(`${req.method} ${req.url}: ${r.statusCode} not in the error shape: ${r.body.slice(0, 200)}`);
  return r.statusCode;
}

export function fuzzRuns(fallback: number): number {
  const n = Number(process.env['HALLQ_FUZZ_RUNS']);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
