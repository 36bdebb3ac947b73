import { describe, expect, it } from 'vitest';
import { SignInThrottle, addressKey } from '../../src/server/auth/sign-in-throttle.js';

/** Guesses from one address, each as soon as the throttle admits it, over `hours`: the times (ms from the start) of those checked. */
function greedyGuesses(hours: number, ids: readonly string[]): number[] {
  let now = 0;
  const t = new SignInThrottle(() => now);
  const checked: number[] = [];
  let n = 0;
  while (now < hours * 3600_000) {
    const a = t.attempt(ids[n++ % ids.length] ?? 'x', '10.0.0.66');
    if (a.ok) {
      a.settle(false);
      checked.push(now);
      now += 1000; // the attacker's next try a second later
    } else now += a.retryMs;
  }
  return checked;
}

describe('SignInThrottle (issue 13)', () => {
  it('lets one address check fewer than 50 PINs a day and about one an hour once slowed, whatever ids it tries', () => {
    for (const ids of [['s05'], ['s01', 's02', 's03', 's04', 's05', 'm01', 'someone']]) {
      const day = greedyGuesses(24, ids);
      expect(day.length).toBeLessThan(50);
      // A 4-digit PIN (10,000) then takes more than 200 days on average from one address.
      expect(10_000 / 2 / day.length).toBeGreaterThan(100);
      for (let h = 2; h < 24; h++) expect(day.filter((at) => at >= h * 3600_000 && at < (h + 1) * 3600_000).length).toBeLessThanOrEqual(2);
    }
  });

  it('refuses only the address that failed: the same staff id from another address is admitted', () => {
    let now = 0;
    const t = new SignInThrottle(() => now);
    for (let i = 0; i < 30; i++) {
      const a = t.attempt('s05', 'attacker');
      if (a.ok) a.settle(false);
      now += 1000;
    }
    const refused = t.attempt('s05', 'attacker');
    expect(refused).toMatchObject({ ok: false });
    expect(t.attempt('s05', 'window-pc').ok).toBe(true);
  });

  it('counts an attempt from its admission, so unsettled parallel attempts are bounded by the free allowance', () => {
    const t = new SignInThrottle(() => 0);
    const admitted = Array.from({ length: 50 }, () => t.attempt('s05', 'a')).filter((a) => a.ok);
    expect(admitted).toHaveLength(6);
  });

  it("forgets one failure an hour: an address that stopped guessing is free again; a success clears the pair's own failures", () => {
    let now = 0;
    const t = new SignInThrottle(() => now, { pairFree: 3, addressFree: 5 });
    for (let i = 0; i < 4; i++) {
      const a = t.attempt('s01', 'pc');
      expect(a.ok).toBe(true);
      if (a.ok) a.settle(false);
    }
    const refused = t.attempt('s01', 'pc');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.retryMs).toBe(30_000);
    now += 4 * 3600_000;
    const back = t.attempt('s01', 'pc');
    expect(back.ok).toBe(true);
    if (back.ok) back.settle(true);
    // Nothing left: five more free failures from this address for someone else.
    for (let i = 0; i < 5; i++) expect(t.attempt(`s0${i + 2}`, 'pc').ok).toBe(true);
  });

  it('counts an IPv6 address by its /64 (a host picks any address of it) and an IPv4-mapped one as IPv4', () => {
    expect(addressKey('10.0.0.66')).toBe('10.0.0.66');
    expect(addressKey('::ffff:10.0.0.66')).toBe('10.0.0.66');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe(addressKey('2001:0db8:0001:0002::9'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    let now = 0;
    const t = new SignInThrottle(() => now);
    for (let i = 0; i < 11; i++) {
      const a = t.attempt(`s0${i % 9}`, `2001:db8:1:2::${(i + 1).toString(16)}`);
      if (a.ok) a.settle(false);
    }
    expect(t.attempt('m01', '2001:db8:1:2::ff').ok).toBe(false);
    expect(t.attempt('m01', '2001:db8:1:3::ff').ok).toBe(true);
  });

  it('raises one alarm when one staff id has failed staffAlarm times over many addresses, and refuses none of them for it', () => {
    let now = 0;
    const t = new SignInThrottle(() => now, { staffAlarm: 12 });
    const alarms: number[] = [];
    for (let i = 0; i < 20; i++) {
      const a = t.attempt('s05', `10.0.${i}.1`);
      expect(a.ok).toBe(true);
      if (a.ok) {
        if (a.alarm) alarms.push(i + 1);
        a.settle(false);
      }
    }
    expect(alarms).toEqual([12]);
    now += 3600_000;
    expect(t.attempt('s05', '10.0.99.1').ok).toBe(true);
  });
});

