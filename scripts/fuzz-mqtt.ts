/**
 * `npm run fuzz` (MQTT part): the fuzz of test/fuzz/mqtt.test.ts at scale, in-process: every MQTT
 * request type into the server's request handler, and garbage on every topic into the agent's
 * message handler. HALLQ_FUZZ_RUNS inputs each (default 1,000,000); prints how many it tried.
 * Exits 1 with fast-check's counterexample on the first input that breaks a rule.
 */
import fc from 'fast-check';
import { agentInputs, checkAgentInput, checkServerInput, fuzzAgent, fuzzServer, serverInputs } from '../test/fuzz/mqtt-fuzz.js';

const runs = Number(process.env.HALLQ_FUZZ_RUNS ?? 1_000_000);
const MAX = 131_072;
const started = Date.now();

function fuzz(name: string, body: () => number): void {
  const t0 = Date.now();
  const tried = body();
  console.log(`fuzz-mqtt ${name}: ${tried} inputs tried, all passed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

fuzz('server request handler', () => {
  const s = fuzzServer(MAX);
  let tried = 0;
  try {
    fc.assert(
      fc.property(serverInputs(MAX), (input) => {
        // Keep memory flat over a million inputs: the records of earlier inputs are already checked.
        if (s.logs.length > 10_000) s.logs.length = 0;
        tried++;
        checkServerInput(s, input);
      }),
      { numRuns: runs },
    );
  } finally {
    s.close();
  }
  return tried;
});

fuzz('agent message handler', () => {
  const s = fuzzServer(MAX);
  const a = fuzzAgent(s.engine.state);
  s.close();
  let tried = 0;
  fc.assert(
    fc.property(agentInputs(), (input) => {
      if (a.logs.length > 10_000) a.logs.length = 0;
      tried++;
      checkAgentInput(a, input);
    }),
    { numRuns: runs },
  );
  return tried;
});

console.log(`fuzz-mqtt: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
