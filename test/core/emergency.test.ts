import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emergencyPresets, emptyState, replayInto } from '../../src/core/index.js';
import { Hall } from './fixtures.js';

describe('emergency notices (DB22/T 2871.4 §11.6)', () => {
  it('a preset raises its text; the kiosk issues nothing (in Chinese) and checks nobody in; clearing restores', () => {
    const h = new Hall();
    h.open(1);
    const before = h.issue('A');
    h.ok({ type: 'RaiseEmergency', preset: 'fire', staffId: 'm1' });
    expect(h.events('EmergencyRaised')[0]).toMatchObject({ kind: 'evacuation', text: emergencyPresets.fire.text.zh, preset: 'fire', staffId: 'm1' });
    expect(h.state.emergency).toMatchObject({ kind: 'evacuation', text: emergencyPresets.fire.text.zh });
    const refused = h.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'print' });
    expect(refused.outcome).toMatchObject({ ok: false, code: 'emergency', message: { zh: '大厅处于紧急状态，暂停取号，请听从工作人员指引' } });
    expect(h.run({ type: 'CheckIn', appointmentId: 'x' }).outcome).toMatchObject({ code: 'emergency' });
    // Tickets already issued keep their place; calling goes on (staff decide).
    expect(h.callNext(1)).toBe(before);
    h.ok({ type: 'ClearEmergency' });
    expect(h.state.emergency).toBeUndefined();
    h.issue('A');
    expect(h.run({ type: 'ClearEmergency' }).outcome).toMatchObject({ code: 'emergency-none' });
  });

  it('free text wins over a preset and is cleaned; no text, a long text or an unknown preset is refused', () => {
    const h = new Hall();
    h.ok({ type: 'RaiseEmergency', kind: 'emergency', text: ' 请暂停\u0007办理 ' });
    expect(h.state.emergency?.text).toBe('请暂停 办理');
    h.ok({ type: 'RaiseEmergency', preset: 'suspend', text: '新的通知' });
    expect(h.state.emergency).toMatchObject({ text: '新的通知', kind: 'emergency' });
    expect(h.run({ type: 'RaiseEmergency', text: '  ' }).outcome).toMatchObject({ code: 'emergency-text' });
    expect(h.run({ type: 'RaiseEmergency', text: '火'.repeat(201) }).outcome).toMatchObject({ code: 'emergency-text' });
    expect(h.run({ type: 'RaiseEmergency', preset: 'constructor' }).outcome).toMatchObject({ code: 'unknown-preset' });
  });

  it('property: tickets are issued exactly while no notice is in force, and a replay rebuilds the notice', () => {
    const step = fc.constantFrom('raise', 'clear', 'issue', 'day');
    fc.assert(
      fc.property(fc.array(step, { maxLength: 20 }), (steps) => {
        const h = new Hall();
        let raised = false;
        for (const s of steps) {
          if (s === 'raise') {
            h.ok({ type: 'RaiseEmergency', preset: 'evacuate' });
            raised = true;
          } else if (s === 'clear') {
            expect(h.run({ type: 'ClearEmergency' }).outcome.ok).toBe(raised);
            raised = false;
          } else if (s === 'day') {
            h.advance(24 * 60);
            h.ok({ type: 'Tick' });
          } else {
            const r = h.run({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
            if (raised) expect(r.outcome).toMatchObject({ code: 'emergency' });
            else if (!r.outcome.ok) expect(r.outcome.code).not.toBe('emergency');
          }
          expect(h.state.emergency !== undefined).toBe(raised);
        }
        expect(replayInto(emptyState(), h.log).emergency).toEqual(h.state.emergency);
      }),
      { numRuns: 200 },
    );
  });
});
