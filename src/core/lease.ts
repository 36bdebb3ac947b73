import { ticketId, ticketNumber } from './decide-ticket.js';
import { accept, reject, type Decision } from './decision.js';
import type { CommandOf } from './commands.js';
import { issuedPerService, serviceOf } from './hall.js';
import type { HallConfig, ServiceDef } from './model.js';
import { own } from './own.js';
import type { HallState } from './state.js';

/**
 * Number leases (DESIGN §7, island mode): the server hands each agent with a kiosk a block of the
 * day's numbers per service ahead of need, so that agent can issue without the server. A leased
 * block moves the service's counter past it (NumbersLeased), so the server never issues those
 * numbers itself; the agent issues them in order, and an island ticket is an ordinary ticket of the
 * day whose number came from the block. Blocks end with the day (DayStarted clears them).
 *
 * The quota (DESIGN §5 "quota per day"; README "Daily quota and number leases") counts tickets, not
 * numbers: `issuedToday` (every ticket issued for the service today, online or returned from an
 * island) plus `reservedToday` (numbers leased and not yet a ticket, which an island may issue without
 * asking) never passes the cap. So a lease takes only the room the quota has left, an online issue is
 * refused only when issued + reserved reach the cap, an island issue from its own reserve is always
 * within it, and a reserve beyond its agent's share of what is left goes back (`numbersToReturn`,
 * ReturnNumbers → NumbersReturned) so the last tickets of the day are issued online, not held.
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

/**
 * The most tickets a walk-in issue may bring a service to today: its daily quota, and never more
 * than 999 (three digits: each ticket of the day holds its own number). Appointment check-ins are
 * held to 999 only (their booking allowed them), but count as issued for the walk-ins after them.
 */
export function numberCap(config: HallConfig, serviceId: string): number {
  const s = serviceOf(config, serviceId);
  return s ? Math.min(999, s.dailyQuota) : 0;
}

/** Tickets issued today for a service (whatever became of them; hall.ts issuedPerService, as the reports count). */
export function issuedToday(state: HallState, serviceId: string): number {
  return issuedPerService(state).get(serviceId) ?? 0;
}

/** Numbers of a service leased today to any agent and not yet a ticket: what islands may still issue without asking. */
export function reservedToday(state: HallState, serviceId: string): number {
  let n = 0;
  for (const agentId of Object.keys(state.leases ?? {})) n += freeLeased(state, agentId, serviceId).length;
  return n;
}

/**
 * The tickets a service may still issue online today up to `cap`, outside the reserves: cap − issued −
 * reserved. An online issue is refused when it is 0; a lease never takes more than it.
 */
export function quotaRoom(state: HallState, serviceId: string, cap: number): number {
  return cap - issuedToday(state, serviceId) - reservedToday(state, serviceId);
}

/**
 * The number an online issue (or a renumbered island one) takes: the one after the counter, which has
 * moved past every leased block (so numbers mostly rise through the day, a block's numbers skipped);
 * once the counter reached 999, the lowest number no ticket holds and no lease keeps (numbers given
 * back by a lease), so the 999th ticket of a day is never refused for a number held unused.
 */
export function nextNumber(state: HallState, service: ServiceDef): number {
  const counter = own(state.counters, service.id) ?? 0;
  if (counter < 999) return counter + 1;
  for (let n = 1; n <= 999; n++) {
    if (own(state.tickets, ticketId(state.day, ticketNumber(service, n))) === undefined && leaseHolder(state, service.id, n) === undefined) return n;
  }
  return counter + 1;
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

/** The agents holding a lease block of a service today (used up or not). */
function holdersOf(state: HallState, serviceId: string): Set<string> {
  const out = new Set<string>();
  for (const [agentId, list] of Object.entries(state.leases ?? {})) if (list.some((l) => l.serviceId === serviceId)) out.add(agentId);
  return out;
}

/**
 * One reserve's share of what is left of a service's quota among `holders` reserves: what is left
 * (cap − issued) ÷ (holders + 1), one share kept for issuing online. With every reserve at most its
 * share, the room online is at least what is left ÷ (holders + 1): never 0 while the quota has room.
 */
function shareOf(state: HallState, config: HallConfig, serviceId: string, holders: number): number {
  return Math.floor((numberCap(config, serviceId) - issuedToday(state, serviceId)) / (holders + 1));
}

/**
 * The blocks to lease now: for each agent with a kiosk and each service, one block when its free
 * leased numbers fell below the low-water mark: up to `policy.size` free numbers, up to its share of
 * what is left of the quota (shareOf, counted over the kiosk agents or the agents holding leases,
 * whichever are more, so a block is never more than `numbersToReturn` would give back at once), and
 * never more than the room online (quotaRoom: a lease never lets the day pass its quota).
 */
export function leasesNeeded(state: HallState, kioskAgents: readonly string[], policy: LeasePolicy): { agentId: string; serviceId: string; count: number }[] {
  const config = state.config;
  if (!config || state.day === '') return [];
  const out: { agentId: string; serviceId: string; count: number }[] = [];
  for (const agentId of kioskAgents) {
    for (const s of config.services) {
      const free = freeLeased(state, agentId, s.id).length;
      if (free >= policy.lowWater) continue;
      const holders = holdersOf(state, s.id).add(agentId).size;
      const share = shareOf(state, config, s.id, Math.max(kioskAgents.length, holders));
      const fresh = 999 - (own(state.counters, s.id) ?? 0);
      const count = Math.min(policy.size - free, share - free, quotaRoom(state, s.id, numberCap(config, s.id)), fresh);
      if (count <= 0) continue;
      out.push({ agentId, serviceId: s.id, count });
    }
  }
  return out;
}

/**
 * What an agent gives back of its reserves (ReturnNumbers), per service: its free leased numbers
 * beyond its share of what is left of the quota among the agents holding leases of it (shareOf), the
 * highest first, as ranges. The agent asks this of its replica while online, marks the numbers used
 * in its island file before it sends them (so no island of its own can issue them, whatever became of
 * the message), and the server's room online grows by them. An agent that cannot hear the server keeps
 * its reserve: it may be issuing from it.
 */
export function numbersToReturn(state: HallState, agentId: string): NumberLease[] {
  const config = state.config;
  if (!config || state.day === '') return [];
  const out: NumberLease[] = [];
  const services = new Set(leasesOf(state, agentId).map((l) => l.serviceId));
  for (const serviceId of services) {
    const free = freeLeased(state, agentId, serviceId);
    const excess = free.length - Math.max(0, shareOf(state, config, serviceId, holdersOf(state, serviceId).size));
    if (excess <= 0) continue;
    out.push(...rangesOf(serviceId, free.slice(free.length - excess)));
  }
  return out;
}

/** Ascending numbers as ranges of consecutive ones. */
function rangesOf(serviceId: string, numbers: readonly number[]): NumberLease[] {
  const out: NumberLease[] = [];
  for (const n of [...numbers].sort((a, b) => a - b)) {
    const last = out.at(-1);
    if (last && last.to === n - 1) last.to = n;
    else out.push({ serviceId, from: n, to: n });
  }
  return out;
}

/** LeaseNumbers: the next `count` numbers of the day go to one agent (the server's own command), as many as the quota has room for. */
export function decideLease(state: HallState, config: HallConfig, cmd: CommandOf<'LeaseNumbers'>): Decision {
  if (!serviceOf(config, cmd.serviceId)) return reject('unknown-service', cmd.serviceId);
  if (!Number.isInteger(cmd.count) || cmd.count < 1) return reject('invalid-command', 'count must be a positive integer');
  const room = quotaRoom(state, cmd.serviceId, numberCap(config, cmd.serviceId));
  const from = (own(state.counters, cmd.serviceId) ?? 0) + 1;
  const to = Math.min(from + Math.min(cmd.count, room) - 1, 999);
  if (to < from) return reject('quota-reached');
  return accept([{ type: 'NumbersLeased', agentId: cmd.agentId, serviceId: cmd.serviceId, from, to }]);
}

/**
 * ReturnNumbers: the numbers of from…to that are still the sending agent's and free leave its lease
 * (one NumbersReturned per run of them); any other number of the range is left as it is, so a repeat
 * or a range partly used since returns only what it may. The agent is the command's kioskAgent.
 */
export function decideReturn(state: HallState, config: HallConfig, cmd: CommandOf<'ReturnNumbers'>): Decision {
  if (!serviceOf(config, cmd.serviceId)) return reject('unknown-service', cmd.serviceId);
  const agentId = cmd.kioskAgent;
  if (agentId === undefined) return reject('invalid-command', 'numbers are returned by the kiosk agent that holds them');
  if (!Number.isInteger(cmd.from) || !Number.isInteger(cmd.to) || cmd.from < 1 || cmd.to > 999 || cmd.from > cmd.to) return reject('invalid-command', 'from…to must be numbers 1…999, from ≤ to');
  const mine = freeLeased(state, agentId, cmd.serviceId).filter((n) => n >= cmd.from && n <= cmd.to);
  // None of them its own and free: nothing changes, and nothing is recorded (execute.ts unrecordedRefusals).
  if (mine.length === 0) return reject('numbers-not-held', `${cmd.serviceId} ${String(cmd.from)}–${String(cmd.to)}`);
  return accept(rangesOf(cmd.serviceId, mine).map((r) => ({ type: 'NumbersReturned' as const, agentId, ...r })));
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
