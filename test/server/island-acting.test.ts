import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActingWitness, type StatusWord } from '../../src/server/island-acting.js';

/**
 * Who may return island actions `for` another agent (README "Island mode", trust at the return): only
 * what each agent's own retained status said counts (the broker's ACL: agent/<id>/status is its own).
 */
describe('trust at the return: the acting agent by the agents\' own statuses', () => {
  const island = (role: string, acting?: string): StatusWord => ({ phase: 'island', role, ...(acting ? { acting } : {}) });

  it('accepts the agent its follower named, refuses any other, including one that only says it led', () => {
    const w = new ActingWitness();
    w.record('a', island('leader', 'a'));
    w.record('b', island('follower', 'a'));
    w.record('c', island('leader', 'c'));
    expect(w.check('a', 'b')).toEqual({ ok: true, by: 'consent' });
    expect(w.check('c', 'b')).toMatchObject({ ok: false });
    expect(w.check('b', 'a')).toMatchObject({ ok: false });
    // An agent that never went island consents to nobody.
    expect(w.check('a', 'd')).toMatchObject({ ok: false });
    // The word outlives the return (the outbox comes after the status says online) …
    w.record('b', { phase: 'returning', role: 'follower', acting: 'a' });
    w.record('b', { phase: 'online' });
    expect(w.check('a', 'b')).toMatchObject({ ok: true });
    // … until the next island: a new episode starts without consent.
    w.record('b', island('electing'));
    expect(w.check('a', 'b')).toMatchObject({ ok: false });
  });

  it('lets the agent that led stand in for a dead agent (its last will), nobody else', () => {
    const w = new ActingWitness();
    w.record('a', island('leader', 'a'));
    w.record('b', island('follower', 'a'));
    // Found retained at the server's (re)connect: said while the server was away.
    w.record('b', island('leader', 'b'), true);
    w.record('c', island('follower', 'a'));
    w.record('a', { phase: 'offline' });
    expect(w.check('b', 'a')).toEqual({ ok: true, by: 'stand-in' });
    expect(w.check('c', 'a')).toMatchObject({ ok: false });
    // A restart within the island keeps what the agent said before it (offline → island).
    w.record('c', { phase: 'offline' });
    w.record('c', island('follower', 'b'));
    expect(w.check('a', 'c')).toMatchObject({ ok: true });
    expect(w.check('b', 'c')).toMatchObject({ ok: true });
  });

  it("a leader claim heard live (the server was listening: no island of the hall) lets nobody stand in (the security tryout: a kiosk's password, another agent dead)", () => {
    const w = new ActingWitness();
    w.record('counter-1', { phase: 'online' });
    w.record('counter-1', { phase: 'offline' });
    w.record('kiosk-1', island('leader', 'kiosk-1'));
    expect(w.check('kiosk-1', 'counter-1')).toMatchObject({ ok: false });
    // Still not after it says returning (live too); the same claim found retained at a reconnect counts.
    w.record('kiosk-1', { phase: 'returning', role: 'leader' });
    expect(w.check('kiosk-1', 'counter-1')).toMatchObject({ ok: false });
    w.record('kiosk-1', island('leader', 'kiosk-1'), true);
    expect(w.check('kiosk-1', 'counter-1')).toEqual({ ok: true, by: 'stand-in' });
  });

  it('never accepts a sender that the `for` agent did not name while that agent is alive, whatever the statuses (property)', () => {
    const ids = ['a', 'b', 'c'];
    const word = fc.record({
      id: fc.constantFrom(...ids),
      phase: fc.constantFrom('online' as const, 'island' as const, 'returning' as const, 'offline' as const),
      role: fc.constantFrom('electing', 'leader', 'follower', 'alone'),
      acting: fc.constantFrom(...ids),
      retained: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(word, { maxLength: 30 }), fc.constantFrom(...ids), fc.constantFrom(...ids), (words, sender, forAgent) => {
        const w = new ActingWitness();
        for (const { id, retained, ...s } of words) w.record(id, s, retained);
        const r = w.check(sender, forAgent);
        if (sender === forAgent) return r.ok;
        // The oracle: an agent's latest island episode is its island words since it last went island from online.
        const episode = (id: string) => {
          const mine = words.filter((x) => x.id === id);
          const isl = (x: { phase: string } | undefined) => x?.phase === 'island' || x?.phase === 'returning';
          const starts = mine.map((x, i) => (isl(x) && (!mine.slice(0, i).some(isl) || mine[i - 1]?.phase === 'online') ? i : -1)).filter((i) => i >= 0);
          return mine.slice(starts[starts.length - 1] ?? mine.length).filter((x) => x.phase === 'island' || x.phase === 'returning');
        };
        const named = episode(forAgent).some((x) => x.role === 'follower' && x.acting === sender);
        const led = episode(sender).some((x) => x.role === 'leader' && x.retained);
        const dead = words.filter((x) => x.id === forAgent).at(-1)?.phase === 'offline';
        return r.ok === (named || (dead && led));
      }),
    );
  });
});
