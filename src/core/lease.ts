import { ticketId, ticketNumber } from './decide-ticket.js';
import { accept, reject, type Decision } from './decision.js';
import type { CommandOf } from './commands.js';
import { serviceOf } from './hall.js';
import type { HallConfig } from './model.js';
import { own } from './own.js';
import type { HallState } from './state.js';

/**
 * Number leases (DESIGN §7, island mode): the server hands each agent with a kiosk a block of the
 * day's numbers per service ahead of need, so that agent can issue without the server. A leased
 * block moves the service's counter past it (NumbersLeased), so the server never issues those
 * numbers itself; the agent issues them in order, and an island ticket is an ordinary ticket of the
 * day whose number came from the block. Blocks end with the day (DayStarted clears them).
 */
export interface NumberLease {
  serviceId: string;
  /** First and last number of the block, inclusive (1…999, the number without its prefix). */
  from: number;
  to: number;
}

/** How big a block is and when the next one is leased. */
export interface LeasePolicy {
  /** Numbers per block (≥ 1). */
  size: number;
  /** A new block is leased when fewer than this many leased numbers are still free (≥ 1, ≤ size). */
  lowWater: number;
}

/** The highest number a service may reach today (three digits, and its daily quota). */
export function numberCap(config: HallConfig, serviceId: string): number {
  const s = serviceOf(config, serviceId);
  return s ? Math.min(999, s.dailyQuota) : 0;
}

/** The leases of one agent (today's). */
export function leasesOf(state: HallState, agentId: string): NumberLease[] {
  return own(state.leases ?? {}, agentId) ?? [];
}

/** Whether `n` of `serviceId` is already a ticket today (issued at a kiosk, an island or a desk). */
export function numberUsed(state: HallState, config: HallConfig, serviceId: string, n: number): boolean {
  const s = serviceOf(config, serviceId);
  return s !== undefined && own(state.tickets, ticketId(state.day, ticketNumber(s, n))) !== undefined;
}

/** The numbers of an agent's leases for a service not yet used by a ticket, in issuing order. */
export function freeLeased(state: HallState, agentId: string, serviceId: string): number[] {
  const config = state.config;
  if (!config) return [];
  const out: number[] = [];
  for (const l of leasesOf(state, agentId)) {
    if (l.serviceId !== serviceId) continue;
    for (let n = l.from; n <= l.to; n++) if (!numberUsed(state, config, serviceId, n)) out.push(n);
  }
  return out;
}

/** Who holds number `n` of a service today, if it is leased. */
export function leaseHolder(state: HallState, serviceId: string, n: number): string | undefined {
  for (const [agent, list] of Object.entries(state.leases ?? {})) {
    if (list.some((l) => l.serviceId === serviceId && n >= l.from && n <= l.to)) return agent;
  }
  return undefined;
}

/**
 * The blocks to lease now: for each agent with a kiosk and each service, one block when its free
 * leased numbers fell below the low-water mark and the service still has numbers left today: at most
 * `policy.size`, and at most the numbers left ÷ (kiosk agents + 1), so the kiosks online keep a share.
 */
export function leasesNeeded(state: HallState, kioskAgents: readonly string[], policy: LeasePolicy): { agentId: string; serviceId: string; count: number }[] {
  const config = state.config;
  if (!config || state.day === '') return [];
  const out: { agentId: string; serviceId: string; count: number }[] = [];
  for (const agentId of kioskAgents) {
    for (const s of config.services) {
      if (freeLeased(state, agentId, s.id).length >= policy.lowWater) continue;
      const left = numberCap(config, s.id) - (own(state.counters, s.id) ?? 0);
      // At most its share of what is left, one share kept for issuing online: a leased number counts
      // against the quota until the day ends, so a block the size of a small quota (the tryout: 10 of
      // a quota of 3) refused every citizen online all day for an island that might never come.
      const share = Math.floor(left / (kioskAgents.length + 1));
      if (share <= 0) continue;
      out.push({ agentId, serviceId: s.id, count: Math.min(policy.size, share) });
    }
  }
  return out;
}

/** LeaseNumbers: the next `count` numbers of the day go to one agent (the server's own command). */
export function decideLease(state: HallState, config: HallConfig, cmd: CommandOf<'LeaseNumbers'>): Decision {
  if (!serviceOf(config, cmd.serviceId)) return reject('unknown-service', cmd.serviceId);
  if (!Number.isInteger(cmd.count) || cmd.count < 1) return reject('invalid-command', 'count must be a positive integer');
  const from = (own(state.counters, cmd.serviceId) ?? 0) + 1;
  const to = Math.min(from + cmd.count - 1, numberCap(config, cmd.serviceId));
  if (to < from) return reject('quota-reached');
  return accept([{ type: 'NumbersLeased', agentId: cmd.agentId, serviceId: cmd.serviceId, from, to }]);
}

/**
 * The number an island issue may take: the one it chose, when that number is in a lease of its
 * agent and no ticket holds it yet. Anything else (not leased to it, already used elsewhere) is
 * `undefined`, and the ticket is issued with the next number of the day instead (the number
 * conflict rule, README "Island mode").
 */
export function islandNumber(state: HallState, config: HallConfig, serviceId: string, leased: { agentId: string; number: number }): number | undefined {
  if (leaseHolder(state, serviceId, leased.number) !== leased.agentId) return undefined;
  if (numberUsed(state, config, serviceId, leased.number)) return undefined;
  return leased.number;
}
