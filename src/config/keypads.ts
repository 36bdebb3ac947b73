import type { AgentEntry } from './schema.js';

// Apart from the agent checks (agents.ts builds zod schemas): the server's request authorizer reads this
// without importing them (issue 12).

/** Windows whose keypad of a role (caller, rating) is on an agent's RS-485 lines. */
export function keypadWindows(a: AgentEntry, role: 'caller' | 'rating'): number[] {
  return a.devices.rs485.flatMap((l) => l.keypads.filter((k) => k.role === role || k.role === 'both').map((k) => k.window));
}
