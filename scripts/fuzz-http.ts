/**
 * `npm run fuzz:http`: the HTTP fuzz of test/http/fuzz.test.ts at length — every route of the hall
 * server and of the kiosk listener, HALLQ_FUZZ_RUNS requests each (default 1,000,000). Prints how
 * many it tried and what they got; exits 1 with the counterexample on the first failure.
 */
import fc from 'fast-check';
import { kioskSchemas } from '../src/agent/kiosk-http.js';
import { anonymous, kioskForFuzz, kioskRoutes, kioskStreams, serverForFuzz, serverRoutes, serverStreams } from '../test/http/fuzz-apps.js';
import { checkOne, fuzzRuns, requests } from '../test/http/fuzz-kit.js';

const runs = fuzzRuns(1_000_000);
const seed = Number(process.env['HALLQ_FUZZ_SEED'] ?? Date.now() % 2 ** 31);
const report = (name: string, tried: number, statuses: Map<number, number>, ms: number) =>
  console.log(`${name}: ${tried} requests in ${(ms / 1000).toFixed(0)} s, no failure · ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s === 0 ? 'stream (skipped)' : s}×${n}`).join(' ')}`);

console.log(`HTTP fuzz: ${runs} requests per surface, seed ${seed}`);
let failed = false;
{
  const { rig, seq } = await serverForFuzz();
  const before = seq();
  const statuses = new Map<number, number>();
  let tried = 0;
  const t0 = Date.now();
  const r = await fc.check(
    fc.asyncProperty(requests(serverRoutes, anonymous), async (req) => {
      tried += 1;
      const s = await checkOne(rig.app, req, serverStreams);
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
      if (seq() !== before) throw new Error(`${req.method} ${req.url} changed the log`);
      if (tried % 100_000 === 0) console.log(`  server: ${tried}…`);
    }),
    { numRuns: runs, seed },
  );
  await rig.close();
  if (r.failed) {
    failed = true;
    console.log(`server: FAILED after ${tried} requests: ${fc.defaultReportMessage(r) ?? ''}`);
  } else report('server', tried, statuses, Date.now() - t0);
}
{
  const { app, issued } = await kioskForFuzz();
  const statuses = new Map<number, number>();
  let tried = 0;
  const t0 = Date.now();
  const r = await fc.check(
    fc.asyncProperty(requests(kioskRoutes, fc.constant({})), async (req) => {
      tried += 1;
      const n = issued.length;
      const s = await checkOne(app, req, kioskStreams);
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
      if (issued.length !== n && !kioskSchemas.issue.safeParse(JSON.parse(String(req.payload))).success) throw new Error('an invalid body reached the kiosk flow');
      if (tried % 100_000 === 0) console.log(`  kiosk: ${tried}…`);
    }),
    { numRuns: runs, seed },
  );
  await app.close();
  if (r.failed) {
    failed = true;
    console.log(`kiosk: FAILED after ${tried} requests: ${fc.defaultReportMessage(r) ?? ''}`);
  } else report('kiosk', tried, statuses, Date.now() - t0);
}
process.exitCode = failed ? 1 : 0;
