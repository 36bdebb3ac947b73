import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kioskSchemas } from '../../src/agent/kiosk-http.js';
import { anonymous, kioskForFuzz, kioskRoutes, kioskStreams, serverForFuzz, serverRoutes, serverStreams } from './fuzz-apps.js';
import { checkOne, fuzzRuns, requests } from './fuzz-kit.js';

/**
 * Every HTTP route of the hall server and the kiosk listener, with random methods, paths, content
 * types, bodies (null, arrays, huge, deep, binary, wrong-typed) and no valid credentials: no 5xx,
 * every refusal in the error shape, the log's seq unchanged, the kiosk flow never reached by an
 * invalid request. HALLQ_FUZZ_RUNS sets the count (CI: 10,000 each; `npm run fuzz:http` runs more).
 */
const runs = fuzzRuns(10_000);

describe('HTTP fuzz', () => {
  it(`server: ${runs} requests without credentials change nothing and get 4xx in the error shape`, async () => {
    const { rig, seq } = await serverForFuzz();
    try {
      const before = seq();
      const state = JSON.stringify(rig.engine.state);
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(requests(serverRoutes, anonymous), async (req) => {
          const s = await checkOne(rig.app, req, serverStreams);
          statuses.set(s, (statuses.get(s) ?? 0) + 1);
          if (seq() !== before) throw new Error(`${req.method} ${req.url} changed the log`);
        }),
        { numRuns: runs },
      );
      expect(JSON.stringify(rig.engine.state)).toBe(state);
      // The fuzzer reached the refusals that matter (a generator stuck on one answer would not).
      for (const s of [400, 401, 404, 415]) expect(statuses.get(s) ?? 0, `status ${s}`).toBeGreaterThan(0);
    } finally {
      await rig.close();
    }
  }, 600_000);

  it(`kiosk: ${runs} requests get 4xx in the error shape; only valid ones reach the flow`, async () => {
    const { app, issued } = await kioskForFuzz();
    try {
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(requests(kioskRoutes, fc.constant({})), async (req) => {
          const n = issued.length;
          const s = await checkOne(app, req, kioskStreams);
          statuses.set(s, (statuses.get(s) ?? 0) + 1);
          if (issued.length !== n) {
            const body: unknown = JSON.parse(String(req.payload));
            if (!kioskSchemas.issue.safeParse(body).success) throw new Error(`an invalid body reached the kiosk flow: ${String(req.payload).slice(0, 100)}`);
          }
        }),
        { numRuns: runs },
      );
      for (const s of [400, 404, 415]) expect(statuses.get(s) ?? 0, `status ${s}`).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  }, 600_000);
});
