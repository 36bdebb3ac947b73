/**
 * 离场评价 (Songjiang §6.6.1.1): which completed services owe the citizen an SMS with the rating
 * link, and whether it is still worth sending. The outbox row is made when the service completes
 * (durable, like every notice) and falls due when the keypad's time to rate has passed; it is
 * dropped if the citizen rated on the keypad meanwhile, or if the link would already be dead.
 */
import { own, type HallEvent, type HallState } from '../../core/index.js';
import type { RatingTokens } from '../auth/rating-token.js';
import type { OutboxParams } from './outbox.js';

export interface RatingLinkConfig {
  baseUrl: string;
  validMinutes: number;
}

/** The row a ServiceCompleted event owes: its params and when it falls due; undefined when none. */
export type RatingLinkPlanner = (e: HallEvent) => { params: OutboxParams; dueAt: number } | undefined;

export function ratingLinkPlanner(state: () => HallState, tokens: RatingTokens, c: RatingLinkConfig): RatingLinkPlanner {
  return (e) => {
    if (e.type !== 'ServiceCompleted') return undefined;
    const s = state();
    const t = own(s.tickets, e.ticketId);
    if (!t || own(s.ratings, `R-${t.id}`)) return undefined;
    const dueAt = e.at + (s.config?.policy.ratingTimeoutSeconds ?? 120) * 1000;
    const expiresAt = e.at + c.validMinutes * 60_000;
    const link = `${c.baseUrl.replace(/\/$/, '')}/r/${tokens.tokenOf(t.id, expiresAt)}`;
    return { params: { number: t.number, serviceId: t.serviceId, windows: [e.window], link, validMinutes: c.validMinutes, expiresAt }, dueAt };
  };
}

/** Why a due rating-link row is not sent now (undefined: send it). */
export function ratingLinkDrop(state: HallState, ticketId: string, params: OutboxParams, now: number): string | undefined {
  const t = own(state.tickets, ticketId);
  if (!t) return 'TICKET_GONE';
  if (own(state.ratings, `R-${t.id}`)) return 'ALREADY_RATED';
  if (params.expiresAt !== undefined && now >= params.expiresAt) return 'LINK_EXPIRED';
  return undefined;
}
