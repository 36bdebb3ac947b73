import fc from 'fast-check';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response } from '../../src/bus/messages.js';
import { unrecordedRefusals, type RejectionCode } from '../../src/core/index.js';
import { startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { agentInputs, CLEAR_ERRORS, checkAgentInput, checkServerInput, FUZZ_NOW, fuzzAgent, fuzzAuthorize, fuzzServer, serverInputs, T, type ServerUnderTest } from './mqtt-fuzz.js';

/** ≥ 10,000 in CI; `npm run fuzz` runs scripts/fuzz-mqtt.ts with far more. */
const RUNS = Number(process.env.HALLQ_FUZZ_RUNS ?? 10_000);
const MAX = 131_072;

describe('fuzzing every MQTT request type', () => {
  it(`the server's request handler: ${RUNS} inputs, always an answer, malformed → PAYLOAD_INVALID, unknown ids → refused; nothing changes`, () => {
    const s = fuzzServer(MAX);
    try {
      const seqBefore = s.engine.state.seq;
      let tried = 0;
      fc.assert(
        fc.property(serverInputs(MAX), (input) => {
          tried++;
          checkServerInput(s, input);
        }),
        { numRuns: RUNS },
      );
      expect(tried).toBeGreaterThanOrEqual(RUNS);
      expect(s.server.metrics.invalidPayloads).toBeGreaterThan(RUNS / 2);
      // The well-formed commands the mangler built (if any) are the only thing that may have moved it.
      expect(s.engine.state.seq - seqBefore).toBeLessThan(RUNS / 100);
    } finally {
      s.close();
    }
  }, 300_000);

  it(`the agent's message handler: ${RUNS} messages on each topic it hears, never a throw, never a replica change`, () => {
    const s = fuzzServer(MAX);
    const a = fuzzAgent(s.engine.state);
    s.close();
    fc.assert(
      fc.property(agentInputs(), (input) => checkAgentInput(a, input)),
      { numRuns: RUNS },
    );
    expect(a.logs.filter((l) => l.level === 'warn').length).toBeGreaterThan(RUNS / 2);
    expect(a.logs.filter((l) => l.level === 'error')).toEqual([]);
  }, 300_000);
});

describe('fuzzing through a real Mosquitto', () => {
  let broker: Broker;
  let s: ServerUnderTest;
  beforeAll(async () => {
    broker = await startMosquitto();
    s = fuzzServer(MAX);
    // The same engine, now connected: answers travel through the broker.
    const { MqttServer } = await import('../../src/server/mqtt-server.js');
    const live = new MqttServer(s.engine, { url: broker.url, hall: 'fuzz-hall', clock: () => FUZZ_NOW, maxMessageBytes: MAX, authorize: fuzzAuthorize }, (await import('../../drivers/common/logger.js')).silentLogger);
    await live.start();
    s.server = live;
  });
  afterAll(async () => {
    await s?.server.stop();
    s?.close();
    await broker?.stop();
  });

  it('300 malformed requests and commands about unknown ids: each answered with a clear error or refusal; the server stays connected and unchanged', async () => {
    const inputs = fc.sample(serverInputs(MAX).filter((i) => i.kind !== 'json' && i.payload.length < 200_000), { numRuns: 300, seed: 9 });
    const before = JSON.stringify(s.engine.state);
    const fuzzer = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
    const answers: Response[] = [];
    let wake: (() => void) | undefined;
    fuzzer.on('message', (_t, payload) => {
      answers.push(JSON.parse(payload.toString()) as Response);
      wake?.();
    });
    await fuzzer.subscribeAsync(T.response('fuzzer'), { qos: 1 });
    for (const [i, input] of inputs.entries()) {
      await fuzzer.publishAsync(T.request('fuzzer'), input.payload, { qos: 1 });
      if (answers.length <= i) await new Promise<void>((r) => (wake = r));
      const res = answers[i]!;
      if (input.kind === 'unknown-id' && res.status === 'error') {
        // A window no keypad of the fuzzer is on, or a staff-only command: refused by identity.
        expect(res).toMatchObject({ status: 'error', error: { code: 'FORBIDDEN' } });
      } else if (input.kind === 'unknown-id') {
        const outcome = (res as { data: { outcome: { ok: boolean; code: RejectionCode } } }).data.outcome;
        expect(outcome.ok).toBe(false);
        expect(unrecordedRefusals.has(outcome.code)).toBe(true);
      } else {
        expect(res.status).toBe('error');
        if (res.status === 'error') expect(CLEAR_ERRORS.has(res.error.code), res.error.code).toBe(true);
      }
    }
    await fuzzer.endAsync();
    expect(answers).toHaveLength(inputs.length);
    expect(JSON.stringify(s.engine.state)).toBe(before);
    expect(s.server.metrics.connected).toBe(true);
    expect(s.server.metrics.reconnects).toBe(0);
  }, 300_000);
});
