import fc from 'fast-check';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/store/index.js';
import type { LogEvent } from '../../src/store/index.js';
import { tempDirs } from './temp-dir.js';

interface AnyEvent extends LogEvent {
  [field: string]: unknown;
}

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

/** Extra event fields: arbitrary JSON under names that are not the header's. */
const fields = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !['seq', 'at', 'commandId', 'type', '__proto__'].includes(k)),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 4 },
);
/** One command: 0..4 events (their seqs are assigned when appending), and whether an outcome is recorded. */
const batch = fc.record({
  types: fc.array(fc.tuple(fc.string({ maxLength: 12 }), fields, fc.integer({ min: 0, max: 2 ** 42 })), { maxLength: 4 }),
  outcome: fc.option(fc.jsonValue({ maxDepth: 2 }).filter((v) => v !== undefined), { nil: undefined }),
});

type Batch = typeof batch extends fc.Arbitrary<infer T> ? T : never;

/** What a JSON store can promise: the value JSON gives back (e.g. -0 becomes 0). */
const roundTrip = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function run(path: string, batches: Batch[], reopen: boolean): void {
  let log = EventLog.open<AnyEvent>(path);
  const expected: AnyEvent[] = [];
  const outcomes = new Map<string, unknown>();
  batches.forEach((b, i) => {
    const id = `cmd-${i}`;
    const events = b.types.map(([type, extra, at], j): AnyEvent => ({ ...extra, seq: expected.length + j + 1, at, commandId: id, type }));
    if (b.outcome === undefined && events.length === 0) return;
    log.append(events, b.outcome === undefined ? undefined : { id, outcome: b.outcome });
    expected.push(...events);
    if (b.outcome !== undefined) outcomes.set(id, b.outcome);
    expect(log.lastSeq()).toBe(expected.length);
  });
  if (reopen) {
    log.close();
    log = EventLog.open<AnyEvent>(path);
  }
  const want = roundTrip(expected);
  expect(log.lastSeq()).toBe(expected.length);
  expect(log.read(0)).toEqual(want);
  expect([...log.iterate()]).toEqual(want);
  for (const after of [0, Math.floor(expected.length / 2), expected.length]) {
    expect(log.read(after, 3)).toEqual(want.slice(after, after + 3));
  }
  for (const [id, outcome] of outcomes) expect(log.commandOutcome(id)).toEqual(roundTrip(outcome));
  log.close();
}

describe('EventLog properties', () => {
  it('read(0) returns exactly the appended events in order and lastSeq matches (in memory)', () => {
    fc.assert(
      fc.property(fc.array(batch, { maxLength: 12 }), (batches) => run(':memory:', batches, false)),
      { numRuns: 150 },
    );
  });

  it('the same holds for a file after closing and reopening it', () => {
    fc.assert(
      fc.property(fc.array(batch, { maxLength: 8 }), (batches) => run(join(dirs.make(), 'p.db'), batches, true)),
      { numRuns: 25 },
    );
  });
});
