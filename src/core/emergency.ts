import type { CommandOf } from './commands.js';
import { accept, reject, type Decision } from './decision.js';
import type { Lang } from './model.js';
import type { EmergencyKind, HallState } from './state.js';
import { maskNumbersInText } from './mask.js';

/**
 * Emergency notices (DB22/T 2871.4 §11.6): a manager raises an emergency or evacuation notice with a
 * preset or free text; while it is in force every screen shows it, the voice repeats it and the
 * kiosk issues no tickets (decide-ticket.ts asks `issuingHalted`). Clearing it restores the hall.
 */
export interface EmergencyPreset {
  kind: EmergencyKind;
  text: Lang;
}

/** The presets a manager picks from (the text is what screens show and the voice reads). */
export const emergencyPresets = {
  fire: { kind: 'evacuation', text: { zh: '发生火警，请保持冷静，听从工作人员指挥，沿疏散指示有序撤离', en: 'Fire alarm: stay calm, follow the staff and the exit signs out of the hall' } },
  evacuate: { kind: 'evacuation', text: { zh: '因突发情况，请听从工作人员指挥，有序撤离大厅', en: 'Please leave the hall calmly, as the staff direct' } },
  suspend: { kind: 'emergency', text: { zh: '因突发情况，大厅暂停办理业务，请听从工作人员安排', en: 'Service is suspended for now; please follow the staff' } },
  power: { kind: 'emergency', text: { zh: '因系统故障，暂停取号叫号，请耐心等候', en: 'A system fault stops ticketing and calling for now; please wait' } },
} as const satisfies Record<string, EmergencyPreset>;

export type EmergencyPresetId = keyof typeof emergencyPresets;

/** Longest notice text (screens scroll it; the voice reads it). */
export const EMERGENCY_TEXT_MAX = 200;

export function emergencyPresetOf(id: string): EmergencyPreset | undefined {
  return Object.hasOwn(emergencyPresets, id) ? emergencyPresets[id as EmergencyPresetId] : undefined;
}

/** Issuing (a new ticket, an appointment check-in) stops while a notice is in force. */
export function issuingHalted(state: HallState): boolean {
  return state.emergency !== undefined;
}

export function decideRaiseEmergency(cmd: CommandOf<'RaiseEmergency'>): Decision {
  const preset = cmd.preset === undefined ? undefined : emergencyPresetOf(cmd.preset);
  if (cmd.preset !== undefined && !preset) return reject('unknown-preset', cmd.preset);
  // Control characters would upset the screens' controllers; the text is what staff typed, kept short.
  // Shown on every screen and public page and read aloud: a number typed into it is masked (DESIGN §8).
  const own = maskNumbersInText((cmd.text ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim());
  const text = own !== '' ? own : (preset?.text.zh ?? '');
  if (text === '' || [...text].length > EMERGENCY_TEXT_MAX) return reject('emergency-text');
  const kind = cmd.kind ?? preset?.kind ?? 'emergency';
  return accept([
    { type: 'EmergencyRaised', kind, text, ...(cmd.preset === undefined ? {} : { preset: cmd.preset }), ...(cmd.staffId === undefined ? {} : { staffId: cmd.staffId }) },
  ]);
}

export function decideClearEmergency(state: HallState, cmd: CommandOf<'ClearEmergency'>): Decision {
  if (!state.emergency) return reject('emergency-none');
  return accept([{ type: 'EmergencyCleared', ...(cmd.staffId === undefined ? {} : { staffId: cmd.staffId }) }]);
}
