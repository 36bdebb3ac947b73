import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import type { Response } from '../../src/bus/messages.js';
import { HallEngine } from '../../src/server/engine.js';
import { MqttServer } from '../../src/server/mqtt-server.js';
import { fuzzAuthorize, fuzzConfig, FUZZ_NOW, T } from '../fuzz/mqtt-fuzz.js';

/**
 * issue 13: over MQTT, the server records on each kiosk ticket the agent whose request topic it came on
 * (never a payload field), and takes PrintConfirmed / PrintFailed of that ticket only from that agent.
 * 'fuzzer' and 'kiosk-1' both have kiosks. A log written before the record (tickets without it) still
 * loads, and its tickets settle from any kiosk agent.
 */
type Outcome = { ok: boolean; code?: string; detail?: string; ticketId?: string; message?: { zh: string; en: string } };

function server(db: string) {
  const logs: LogRecord[] = [];
  const engine = HallEngine.open(db, fuzzConfig, recordingLogger(logs), FUZZ_NOW);
  const mqtt = new MqttServer(engine, { url: 'mqtt://127.0.0.1:1', hall: fuzzConfig.id, clock: () => FUZZ_NOW, authorize: fuzzAuthorize }, recordingLogger(logs));
  let n = 0;
  const ask = (agent: string, command: Record<string, unknown>): Response => {
    const r = mqtt.handleRequest(T.request(agent), Buffer.from(JSON.stringify({ id: `r${++n}`, type: 'command', command })));
    if (!r) throw new Error('no answer');
    return r.response;
  };
  const outcome = (agent: string, command: Record<string, unknown>): Outcome => {
    const r = ask(agent, command);
    if (r.status !== 'ok') throw new Error(JSON.stringify(r));
    return (r.data as { outcome: Outcome }).outcome;
  };
  return { engine, ask, outcome, logs };
}

const dbPath = () => join(mkdtempSync(join(tmpdir(), 'hallq-print-agent-')), 'hall.db');

describe('a print is settled only by the agent whose kiosk issued the ticket', () => {
  it('recorded from the request topic; another kiosk agent is refused in both languages, the issuer taken', () => {
    const s = server(dbPath());
    try {
      const issued = s.outcome('kiosk-1', { id: 'i1', type: 'IssueTicket', serviceId: 'A', delivery: 'print' });
      const t = String(issued.ticketId);
      expect(s.engine.state.tickets[t]).toMatchObject({ status: 'issued', kioskAgent: 'kiosk-1' });
      const seq = s.engine.state.seq;
      for (const command of [
        { id: 'p1', type: 'PrintConfirmed', ticketId: t },
        { id: 'p2', type: 'PrintFailed', ticketId: t, reason: 'paper out' },
      ]) {
        const o = s.outcome('fuzzer', command);
        expect(o).toEqual({
          ok: false,
          code: 'print-other-kiosk',
          message: { en: 'Only the agent whose kiosk issued this ticket may say whether it printed', zh: '只有出此号的取号机可以确认其打印结果' },
          detail: `${t} was issued by agent kiosk-1`,
        });
      }
      expect(s.engine.state.seq).toBe(seq);
      expect(s.engine.state.tickets[t]?.status).toBe('issued');
      expect(s.outcome('kiosk-1', { id: 'p3', type: 'PrintConfirmed', ticketId: t })).toEqual({ ok: true, ticketId: t });
      expect(s.engine.state.tickets[t]?.status).toBe('waiting');
    } finally {
      s.engine.close();
    }
  });

  it('the identity is never read from the payload: a command carrying kioskAgent is refused as invalid', () => {
    const s = server(dbPath());
    try {
      const issued = s.outcome('kiosk-1', { id: 'i1', type: 'IssueTicket', serviceId: 'A', delivery: 'print' });
      const r = s.ask('fuzzer', { id: 'p1', type: 'PrintConfirmed', ticketId: String(issued.ticketId), kioskAgent: 'kiosk-1' });
      expect(r).toMatchObject({ status: 'error', error: { code: 'PAYLOAD_INVALID' } });
      expect(s.engine.state.tickets[String(issued.ticketId)]?.status).toBe('issued');
    } finally {
      s.engine.close();
    }
  });

  it('a log written before the record loads, and its issued tickets settle from any kiosk agent', () => {
    const db = dbPath();
    const before = HallEngine.open(db, fuzzConfig, recordingLogger([]), FUZZ_NOW);
    // What an older server appended: the issue without the kiosk's agent.
    const r = before.handle({ id: 'old-issue', type: 'IssueTicket', serviceId: 'A', delivery: 'print', source: 'kiosk' }, FUZZ_NOW);
    const t = r.outcome.ok ? String(r.outcome.ticketId) : '';
    before.close();
    const s = server(db);
    try {
      expect(s.engine.state.tickets[t]).toMatchObject({ status: 'issued' });
      expect(s.engine.state.tickets[t]).not.toHaveProperty('kioskAgent');
      expect(s.outcome('fuzzer', { id: 'p1', type: 'PrintConfirmed', ticketId: t })).toEqual({ ok: true, ticketId: t });
    } finally {
      s.engine.close();
    }
  });
});
