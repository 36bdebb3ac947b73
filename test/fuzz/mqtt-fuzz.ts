/**
 * The MQTT fuzz harness, shared by the CI test (test/fuzz/mqtt.test.ts) and `npm run fuzz`
 * (scripts/fuzz-mqtt.ts): arbitraries for every request type, a server engine on a temp SQLite
 * file driven through MqttServer.handleRequest in-process, and an agent link driven through
 * AgentLink.handleMessage. Each check throws on the first input that breaks a rule.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { AgentLink } from '../../src/agent/link.js';
import { eventSchema } from '../../src/bus/event-schema.js';
import { parseJson, type Response } from '../../src/bus/messages.js';
import { topics } from '../../src/bus/topics.js';
import { epochOf, unrecordedRefusals, type CommandBody, type HallConfig, type RejectionCode } from '../../src/core/index.js';
import { allDayHall } from '../helpers/all-day-hall.js';
import { HallEngine } from '../../src/server/engine.js';
import { MqttServer } from '../../src/server/mqtt-server.js';
import { agentEntrySchema } from '../../src/config/schema.js';
import { requestAuthorizer } from '../../src/bus/authorize.js';

export const fuzzConfig: HallConfig = allDayHall('fuzz-hall', { zh: '模糊测试大厅', en: 'Fuzz hall' }, 3);
export const T = topics(fuzzConfig.id);
/** A fixed Monday 10:00 in the hall: no day rollover during a run. */
export const FUZZ_NOW = epochOf('2026-11-23', 600, 480);

// --- arbitraries -----------------------------------------------------------------------------

const personal = fc.constantFrom('张丽华', '13912345678', '11010519491231002X', '欧阳娜娜 110101199003077491', '+8613800138000');
/** Any JSON value, with personal data, prototype names and odd numbers among the leaves. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'xsmall', maxDepth: 3, withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.constantFrom(0, -1, 1e308, -0, 2 ** 53, 999, 1000),
    fc.string({ maxLength: 30 }),
    personal,
    fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty'),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('id', 'type', 'command', '__proto__', 'constructor', 'window')), tie('v'), { maxKeys: 4 }),
  ),
})).v;

const requestTypes = ['command', 'events', 'state', 'contact'] as const;
const commandTypes = ['IssueTicket', 'PrintConfirmed', 'PrintFailed', 'CallNext', 'CallTicket', 'Recall', 'StartService', 'Complete', 'NoShow', 'Transfer', 'Cancel', 'OpenWindow', 'PauseWindow', 'ResumeWindow', 'CloseWindow', 'TakeOver', 'BookAppointment', 'CancelAppointment', 'CheckIn', 'RequestRating', 'Rate', 'FollowUp', 'Configure', 'Tick'] as const;
const fieldNames = ['id', 'type', 'window', 'ticketId', 'serviceId', 'staffId', 'reason', 'appointmentId', 'ratingId', 'note', 'grade', 'toService', 'toWindow', 'person', 'delivery', 'phoneMasked', 'source', 'after', 'limit', 'seq', 'part', 'phone', 'command', 'appointment', 'idHash'];

/** A request of a known type with fields of any type (wrong, missing, extra), so every schema branch is exercised. */
export const mangledRequest = fc.record({
  id: fc.oneof(fc.string({ maxLength: 120 }), anyJson),
  type: fc.oneof(fc.constantFrom(...requestTypes), anyJson),
  extra: fc.dictionary(fc.constantFrom(...fieldNames), anyJson, { maxKeys: 4 }),
  command: fc.oneof(
    anyJson,
    fc.record({ id: fc.oneof(fc.string({ maxLength: 20 }), anyJson), type: fc.oneof(fc.constantFrom(...commandTypes), anyJson), fields: fc.dictionary(fc.constantFrom(...fieldNames), anyJson, { maxKeys: 5 }) }).map((c) => ({ id: c.id, type: c.type, ...c.fields })),
  ),
}).map((r) => ({ id: r.id, type: r.type, ...(r.type === 'command' ? { command: r.command } : {}), ...r.extra }));

/** Well-formed commands about windows, tickets, services, appointments, ratings and staff that do not exist. */
export const unknownIdCommand: fc.Arbitrary<CommandBody> = fc.oneof(
  fc.record({ type: fc.constant('CallNext' as const), window: fc.integer({ min: 4, max: 999 }) }),
  fc.record({ type: fc.constant('PauseWindow' as const), window: fc.integer({ min: 4, max: 999 }), reason: fc.string({ maxLength: 20 }) }),
  fc.record({ type: fc.constant('Cancel' as const), ticketId: fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom('constructor', '__proto__', 'toString')).filter((s) => !/^\d{8}-[AB]\d{3}$/.test(s)), reason: fc.constant('x') }),
  fc.record({ type: fc.constant('PrintConfirmed' as const), ticketId: fc.constantFrom('constructor', '__proto__', 'hasOwnProperty', 'nope') }),
  fc.record({ type: fc.constant('IssueTicket' as const), serviceId: fc.oneof(fc.constantFrom('constructor', '__proto__', 'toString', 'Z'), fc.string({ maxLength: 40 }).filter((s) => s !== 'A' && s !== 'B')) }),
  fc.record({ type: fc.constant('CancelAppointment' as const), appointmentId: fc.oneof(fc.constantFrom('__proto__', 'constructor'), fc.string({ maxLength: 60 })) }),
  fc.record({ type: fc.constant('FollowUp' as const), ratingId: fc.oneof(fc.constantFrom('__proto__', 'valueOf'), fc.string({ maxLength: 80 })), note: fc.constant('n') }),
  fc.record({ type: fc.constant('OpenWindow' as const), window: fc.constantFrom(1, 2, 3), staffId: fc.oneof(fc.constantFrom('constructor', '__proto__'), fc.string({ maxLength: 40 }).filter((s) => !/^s[123]$/.test(s))) }),
);

export type FuzzInput =
  | { kind: 'bytes'; payload: Buffer }
  | { kind: 'json'; payload: Buffer }
  | { kind: 'unknown-id'; payload: Buffer };

/** Everything the server may be sent on req/<client>: raw bytes, deep or huge texts, any JSON, mangled requests, and well-formed commands about unknown ids. */
export function serverInputs(maxBytes: number): fc.Arbitrary<FuzzInput> {
  // Built once: a fresh 128 KiB text per input would cost more than the checks.
  const bytes = (payload: Buffer) => ({ kind: 'bytes' as const, payload });
  const json = (v: unknown) => ({ kind: 'json' as const, payload: Buffer.from(JSON.stringify(v) ?? 'undefined') });
  return fc.oneof(
    { weight: 3, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => bytes(Buffer.from(a))) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((s) => bytes(Buffer.from(s))) },
    { weight: 1, arbitrary: fc.constantFrom('null', '[]', '{}', '""', '0', 'true', '[null]', '{"id":null}', '张丽华 13912345678', '{"__proto__":{"type":"state"}}').map((s) => bytes(Buffer.from(s))) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((d) => bytes(Buffer.from('['.repeat(d) + ']'.repeat(d)))) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((d) => bytes(Buffer.from(`${'{"a":'.repeat(d)}1${'}'.repeat(d)}`))) },
    { weight: 1, arbitrary: fc.constantFrom(...[maxBytes + 1, maxBytes * 2].map((n) => bytes(Buffer.from(`{"id":"big","type":"state","x":"${'张'.repeat(Math.ceil(n / 3))}"}`)))) },
    { weight: 4, arbitrary: anyJson.map(json) },
    { weight: 10, arbitrary: mangledRequest.map(json) },
    {
      weight: 4,
      arbitrary: fc.tuple(unknownIdCommand, fc.string({ minLength: 1, maxLength: 30 })).map(([c, n]) => ({ kind: 'unknown-id' as const, payload: Buffer.from(JSON.stringify({ id: `r-${n}`, type: 'command', command: { ...c, id: `fz-${n}` } })) })),
    },
  );
}

/** Anything on a topic the agent subscribes to: bytes, any JSON, and event- or response-shaped objects with wrong fields. */
export function agentInputs(): fc.Arbitrary<{ topic: string; payload: Buffer }> {
  const eventish = fc.record({ seq: anyJson, at: anyJson, commandId: anyJson, type: fc.oneof(fc.constantFrom('TicketIssued', 'TicketCalled', 'WindowOpened', 'HallConfigured', 'DayStarted', 'TicketCancelled'), anyJson), extra: fc.dictionary(fc.constantFrom(...fieldNames, 'ticket', 'config', 'expired'), anyJson, { maxKeys: 4 }) }).map((e) => ({ seq: e.seq, at: e.at, commandId: e.commandId, type: e.type, ...e.extra }));
  const responseish = fc.record({ id: anyJson, status: fc.oneof(fc.constantFrom('ok', 'error'), anyJson), data: anyJson, error: anyJson });
  const payload = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
    fc.constantFrom('null', '[]', '张丽华 13912345678', '{"seq":1}').map((s) => Buffer.from(s)),
    fc.integer({ min: 1, max: 20_000 }).map((d) => Buffer.from('['.repeat(d) + ']'.repeat(d))),
    anyJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
    eventish.map((v) => Buffer.from(JSON.stringify(v))),
    responseish.map((v) => Buffer.from(JSON.stringify(v))),
  );
  return fc.record({ topic: fc.constantFrom(T.events, T.response('fuzz-agent'), T.windowState(1), T.queueState, T.serverStatus), payload });
}

// --- the systems under test ----------------------------------------------------------------

export interface ServerUnderTest {
  server: MqttServer;
  engine: HallEngine;
  logs: LogRecord[];
  close(): void;
}

/**
 * The fuzzers' identities as the hall config would give them: `fuzzer` owns a kiosk and every
 * window's caller and rating keypad, so its requests reach the core (the authorizer is part of the
 * surface, not a wall in front of it); `kiosk-1` has a kiosk only.
 */
export const fuzzAuthorize = requestAuthorizer([
  agentEntrySchema.parse({ id: 'fuzzer', kiosk: {}, devices: { rs485: [{ path: 'fuzz', keypads: [1, 2, 3].map((w) => ({ window: w, address: w, role: 'both' })) }] } }),
  agentEntrySchema.parse({ id: 'kiosk-1', kiosk: {} }),
]);

/** A server engine on a temp SQLite file with a few tickets and open windows, its MQTT front not connected (answers are returned, not published). */
export function fuzzServer(maxMessageBytes = 131_072): ServerUnderTest {
  const logs: LogRecord[] = [];
  const logger = recordingLogger(logs);
  const engine = HallEngine.open(join(mkdtempSync(join(tmpdir(), 'hallq-fuzz-')), 'hall.db'), fuzzConfig, logger, FUZZ_NOW);
  const server = new MqttServer(engine, { url: 'mqtt://127.0.0.1:1', hall: fuzzConfig.id, clock: () => FUZZ_NOW, maxMessageBytes, authorize: fuzzAuthorize }, logger);
  let n = 0;
  const setup: CommandBody[] = [{ type: 'OpenWindow', window: 1, staffId: 's1' }, { type: 'OpenWindow', window: 2, staffId: 's2' }, ...Array.from({ length: 6 }, (_, i) => ({ type: 'IssueTicket' as const, serviceId: i % 2 ? 'A' : 'B', delivery: 'none' as const })), { type: 'CallNext', window: 1 }];
  for (const c of setup) server.run({ ...c, id: `setup-${++n}` } as never);
  logs.length = 0;
  return { server, engine, logs, close: () => engine.close() };
}

const fingerprint = (s: ServerUnderTest) => JSON.stringify(s.engine.state);

/**
 * One input to the server, checked: an answer always comes; malformed input gets PAYLOAD_INVALID
 * (with the request id when it had a usable one); a command about unknown ids is refused with its
 * code; in both cases the state, the event log and the log level stay as they were.
 */
/** The error codes a request may be answered with (docs/mqtt.md): each says what was wrong. */
export const CLEAR_ERRORS: ReadonlySet<string> = new Set(['PAYLOAD_INVALID', 'FORBIDDEN', 'STATE_MOVED']);

export function checkServerInput(s: ServerUnderTest, input: FuzzInput): void {
  const before = fingerprint(s);
  const lastSeq = s.engine.log.lastSeq();
  const logged = s.logs.length;
  const a = s.server.handleRequest(T.request('fuzzer'), input.payload);
  if (!a) throw new Error('no answer');
  const res: Response = a.response;
  if (a.client !== 'fuzzer') throw new Error(`answer to ${a.client}`);
  // Refused by identity (src/bus/authorize.ts: a window no keypad of this agent is on, a staff-only
  // command) is as clear an answer as a schema error, and records nothing either.
  // STATE_MOVED: a well-formed state request for a part of a seq the server no longer holds (docs/mqtt.md, Paging).
  // Every error answer carries its Chinese (issue 13: FORBIDDEN had none).
  const clearError = (e: { code: string; message: string; messageZh?: string }) => CLEAR_ERRORS.has(e.code) && e.message.length > 0 && /[\u4e00-\u9fff]/.test(e.messageZh ?? '');
  if (input.kind === 'unknown-id') {
    if (res.status === 'error') {
      if (res.error.code !== 'FORBIDDEN' || !clearError(res.error)) throw new Error(`unknown-id command answered ${JSON.stringify(res)}`);
    } else {
      const outcome = (res.data as { outcome: { ok: boolean; code?: string } }).outcome;
      if (outcome.ok || !unrecordedRefusals.has(outcome.code as RejectionCode)) throw new Error(`unknown-id command: ${JSON.stringify(outcome)}`);
    }
  } else if (res.status === 'error') {
    if (!clearError(res.error)) throw new Error(`unclear error ${JSON.stringify(res.error)}`);
  } else {
    // A well-formed request the mangler happened to build: a command that ran (or whose refusal is
    // recorded) may move the state; reads (events, state, contact) and unknown-id refusals may not.
    const outcome = (res.data as { outcome?: { ok: boolean; code?: string } }).outcome;
    if (outcome && (outcome.ok || !unrecordedRefusals.has(outcome.code as RejectionCode))) return;
  }
  if (fingerprint(s) !== before) throw new Error(`state changed by ${input.kind} input`);
  if (s.engine.log.lastSeq() !== lastSeq) throw new Error(`event log grew on ${input.kind} input`);
  for (const r of s.logs.slice(logged)) if (r.level === 'error') throw new Error(`error logged: ${r.msg ?? ''}`);
}

export interface AgentUnderTest {
  link: AgentLink;
  logs: LogRecord[];
}

/** An agent link (not connected) whose replica holds the fuzz server's state. */
export function fuzzAgent(state: unknown): AgentUnderTest {
  const logs: LogRecord[] = [];
  const link = new AgentLink({ url: 'mqtt://127.0.0.1:1', hall: fuzzConfig.id, agentId: 'fuzz-agent' }, recordingLogger(logs));
  link.replica.load(JSON.parse(JSON.stringify(state)) as never);
  return { link, logs };
}

/** One message to the agent: never throws, never changes the replica (no garbage is a valid next event). */
export function checkAgentInput(a: AgentUnderTest, input: { topic: string; payload: Buffer }): void {
  const before = JSON.stringify(a.link.replica.state);
  const seq = a.link.replica.seq;
  a.link.handleMessage(input.topic, input.payload);
  if (JSON.stringify(a.link.replica.state) === before) return;
  // Only a well-formed next event may change it (what the server itself would send).
  const json = parseJson(input.payload);
  const e = json.ok ? eventSchema.safeParse(json.value) : undefined;
  if (input.topic === T.events && e?.success && e.data.seq === seq + 1) return;
  throw new Error(`replica changed by a message on ${input.topic}`);
}
