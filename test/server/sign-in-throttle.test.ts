import { describe, expect, it } from 'vitest';
import { SignInThrottle, addressKey, type Admission } from '../../src/server/auth/sign-in-throttle.js';

/** Guesses from one address, each as soon as the throttle admits it, over `hours`: the times (ms from the start) of those checked. */
async function greedyGuesses(hours: number, ids: readonly string[]): Promise<number[]> {
  let now = 0;
  const t = new SignInThrottle(() => now);
  const checked: number[] = [];
  let n = 0;
  while (now < hours * 3600_000) {
    const a = await t.attempt(ids[n++ % ids.length] ?? 'x', '10.0.0.66');
    if (a.ok) {
      a.settle(false);
      checked.push(now);
      now += 1000; // the attacker's next try a second later
    } else now += a.retryMs;
  }
  return checked;
}

describe('SignInThrottle (issue 13)', () => {
  it('lets one address check fewer than 50 PINs a day and about one an hour once slowed, whatever ids it tries', async () => {
    for (const ids of [['s05'], ['s01', 's02', 's03', 's04', 's05', 'm01', 'someone']]) {
      const day = await greedyGuesses(24, ids);
      expect(day.length).toBeLessThan(50);
      // A 4-digit PIN (10,000) then takes more than 200 days on average from one address.
      expect(10_000 / 2 / day.length).toBeGreaterThan(100);
      for (let h = 2; h < 24; h++) expect(day.filter((at) => at >= h * 3600_000 && at < (h + 1) * 3600_000).length).toBeLessThanOrEqual(2);
    }
  });

  it('refuses only the address that failed: the same staff id from another address is admitted', async () => {
    let now = 0;
    const t = new SignInThrottle(() => now);
    for (let i = 0; i < 30; i++) {
      const a = await t.attempt('s05', 'attacker');
      if (a.ok) a.settle(false);
      now += 1000;
    }
    const refused = await t.attempt('s05', 'attacker');
    expect(refused).toMatchObject({ ok: false });
    expect((await t.attempt('s05', 'window-pc')).ok).toBe(true);
  });

  it('parallel attempts past the free allowance wait for those in flight: a burst of wrong guesses gets the checks one after another would', async () => {
    const t = new SignInThrottle(() => 0);
    const decided: Admission[] = [];
    const all = Array.from({ length: 50 }, () => t.attempt('s05', 'a').then((a) => (decided.push(a), a)));
    const first = await Promise.all(all.slice(0, 5));
    // Five within the free allowance at once; the sixth would pass it were all five to fail: it waits, and all behind it.
    expect(first.every((a) => a.ok)).toBe(true);
    expect(t.waiting).toBe(45);
    for (const a of first) if (a.ok) a.settle(false);
    // Five failures known: one more is checked (as the sixth guess in a row would be), the rest still wait for it.
    const sixth = await all[5];
    expect(sixth?.ok).toBe(true);
    expect(decided).toHaveLength(6);
    if (sixth?.ok) sixth.settle(false);
    const rest = await Promise.all(all.slice(6));
    expect(rest.every((a) => !a.ok)).toBe(true);
    expect(t.waiting).toBe(0);
  });

  it('never refuses correct sign-ins for attempts still in flight (the tryout: 7 failures, then 8 staff at once, 4 refused)', async () => {
    const t = new SignInThrottle(() => 0);
    for (let i = 1; i <= 7; i++) {
      const a = await t.attempt(`s0${i}`, 'pc');
      if (a.ok) a.settle(false);
    }
    // Eight at once, each settled as its own check ends: none is refused.
    const eight = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.attempt(`s0${i + 1}`, 'pc').then((a) => {
          if (a.ok) a.settle(true);
          return a.ok;
        }),
      ),
    );
    expect(eight).toEqual(Array(8).fill(true));
  });

  it('still stops a burst of wrong guesses mixed with correct sign-ins from the same address', async () => {
    const t = new SignInThrottle(() => 0);
    for (let i = 1; i <= 7; i++) {
      const a = await t.attempt(`s0${i}`, 'pc');
      if (a.ok) a.settle(false);
    }
    const wrong: boolean[] = [];
    const right: boolean[] = [];
    await Promise.all([
      ...Array.from({ length: 20 }, () => t.attempt('m01', 'pc').then((a) => (wrong.push(a.ok), a.ok && a.settle(false)))),
      ...Array.from({ length: 7 }, (_, i) => t.attempt(`s0${i + 1}`, 'pc').then((a) => (right.push(a.ok), a.ok && a.settle(true)))),
    ]);
    // The guesser gets its pair's free allowance and one more (6) at most, as one guess after another would.
    expect(wrong.filter(Boolean).length).toBeLessThanOrEqual(6);
    expect(wrong.filter((ok) => !ok).length).toBeGreaterThanOrEqual(14);
    expect((await t.attempt('m01', 'pc')).ok).toBe(false);
  });

  it("forgets one failure an hour: an address that stopped guessing is free again; a success clears the pair's own failures", async () => {
    let now = 0;
    const t = new SignInThrottle(() => now, { pairFree: 3, addressFree: 5 });
    for (let i = 0; i < 4; i++) {
      const a = await t.attempt('s01', 'pc');
      expect(a.ok).toBe(true);
      if (a.ok) a.settle(false);
    }
    const refused = await t.attempt('s01', 'pc');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.retryMs).toBe(30_000);
    now += 4 * 3600_000;
    const back = await t.attempt('s01', 'pc');
    expect(back.ok).toBe(true);
    if (back.ok) back.settle(true);
    // Nothing left: five more free failures from this address for someone else.
    for (let i = 0; i < 5; i++) expect((await t.attempt(`s0${i + 2}`, 'pc')).ok).toBe(true);
  });

  it('counts an IPv6 address by its /64 (a host picks any address of it) and an IPv4-mapped one as IPv4', async () => {
    expect(addressKey('10.0.0.66')).toBe('10.0.0.66');
    expect(addressKey('::ffff:10.0.0.66')).toBe('10.0.0.66');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe(addressKey('2001:0db8:0001:0002::9'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    let now = 0;
    const t = new SignInThrottle(() => now);
    for (let i = 0; i < 11; i++) {
      const a = await t.attempt(`s0${i % 9}`, `2001:db8:1:2::${(i + 1).toString(16)}`);
      if (a.ok) a.settle(false);
    }
    expect((await t.attempt('m01', '2001:db8:1:2::ff')).ok).toBe(false);
    expect((await t.attempt('m01', '2001:db8:1:3::ff')).ok).toBe(true);
  });

  it('raises one alarm when one staff id has failed staffAlarm times over many addresses, and refuses none of them for it', async () => {
    let now = 0;
    const t = new SignInThrottle(() => now, { staffAlarm: 12 });
    const alarms: number[] = [];
    for (let i = 0; i < 20; i++) {
      const a = await t.attempt('s05', `10.0.${i}.1`);
      expect(a.ok).toBe(true);
      if (a.ok) {
        if (a.alarm) alarms.push(i + 1);
        a.settle(false);
      }
    }
    expect(alarms).toEqual([12]);
    now += 3600_000;
    expect((await t.attempt('s05', '10.0.99.1')).ok).toBe(true);
  });
});

