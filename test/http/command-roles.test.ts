import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wireCommandSchema } from '../../src/bus/command-schema.js';
import { staffCommands } from '../../src/server/auth/policy.js';
import { PIN, httpRig, type HttpRig } from './rig.js';

const json = { 'content-type': 'application/json' };

/** One valid body per wire command type, aimed at the staff member's own window 3 (so only the role can refuse). */
const bodies: Record<string, object> = {
  IssueTicket: { serviceId: 'social', delivery: 'none' },
  PrintConfirmed: { ticketId: '20261123-A001' },
  PrintFailed: { ticketId: '20261123-A001', reason: 'x' },
  ReturnNumbers: { serviceId: 'social', from: 1, to: 2 },
  CallNext: { window: 3 },
  CallTicket: { window: 3, ticketId: '20261123-A001' },
  Recall: { window: 3 },
  StartService: { window: 3 },
  Complete: { window: 3 },
  NoShow: { window: 3 },
  Transfer: { window: 3, toService: 'medical' },
  Cancel: { ticketId: '20261123-A001', reason: 'x' },
  OpenWindow: { window: 3, staffId: 's03' },
  PauseWindow: { window: 3, reason: 'x' },
  ResumeWindow: { window: 3 },
  CloseWindow: { window: 3 },
  TakeOver: { window: 3, staffId: 's03' },
  BookAppointment: { appointment: { id: 'ap1', serviceId: 'social', slotStart: 0, slotEnd: 1, person: { idHash: 'h'.repeat(16), idMasked: '3201**********1234' } } },
  CancelAppointment: { appointmentId: 'ap1' },
  ChangeAppointment: { appointmentId: 'ap1', serviceId: 'social', slotStart: 0, slotEnd: 1 },
  CheckIn: { appointmentId: 'ap1' },
  RequestRating: { window: 3 },
  Rate: { window: 3, grade: 'satisfied' },
  FollowUp: { ratingId: 'r1', note: 'x' },
  RaiseEmergency: { preset: 'fire' },
  ClearEmergency: {},
};
/** Refused for every sender over HTTP, by their own rule (not the role). */
const nobody = new Set(['Rate', 'PrintConfirmed', 'PrintFailed', 'ReturnNumbers']);

describe('HTTP commands: what no staff may send is refused by role, before the window rule (issue 13)', () => {
  let rig: HttpRig;
  beforeAll(async () => {
    rig = await httpRig();
  });
  afterAll(async () => {
    await rig.close();
  });

  it('every wire command type has a body here', () => {
    const types = wireCommandSchema.options.map((o) => ('shape' in o ? o.shape.type.value : (o as unknown as { def: { in: { shape: { type: { value: string } } } } }).def.in.shape.type.value));
    expect(Object.keys(bodies).sort()).toEqual([...new Set(types)].sort());
  });

  it('refuses staff signed in at their own open window with role-forbidden naming the manager, in en and zh', async () => {
    const s03 = await rig.signIn('s03', PIN['s03']!, 3);
    expect(rig.engine.state.windows['3']).toMatchObject({ status: 'open', staffId: 's03' });
    const seq = rig.engine.state.seq;
    const managerOnly = Object.keys(bodies).filter((t) => !nobody.has(t) && !staffCommands.has(t as never));
    expect(managerOnly).toEqual(expect.arrayContaining(['RaiseEmergency', 'ClearEmergency', 'FollowUp', 'OpenWindow', 'TakeOver', 'BookAppointment', 'CheckIn']));
    for (const type of managerOnly) {
      const r = await rig.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie: s03 }, payload: { id: `staff-${type}`, type, ...bodies[type] } });
      expect(r.statusCode, `${type}: ${r.body}`).toBe(403);
      const e = (r.json() as { error: { code: string; message: string; messageZh: string } }).error;
      expect(e.code, type).toBe('role-forbidden');
      expect(e.message).toMatch(/manager/);
      expect(e.messageZh).toMatch(/管理员/);
      expect(e.message).toContain(type);
    }
    expect(rig.engine.state.seq).toBe(seq);
    // What staff may send on their own window is not refused by role.
    for (const type of staffCommands) {
      const r = await rig.app.inject({ method: 'POST', url: '/api/commands', headers: { ...json, cookie: s03 }, payload: { id: `own-${type}`, type, ...bodies[type] } });
      expect((r.json() as { error?: { code: string } }).error?.code, type).not.toBe('role-forbidden');
    }
  });
});
