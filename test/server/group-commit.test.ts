import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { HallqError } from '../../drivers/common/error.js';
import { epochOf, queueView, windowView, type Command, type HallConfig, type HallEvent, type HallState, type Outcome } from '../../src/core/index.js';
import { topics } from '../../src/bus/topics.js';
import { HallEngine, type Handled } from '../../src/server/engine.js';
import { MqttServer } from '../../src/server/mqtt-server.js';
import { allDayHall } from '../helpers/all-day-hall.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { hallConfig, monday, type DistributiveOmit } from '../core/fixtures.js';

/**
 * Group commit (issue 12): HallEngine.handleBatch runs several commands and appends them in one
 * transaction. Whatever the grouping, the outcomes, the events, the log and the state must be those
 * of the same commands handled one by one; a batch whose append fails acknowledges none of them.
 */

const dir = mkdtempSync(join(tmpdir(), 'hallq-group-commit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const config: HallConfig = hallConfig({
  windows: [
    { id: 1, kind: 'general', tiers: [['A', 'B']] },
    { id: 2, kind: 'domain', tiers: [['B'], ['A']] },
    { id: 3, kind: 'domain', tiers: [['A'], ['B']] },
  ],
});
const open = (start: number) => HallEngine.open(join(dir, `hall-${++files}.db`), config, silentLogger, start);

type Cmd = DistributiveOmit<Command, 'id'>;
type Action =
  | { k: 'issue'; service: string; print: boolean; priority: boolean }
  | { k: 'window'; type: 'OpenWindow' | 'CallNext' | 'Complete' | 'NoShow' | 'CloseWindow'; window: number }
  | { k: 'confirm'; pick: number }
  /** The same id as an earlier command (a client's resend), maybe in the same batch. */
  | { k: 'repeat'; back: number }
  /** Refused without a record (unknown ticket): remembered in memory only. */
  | { k: 'unknown' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ k: fc.constant('issue' as const), service: fc.constantFrom('A', 'B', 'Z'), print: fc.boolean(), priority: fc.boolean() }) },
  { weight: 8, arbitrary: fc.record({ k: fc.constant('window' as const), type: fc.constantFrom('OpenWindow' as const, 'CallNext' as const, 'Complete' as const, 'NoShow' as const, 'CloseWindow' as const), window: fc.constantFrom(1, 2, 3) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('confirm' as const), pick: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('repeat' as const), back: fc.nat(6) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('unknown' as const) }) },
);

function commandOf(state: HallState, a: Action, n: number, sent: Command[]): Command {
  const id = `g${n}`;
  const body = ((): Cmd => {
    switch (a.k) {
      case 'issue':
        return { type: 'IssueTicket', serviceId: a.service, delivery: a.print ? 'print' : 'none', ...(a.priority ? { priority: true } : {}) };
      case 'window':
        return a.type === 'OpenWindow' ? { type: 'OpenWindow', window: a.window, staffId: `s${a.window}` } : { type: a.type, window: a.window };
      case 'confirm': {
        const issued = Object.values(state.tickets).filter((t) => t.status === 'issued');
        return { type: 'PrintConfirmed', ticketId: issued[a.pick % Math.max(1, issued.length)]?.id ?? 'none' };
      }
      case 'unknown':
        return { type: 'PrintConfirmed', ticketId: 'no-such-ticket' };
      case 'repeat':
        return { type: 'CallNext', window: 1 };
    }
  })();
  const earlier = a.k === 'repeat' ? sent[sent.length - 1 - (a.back % Math.max(1, sent.length))] : undefined;
  return earlier ?? ({ id, ...body } as Command);
}

/** What a caller sees of a result; errors by code. */
const seen = (r: Handled | HallqError) => (r instanceof HallqError ? { error: r.code } : r);

describe('HallEngine.handleBatch (group commit)', () => {
  it('gives the outcomes, events, log and state of the same commands handled one by one, whatever the grouping', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(actionArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 15 })), { minLength: 1, maxLength: 12 }), (batches) => {
        let now = monday('09:00');
        const one = open(now);
        const grouped = open(now);
        const heard: { one: HallEvent[]; grouped: HallEvent[] } = { one: [], grouped: [] };
        one.onAppended((es) => heard.one.push(...es));
        grouped.onAppended((es) => heard.grouped.push(...es));
        const sent: Command[] = [];
        let n = 0;
        try {
          for (const [actions, minutes] of batches) {
            now += minutes * 60_000;
            // Each command is made from the state the one-by-one engine has when it runs: the grouped
            // engine must reach the same state command by command inside its batch.
            const cmds: Command[] = [];
            const singles: ReturnType<typeof seen>[] = [];
            for (const a of actions) {
              const cmd = commandOf(one.state, a, ++n, sent);
              cmds.push(cmd);
              sent.push(cmd);
              singles.push(seen(one.handle(cmd, now)));
            }
            expect(grouped.handleBatch(cmds, now).map(seen)).toEqual(singles);
            expect(grouped.state).toEqual(one.state);
          }
          expect(grouped.log.read(0)).toEqual(one.log.read(0));
          for (const c of sent) expect(grouped.log.commandOutcome(c.id)).toEqual(one.log.commandOutcome(c.id));
          expect(heard.grouped).toEqual(heard.one);
        } finally {
          one.close();
          grouped.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('acknowledges none of a batch whose append fails, keeps the state to what is durable, and runs the next batch', () => {
    const now = monday('09:00');
    const engine = open(now);
    try {
      engine.handle({ id: 'open-1', type: 'OpenWindow', window: 1, staffId: 's1' }, now);
      const before = engine.log.lastSeq();
      const stateBefore = structuredClone(engine.state);
      // A trigger stands in for a disk that fails inside the transaction, at the batch's third command.
      const raw = new Database(engine.log.path);
      raw.exec(`CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.command_id = 'poison' BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
      const batch: Command[] = [
        { id: 'ok-1', type: 'IssueTicket', serviceId: 'A', delivery: 'none' },
        { id: 'ok-2', type: 'IssueTicket', serviceId: 'B', delivery: 'none' },
        { id: 'poison', type: 'IssueTicket', serviceId: 'A', delivery: 'none' },
        { id: 'ok-3', type: 'CallNext', window: 1 },
      ];
      let heard = 0;
      engine.onAppended(() => heard++);
      const results = engine.handleBatch(batch, now);
      // Every command of the batch gets the store's error (the code storeError gives an aborted insert), none an outcome.
      expect(results).toHaveLength(4);
      expect(new Set(results.map((r) => (r instanceof HallqError ? r.code : 'answered')))).toEqual(new Set([(results[0] as HallqError).code]));
      expect(results[0]).toBeInstanceOf(HallqError);
      expect(heard).toBe(0);
      expect(engine.log.lastSeq()).toBe(before);
      for (const c of batch) expect(engine.log.commandOutcome(c.id)).toBeUndefined();
      expect(engine.state).toEqual(stateBefore);

      raw.exec('DROP TRIGGER poison');
      raw.close();
      // The same commands again (a client's resend) now go through, numbered as if the failed batch never was.
      const again = engine.handleBatch(batch, now);
      expect(again.every((r) => !(r instanceof HallqError) && r.outcome.ok && !r.duplicate)).toBe(true);
      const first = again[0];
      const ticketId = first && !(first instanceof HallqError) && first.outcome.ok ? first.outcome.ticketId : undefined;
      expect(engine.state.tickets[ticketId ?? '']?.number).toBe('A001');
      expect(heard).toBe(1);
    } finally {
      engine.close();
    }
  });
});

describe('group commit over MQTT (real Mosquitto)', () => {
  const hall = allDayHall('batch-hall', { zh: '批量大厅', en: 'Batch hall' }, 4);
  const T = topics(hall.id);

  async function rig() {
    const broker = await startMosquitto();
    const base = epochOf('2026-11-23', 600, 480);
    const engine = HallEngine.open(join(dir, `mqtt-${++files}.db`), hall, silentLogger, base);
    const server = new MqttServer(engine, { url: broker.url, hall: hall.id, clock: () => base, authorize: (_c, request) => ({ ok: true, request }) }, silentLogger);
    await server.start();
    // Each commit, as the log sees it: how many commands it held.
    const commits: number[] = [];
    const appendBatch = engine.log.appendBatch.bind(engine.log);
    engine.log.appendBatch = (batch) => {
      appendBatch(batch);
      commits.push(batch.length);
    };
    const client: MqttClient = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'batch-test', clean: true });
    const answers = new Map<string, (r: { status: string; data?: { outcome: Outcome; seq: number } }) => void>();
    // What the log held when each answer arrived: an answer before its commit would find nothing.
    const durableAtAnswer = new Map<string, unknown>();
    const retained = new Map<string, unknown>();
    client.on('message', (topic, payload) => {
      if (topic !== T.response('batch')) return void retained.set(topic, JSON.parse(payload.toString()));
      const r = JSON.parse(payload.toString()) as { id: string; status: string; data?: { outcome: Outcome; seq: number } };
      durableAtAnswer.set(r.id, engine.log.commandOutcome(`cmd-${r.id}`));
      answers.get(r.id)?.(r);
    });
    await client.subscribeAsync([T.response('batch'), T.queueState, T.windowStateAll], { qos: 1 });
    const request = (id: string, command: Record<string, unknown>) => ({ id, type: 'command', command: { ...command, id: `cmd-${id}` } });
    const answer = (id: string) => new Promise<{ status: string; data?: { outcome: Outcome; seq: number } }>((resolve) => answers.set(id, resolve));
    return {
      engine,
      server,
      client,
      commits,
      durableAtAnswer,
      retained,
      request,
      answer,
      stop: async () => {
        await client.endAsync();
        await server.stop();
        engine.close();
        await broker.stop();
      },
    };
  }

  it('runs requests that arrive together as one commit and answers each only once it is durable', async () => {
    const r = await rig();
    try {
      const open = r.answer('open');
      r.client.publish(T.request('batch'), JSON.stringify(r.request('open', { type: 'OpenWindow', window: 1, staffId: 's1' })), { qos: 1 });
      expect((await open).status).toBe('ok');
      const before = r.commits.length;
      // Ten requests handed to the server in one turn of its event loop, as one read of the socket gives them.
      const ids = Array.from({ length: 10 }, (_, i) => `b${i}`);
      const answered = ids.map((id) => r.answer(id));
      const serverClient = (r.server as unknown as { client: MqttClient }).client;
      ids.forEach((id, i) => {
        const payload = Buffer.from(JSON.stringify(r.request(id, i % 3 === 2 ? { type: 'CallNext', window: 1 } : { type: 'IssueTicket', serviceId: 'A', delivery: 'none' })));
        serverClient.emit('message', T.request('batch'), payload, { cmd: 'publish', topic: T.request('batch'), payload, qos: 1, dup: false, retain: false });
      });
      const results = await Promise.all(answered);
      expect(r.commits.slice(before)).toEqual([10]);
      results.forEach((res, i) => {
        expect(res.status).toBe('ok');
        // The answer's outcome is the one the log held when the answer arrived.
        expect(r.durableAtAnswer.get(ids[i] ?? '')).toEqual(res.data?.outcome);
      });
    } finally {
      await r.stop();
    }
  });

  it('answers every request of a burst over the broker after its commit, and leaves the retained views current', async () => {
    const r = await rig();
    try {
      const ids = Array.from({ length: 60 }, (_, i) => `p${i}`);
      const answered = ids.map((id) => r.answer(id));
      const commands = ids.map((id, i) => r.request(id, i < 4 ? { type: 'OpenWindow', window: i + 1, staffId: `s${i + 1}` } : i % 4 === 0 ? { type: 'CallNext', window: (i % 4) + 1 } : { type: 'IssueTicket', serviceId: i % 2 ? 'A' : 'B', delivery: 'none' }));
      for (const c of commands) r.client.publish(T.request('batch'), JSON.stringify(c), { qos: 1 });
      const results = await Promise.all(answered);
      results.forEach((res, i) => {
        expect(res.status).toBe('ok');
        expect(res.data?.outcome.ok).toBe(true);
        expect(r.durableAtAnswer.get(ids[i] ?? '')).toEqual(res.data?.outcome);
      });
      expect(r.commits.reduce((a, b) => a + b, 0)).toBe(60);
      // Views are sent only when changed, so the last one sent must be the current one.
      const ping = r.answer('ping');
      r.client.publish(T.request('batch'), JSON.stringify({ id: 'ping', type: 'events', after: r.engine.state.seq }), { qos: 1 });
      await ping;
      expect(r.retained.get(T.queueState)).toEqual(JSON.parse(JSON.stringify(queueView(r.engine.state))));
      // A window whose waiting count alone changed is sent within WAITING_ONLY_MS (window-view-pacer.ts): wait for those sends.
      const current = () => hall.windows.every((w) => JSON.stringify(r.retained.get(T.windowState(w.id))) === JSON.stringify(windowView(r.engine.state, w.id)));
      if (!current()) {
        await new Promise<void>((resolve, reject) => {
          const bound = setTimeout(() => reject(new Error(`window views not current within 5 s: ${JSON.stringify([...r.retained])}`)), 5000);
          r.client.on('message', () => {
            if (!current()) return;
            clearTimeout(bound);
            resolve();
          });
        });
      }
      for (const w of hall.windows) expect(r.retained.get(T.windowState(w.id))).toEqual(JSON.parse(JSON.stringify(windowView(r.engine.state, w.id))));
    } finally {
      await r.stop();
    }
  });
});
