import { z } from 'zod';
import type { ServerStatus } from './messages.js';

/**
 * The hall server's status (retained on server/status, and its heartbeat), as a reader checks it: in a
 * module of its own, because the server itself reads it (its start's probe for another server, and its own
 * link) and needs none of the other schemas of what it publishes (event-schema.ts, which re-exports this
 * one): building those at every start cost the server ~300 zod schemas it never used (issue 12).
 */
export const serverStatusSchema = z.looseObject({
  online: z.boolean(),
  seq: z.number().int().min(0).optional(),
  at: z.number().finite().optional(),
  instance: z.string().min(1).max(64).optional(),
  host: z.string().max(255).optional(),
  head: z.string().regex(/^[0-9a-f]{8}$/).optional(),
});

/** Its output is (a superset of) ServerStatus, checked at compile time. */
const _fits = (x: z.infer<typeof serverStatusSchema>): ServerStatus => x;
void _fits;
