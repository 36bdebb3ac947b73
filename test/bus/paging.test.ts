import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fillPage, jsonBytes, splitText } from '../../src/bus/paging.js';
import { eventsPage, RESERVE, StatePager } from '../../src/server/catch-up.js';
import { emptyState, type HallEvent, type HallState } from '../../src/core/index.js';

const bytesOf = (s: string) => Buffer.byteLength(JSON.stringify(s), 'utf8') - 2;

/** Any text, weighted towards what JSON escapes and what UTF-8 widens. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 400 }),
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0001', '张', '丽', '华', '😀', 'a', '\ud800', '\udc00'), maxLength: 400 }),
);

describe('splitText', () => {
  it('every part fits, no code point is cut, and the parts join to the whole', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 6, max: 64 }), (s, max) => {
        const parts = splitText(s, max);
        expect(parts.join('')).toBe(s);
        for (const p of parts) expect(bytesOf(p)).toBeLessThanOrEqual(max);
        // A cut never separates a surrogate pair (each part round-trips through UTF-8 unchanged unless the input had lone surrogates).
        for (let i = 1; i < parts.length; i++) {
          const prev = parts[i - 1]!;
          const last = prev.charCodeAt(prev.length - 1);
          const next = parts[i]!.charCodeAt(0);
          expect(last >= 0xd800 && last <= 0xdbff && next >= 0xdc00 && next <= 0xdfff).toBe(false);
        }
        // Parts are as full as the next character allows: no part but the last could take one more.
        for (let i = 0; i < parts.length - 1; i++) {
          const cp = parts[i + 1]!.codePointAt(0)!;
          expect(bytesOf(parts[i]! + String.fromCodePoint(cp))).toBeGreaterThan(max);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a cap below one escaped character', () => {
    expect(() => splitText('x', 5)).toThrow(RangeError);
  });
});

describe('fillPage', () => {
  it('takes the longest prefix whose page fits', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 60 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 5000 }), (items, envelope, max) => {
        const n = fillPage(items, envelope, max);
        const size = (k: number) => envelope + items.slice(0, k).reduce((a, b) => a + b, 0) + Math.max(0, k - 1);
        if (n > 0) expect(size(n)).toBeLessThanOrEqual(max);
        if (n < items.length) expect(size(n + 1)).toBeGreaterThan(max);
      }),
    );
  });
});

/** Events of random sizes (names and notes with wide characters), seq 1… */
const eventsArb = fc.array(fc.string({ unit: fc.constantFrom('张', 'a', '"', '😀'), maxLength: 3000 }), { maxLength: 80 }).map((notes) =>
  notes.map((note, i) => ({ type: 'RatingFollowedUp', ratingId: `R-${i}`, note, seq: i + 1, at: 1, commandId: `c${i}` }) as HallEvent),
);

describe('eventsPage', () => {
  it('answers fit the cap, and paging through them gives every event once, in order', () => {
    fc.assert(
      fc.property(eventsArb, fc.integer({ min: 4096, max: 20_000 }), (log, max) => {
        const read = (after: number, limit: number) => log.filter((e) => e.seq > after).slice(0, limit);
        const got: HallEvent[] = [];
        let after = 0;
        for (let guard = 0; guard < 1000; guard++) {
          const page = eventsPage(read, after, 1000, log.length, max);
          expect(jsonBytes({ id: 'x'.repeat(100), status: 'ok', data: page })).toBeLessThanOrEqual(max);
          expect(page.resync).toBe(false); // every event here fits alone
          got.push(...page.events);
          if (!page.more) break;
          expect(page.events.length).toBeGreaterThan(0);
          after = page.events.at(-1)!.seq;
        }
        expect(got).toEqual(log);
      }),
      { numRuns: 200 },
    );
  });

  it('an event larger than a message asks for a resync instead of a page', () => {
    const huge = { type: 'RatingFollowedUp', ratingId: 'R', note: '张'.repeat(10_000), seq: 1, at: 1, commandId: 'c' } as HallEvent;
    const page = eventsPage(() => [huge], 0, 1000, 1, 16_384);
    expect(page).toEqual({ events: [], lastSeq: 1, more: true, resync: true });
  });
});

describe('StatePager', () => {
  const stateOf = (seq: number, names: string[]): HallState => {
    const s = emptyState();
    s.seq = seq;
    names.forEach((n, i) => (s.counters[`${n}-${i}`] = i));
    return s;
  };

  it('every part fits and the parts join to the state of the seq they name', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('张', 'a', '"', '\\', '😀'), maxLength: 50 }), { maxLength: 400 }), fc.integer({ min: 2048, max: 8192 }), (names, max) => {
        const state = stateOf(7, names);
        const pager = new StatePager(max);
        const first = pager.part(state, 0)!;
        const chunks = [first.chunk];
        for (let k = 1; k < first.parts; k++) chunks.push(pager.part(state, k, 7)!.chunk);
        for (let k = 0; k < first.parts; k++) expect(jsonBytes({ id: '\u0001'.repeat(100), status: 'ok', data: pager.part(state, k, 7) })).toBeLessThanOrEqual(max);
        expect(JSON.parse(chunks.join(''))).toEqual(JSON.parse(JSON.stringify(state)));
        expect(pager.part(state, first.parts, 7)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the snapshot of a seq while the hall moves on, then forgets it', () => {
    const pager = new StatePager(2048, 2);
    const s = stateOf(1, Array.from({ length: 300 }, () => 'name'));
    const p0 = pager.part(s, 0)!;
    expect(p0.parts).toBeGreaterThan(1);
    s.seq = 2;
    expect(pager.part(s, 1, 1)?.seq).toBe(1); // still the seq-1 snapshot
    pager.part(s, 0);
    s.seq = 3;
    pager.part(s, 0);
    expect(pager.part(s, 1, 1)).toBeUndefined(); // seq 1 fell out
    expect(RESERVE).toBeGreaterThanOrEqual(700);
  });
});
