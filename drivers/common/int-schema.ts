import { z } from 'zod';

// One whole-number check for every config field that has one: zod's `.int()` builds a schema of its own
// each time it is called, and a check may be attached to any number of schemas.
const whole = z.int();

/**
 * A whole number (from `min`, to `max`): the same checks, in the same order, as
 * `z.number().int().min(min).max(max)`, in one schema. Each chained call copies the schema, and the
 * config schema is built at every daemon start (issue 12: ~50 such fields built ~300 number schemas).
 */
export function int(min?: number, max?: number): z.ZodNumber {
  // What z.number() makes, with the checks in its definition from the start: one schema, not a copy per check.
  return new z.ZodNumber({ type: 'number', checks: [whole, ...(min === undefined ? [] : [z.gte(min)]), ...(max === undefined ? [] : [z.lte(max)])] });
}
