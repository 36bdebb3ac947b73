import type { HallConfig, Policy, ServiceDef, WindowDef } from './model.js';
import type { HallState, Ticket, WindowState } from './state.js';

/** Small look-ups over the configured hall. */

export function serviceOf(config: HallConfig, id: string): ServiceDef | undefined {
  return config.services.find((s) => s.id === id);
}

export function windowDefOf(config: HallConfig, id: number): WindowDef | undefined {
  return config.windows.find((w) => w.id === id);
}

export function windowStateOf(state: HallState, id: number): WindowState | undefined {
  return state.windows[String(id)];
}

/** The tier at which a window serves a service, or -1. */
export function tierOf(win: WindowDef, serviceId: string): number {
  return win.tiers.findIndex((tier) => tier.includes(serviceId));
}

/** Windows with the same tiers form a pool: they call in the same order and share the interleave. */
export function poolOf(win: WindowDef): string {
  return win.tiers.map((t) => t.join(',')).join('|');
}

export function canServe(win: WindowDef, t: Pick<Ticket, 'serviceId' | 'targetWindow'>): boolean {
  return tierOf(win, t.serviceId) >= 0 && (t.targetWindow === undefined || t.targetWindow === win.id);
}

export function isOpen(state: HallState, id: number): boolean {
  return state.windows[String(id)]?.status === 'open';
}

export function policyOf(state: HallState): Policy {
  if (!state.config) throw new Error('core used before HallConfigured');
  return state.config.policy;
}

export function ticketsWhere(state: HallState, pred: (t: Ticket) => boolean): Ticket[] {
  return Object.values(state.tickets).filter(pred);
}
