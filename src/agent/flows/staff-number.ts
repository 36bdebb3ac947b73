import type { StaffDef } from '../../core/index.js';

/**
 * The staff member a number typed on a caller keypad names: their id, or their place in the hall's staff
 * list (1-based); undefined when nobody has it (the caller flow refuses it with `unknown-staff`). One rule
 * for the agent's caller flow and for the demo console, which tells its own login from another by it.
 */
export function staffByNumber(staff: readonly StaffDef[], n: string): string | undefined {
  return staff.find((s) => s.id === n)?.id ?? staff[Number(n) - 1]?.id;
}
