import { z } from 'zod';
import { wireCommandSchema } from './command-schema.js';
import { eventSchema, outcomeSchema } from './event-schema.js';

/**
 * Payloads of island mode with the broker up and the server away (README "Island mode", docs/mqtt.md
 * "Island topics"): the hall's acting agent runs the core for every agent. Every payload is read only
 * after it passed these schemas, in both directions. Who sent a message is the topic's agent id (the
 * broker's ACL lets only that user publish there), never a field of the payload.
 */

const agentId = z.string().min(1).max(100);
const nat = z.number().int().min(0);

/**
 * One action the acting agent decided, as its outbox keeps it and every agent mirrors it: the command
 * in its replay form (core replayFormOf), when it was decided (epoch ms), the leased number an issue took
 * and the agent whose device the action came from (`for`: the forwarding agent by its topic).
 */
export const islandEntrySchema = z.strictObject({
  command: wireCommandSchema,
  at: z.number().finite(),
  for: agentId,
  leasedNumber: z.number().int().min(1).max(999).optional(),
  ticketId: z.string().min(1).max(100).optional(),
});
export type IslandEntryWire = z.infer<typeof islandEntrySchema>;

/** island/ev/<acting>: the events of one decision in seq order, with the outbox entry it made (none for a refusal). */
export const islandBatchSchema = z.strictObject({
  events: z.array(eventSchema).max(1000),
  entry: islandEntrySchema.optional(),
});
export type IslandBatch = z.infer<typeof islandBatchSchema>;

/**
 * island/fwd/<agent>: an agent to the acting agent it names in `to` (the others ignore it).
 * `command`: a command of one of the agent's own devices, with its id (a repeat gets the first answer);
 * `leasedNumber` is the number the agent took from its own lease for an IssueTicket.
 * `sync`: the island batches after `after` (a gap, or an agent that joins the island).
 * `state`: part `part` of the acting agent's replica state (an agent restarted during the island, which
 * has no replica: part 0 without `seq` is the current state, the next parts name the `seq` part 0 gave).
 */
export const islandForwardSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('command'), to: agentId, command: wireCommandSchema, leasedNumber: z.number().int().min(1).max(999).optional() }),
  z.strictObject({ type: z.literal('sync'), to: agentId, after: nat }),
  z.strictObject({ type: z.literal('state'), to: agentId, seq: nat.optional(), part: nat.max(100_000) }),
]);
export type IslandForward = z.infer<typeof islandForwardSchema>;

/**
 * island/ans/<acting>/<agent>: the outcome of a forwarded command, a page of batches for a sync, or one
 * part of the acting agent's state (cut as the server cuts its state: src/bus/paging.ts StatePager);
 * `state-moved`: that seq is no longer kept, ask for part 0 again.
 */
export const islandAnswerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('answer'), commandId: z.string().min(1).max(100), outcome: outcomeSchema, seq: nat }),
  z.strictObject({ type: z.literal('batches'), batches: z.array(islandBatchSchema).max(200), more: z.boolean() }),
  z.strictObject({ type: z.literal('state'), seq: nat, part: nat, parts: z.number().int().min(1), chunk: z.string() }),
  z.strictObject({ type: z.literal('state-moved'), seq: nat, part: nat }),
]);
export type IslandAnswer = z.infer<typeof islandAnswerSchema>;

/** The island part of an agent's retained status: its role and the acting agent it follows. */
export const islandRoleSchema = z.enum(['electing', 'leader', 'follower', 'alone']);
export type IslandRole = z.infer<typeof islandRoleSchema>;

/** agent/<id>/status as the other agents read it (the election). */
export const agentStatusSchema = z.looseObject({
  online: z.boolean(),
  island: z.enum(['online', 'island', 'returning']).optional(),
  role: islandRoleSchema.optional(),
  acting: agentId.optional(),
  seq: nat.optional(),
  at: z.number().finite().optional(),
});
