import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Request } from '../../src/bus/messages.js';
import { agentEntrySchema } from '../../src/config/schema.js';
import { requestAuthorizer } from '../../src/bus/authorize.js';

const line = (keypads: { window: number; address: number; role?: 'caller' | 'rating' | 'both' }[]) => ({ path: '/dev/x', keypads });
const agents = [
  agentEntrySchema.parse({ id: 'kiosk-1', kiosk: {} }),
  agentEntrySchema.parse({ id: 'caller-3', devices: { rs485: [line([{ window: 3, address: 3, role: 'caller' }])] } }),
  agentEntrySchema.parse({ id: 'rating-3', devices: { rs485: [line([{ window: 3, address: 9, role: 'rating' }])] } }),
  agentEntrySchema.parse({ id: 'both-5', devices: { rs485: [line([{ window: 5, address: 5 }])] } }),
];
const authorize = requestAuthorizer(agents);
const cmd = (command: Record<string, unknown>): Request => ({ id: 'r', type: 'command', command: { id: 'c', ...command } as never });

type Cmd = { type: string } & Record<string, unknown>;
const KIOSK: Cmd[] = [{ type: 'IssueTicket', serviceId: 'A' }, { type: 'PrintConfirmed', ticketId: 't' }, { type: 'PrintFailed', ticketId: 't', reason: 'x' }, { type: 'CheckIn', idHash: 'h' }];
const WINDOW: Cmd[] = ['CallNext', 'Recall', 'StartService', 'Complete', 'NoShow', 'ResumeWindow', 'CloseWindow', 'RequestRating'].map((type) => ({ type, window: 3 }));
const WINDOW_MORE: Cmd[] = [{ type: 'CallTicket', window: 3, ticketId: 't' }, { type: 'Transfer', window: 3, toService: 'B' }, { type: 'PauseWindow', window: 3, reason: 'x' }, { type: 'TakeOver', window: 3, staffId: 's' }, { type: 'OpenWindow', window: 3, staffId: 's' }];
const STAFF: Cmd[] = [{ type: 'Cancel', ticketId: 't', reason: 'x' }, { type: 'FollowUp', ratingId: 'R', note: 'n' }, { type: 'BookAppointment', appointment: {} }, { type: 'CancelAppointment', appointmentId: 'a' }];

const verdict = (client: string, c: Record<string, unknown>) => {
  const r = authorize(client, cmd(c));
  return r.ok ? ((r.request as { command: { source: string } }).command.source) : r.error.code;
};

describe('per-agent authorization of MQTT requests', () => {
  it('lets kiosk commands and contact numbers come only from an agent with a kiosk, stamped source kiosk', () => {
    for (const c of KIOSK) {
      expect(verdict('kiosk-1', { ...c, source: 'admin' }), c.type).toBe('kiosk');
      for (const other of ['caller-3', 'rating-3', 'both-5']) expect(verdict(other, c), `${other} ${c.type}`).toBe('FORBIDDEN');
    }
    expect(authorize('kiosk-1', { id: 'r', type: 'contact', ticketId: 't', phone: '13900000000' }).ok).toBe(true);
    expect(authorize('both-5', { id: 'r', type: 'contact', ticketId: 't', phone: '13900000000' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' }, log: { rule: 'kiosk-only' } });
  });

  it("lets window commands come only from the agent with that window's caller keypad, stamped caller-keypad", () => {
    for (const c of [...WINDOW, ...WINDOW_MORE]) {
      expect(verdict('caller-3', c), c.type).toBe('caller-keypad');
      for (const other of ['kiosk-1', 'rating-3', 'both-5']) expect(verdict(other, c), `${other} ${c.type}`).toBe('FORBIDDEN');
      expect(verdict('both-5', { ...c, window: 5 }), c.type).toBe('caller-keypad');
    }
  });

  it("lets a rating come only from the agent with that window's rating keypad, stamped rating-device", () => {
    const rate = { type: 'Rate', window: 3, grade: 'basic', source: 'kiosk' };
    expect(verdict('rating-3', rate)).toBe('rating-device');
    for (const other of ['kiosk-1', 'caller-3', 'both-5']) expect(verdict(other, { ...rate, source: 'rating-device' }), other).toBe('FORBIDDEN');
    expect(verdict('both-5', { ...rate, window: 5 })).toBe('rating-device');
  });

  it('never lets an agent send staff commands, and refuses every request of an unknown id', () => {
    for (const c of STAFF) for (const a of agents) expect(verdict(a.id, c), `${a.id} ${c.type}`).toBe('FORBIDDEN');
    for (const id of ['intruder', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(authorize(id, { id: 'r', type: 'state' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' }, log: { rule: 'unknown-agent' } });
    }
    for (const a of agents) expect(authorize(a.id, { id: 'r', type: 'events', after: 0 }).ok).toBe(true);
  });

  it('names the rule in a refusal and logs no payload values', () => {
    const r = authorize('kiosk-1', cmd({ type: 'PauseWindow', window: 3, reason: '张丽华 13912345678' }));
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('caller keypad of window 3') as string }, log: { client: 'kiosk-1', request: 'command', command: 'PauseWindow', window: 3, rule: 'caller-keypad-only' } });
    expect(JSON.stringify(r.ok ? {} : r.log)).not.toContain('张丽华');
  });

  it('whatever source the sender writes, an allowed command carries the one its rule gives', () => {
    const sources = ['kiosk', 'caller-keypad', 'rating-device', 'soft-caller', 'admin', 'system', undefined];
    fc.assert(
      fc.property(fc.constantFrom(...sources), fc.constantFrom(...KIOSK, ...WINDOW, ...WINDOW_MORE), (source, c) => {
        const client = KIOSK.includes(c) ? 'kiosk-1' : 'caller-3';
        expect(verdict(client, { ...c, ...(source ? { source } : {}) })).toBe(KIOSK.includes(c) ? 'kiosk' : 'caller-keypad');
      }),
    );
  });
});

describe('island replays by the hall acting agent (README "Island mode")', () => {
  const island = (client: string, command: Record<string, unknown>, forAgent?: string) =>
    authorize(client, { id: 'r', type: 'island', command: { id: 'c', ...command } as never, ...(forAgent ? { for: forAgent } : {}) });
  it('allows an action for another agent only as that agent could send it, and only for an agent of the hall', () => {
    // caller-3 replays what it decided for both-5's keypad at window 5, and for kiosk-1's kiosk.
    expect(island('caller-3', { type: 'CallNext', window: 5 }, 'both-5').ok).toBe(true);
    expect(island('caller-3', { type: 'IssueTicket', serviceId: 'A' }, 'kiosk-1').ok).toBe(true);
    // Not that agent's device, not an agent of the hall, staff-only: refused.
    expect(island('caller-3', { type: 'CallNext', window: 3 }, 'both-5').ok).toBe(false);
    expect(island('caller-3', { type: 'IssueTicket', serviceId: 'A' }, 'both-5').ok).toBe(false);
    expect(island('caller-3', { type: 'CallNext', window: 5 }, 'ghost-9').ok).toBe(false);
    expect(island('caller-3', { type: 'Cancel', ticketId: 't', reason: 'x' }, 'kiosk-1').ok).toBe(false);
    // An unknown sender cannot act for anyone.
    expect(island('ghost-9', { type: 'CallNext', window: 5 }, 'both-5').ok).toBe(false);
  });
});
