/**
 * Failed sign-ins slow down the address they come from, never the staff member (issue 13): a count of
 * failures per (staff id, client address) and one per client address over every staff id. Each count
 * leaks one failure per `leakMs`; above its free allowance every further failure refuses that pair (or
 * that address) for `baseMs`, doubling per failure up to `maxMs`. So someone typing wrong PINs for s05
 * from one PC refuses only that PC, while s05 signs in from the window's own PC as before; and one
 * address gets about `addressFree` guesses, then a few more over the first hour, then one per `maxMs`
 * (about 40 a day with the defaults: a 4-digit PIN takes months). An IPv6 address counts by its /64
 * (addressKey): a host on the LAN may pick any address of that prefix.
 *
 * A failure counts when it is known (the PIN checked: scrypt takes a while), so attempts still in flight
 * never refuse a correct one (the tryout: eight staff signing in at once after seven failures, four
 * refused). Parallel requests still cannot slip past the count: an attempt that, were it and every attempt
 * in flight to fail, would take its pair or its address past the free allowance waits until those in flight
 * are known, then is decided on what they were; so a burst of guesses gets exactly the checks one guess
 * after another would, and correct sign-ins wait at most for the checks before them. A success clears the pair and takes
 * the pair's failures (that person's own typing) off the address; the address keeps the failures for
 * other staff ids (a colleague who knows their own PIN cannot reset the count between guesses at
 * someone else's). The counts live where `counts` keeps them (throttle-counts.ts): the server keeps them
 * in its database, so a restart does not lift an active refusal; the default is memory.
 */
import { memoryCounts, type ThrottleCount, type ThrottleCounts } from './throttle-counts.js';

export interface ThrottleRules {
  /** Failures of one staff id from one address before the backoff starts. */
  pairFree: number;
  /** Failures from one address, over every staff id, before the backoff starts. */
  addressFree: number;
  /** The first refusal, ms; doubled at each further failure. */
  baseMs: number;
  /** The longest refusal, ms. */
  maxMs: number;
  /** One counted failure is forgotten per leakMs. */
  leakMs: number;
  /**
   * Failures of one staff id from all addresses together at which an alarm is raised (never a refusal:
   * that would be the lock-out again). Many addresses guessing one PIN is what the per-address count
   * cannot see.
   */
  staffAlarm: number;
}

export const defaultThrottle: Readonly<ThrottleRules> = Object.freeze({ pairFree: 5, addressFree: 10, baseMs: 30_000, maxMs: 3600_000, leakMs: 3600_000, staffAlarm: 30 });

export type Admission =
  | {
      ok: true;
      /** The check's result: true clears the pair and takes this attempt off the address. */
      settle(success: boolean): void;
      /** True once, for the failure that brings this staff id's count over all addresses to staffAlarm. */
      alarm: boolean;
    }
  | { ok: false; /** Ms until this staff id may try again from this address. */ retryMs: number; /** What is refused: this staff id from this address, or everything from the address. */ scope: 'staff-at-address' | 'address' };

type Count = ThrottleCount;

/** More than this many counts: forgotten ones are swept (staff ids are whatever the sender typed). */
const SWEEP_ABOVE = 10_000;
/** Forgotten counts are swept this often in any case (the database's rows with them), clock ms. */
const SWEEP_EVERY_MS = 600_000;

export class SignInThrottle {
  readonly rules: ThrottleRules;
  private lastSweep: number;
  /** Admitted attempts not yet settled, per pair and per address key (memory: a restart ends them anyway). */
  private readonly inFlight = new Map<string, number>();
  /** Attempts waiting for those in flight to be known, in arrival order. */
  private waiters: (() => void)[] = [];

  constructor(
    private readonly clock: () => number,
    rules: Partial<ThrottleRules> = {},
    private readonly counts: ThrottleCounts = memoryCounts(),
  ) {
    this.rules = { ...defaultThrottle, ...rules };
    this.lastSweep = clock();
  }

  /** Closes where the counts are kept. */
  close(): void {
    this.counts.close();
  }

  /** Attempts waiting for those in flight to be settled before they are decided (tests, metrics). */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Admits an attempt or says how long the address must wait; waits first while attempts in flight could,
   * by failing, bring this one's pair or address past its free allowance. The caller must settle an
   * admitted attempt (in a finally: the attempts behind it wait for it).
   */
  async attempt(staffId: string, address: string): Promise<Admission> {
    for (;;) {
      const decided = this.decide(staffId, address);
      if (decided !== 'wait') return decided;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private decide(staffId: string, address: string): Admission | 'wait' {
    const now = this.clock();
    if (this.counts.size > SWEEP_ABOVE || now - this.lastSweep >= SWEEP_EVERY_MS) this.sweep(now);
    const from = addressKey(address);
    const pairKey = JSON.stringify([from, staffId]);
    const addrKey = JSON.stringify([from]);
    const pair = this.current(pairKey, now);
    const addr = this.current(addrKey, now);
    if (addr.until > now || pair.until > now) {
      const scope = addr.until >= pair.until ? 'address' : 'staff-at-address';
      return { ok: false, retryMs: Math.max(addr.until, pair.until) - now, scope };
    }
    if (this.atRisk(pairKey, pair.level, this.rules.pairFree) || this.atRisk(addrKey, addr.level, this.rules.addressFree)) return 'wait';
    this.enter(pairKey, 1);
    this.enter(addrKey, 1);
    // The alarm counts every attempt (it refuses nothing); a success takes its own back.
    const staffKey = JSON.stringify(['staff', staffId]);
    const staff = this.current(staffKey, now);
    staff.level += 1;
    this.counts.set(staffKey, staff);
    const alarm = staff.level >= this.rules.staffAlarm && staff.level - 1 < this.rules.staffAlarm;
    let settled = false;
    return {
      ok: true,
      settle: (success) => {
        if (settled) return;
        settled = true;
        this.enter(pairKey, -1);
        this.enter(addrKey, -1);
        const at = this.clock();
        if (success) {
          const st = this.current(staffKey, at);
          this.counts.set(staffKey, { ...st, level: Math.max(0, st.level - 1) });
          // The pair's failures were this person's own typing, now put right: the address forgets them too.
          const own = this.current(pairKey, at).level;
          this.counts.delete(pairKey);
          const a = this.current(addrKey, at);
          a.level = Math.max(0, a.level - own);
          if (this.delay(a.level, this.rules.addressFree) === 0) a.until = 0;
          this.counts.set(addrKey, a);
        } else {
          const p = this.current(pairKey, at);
          const a = this.current(addrKey, at);
          this.bump(p, at, this.rules.pairFree);
          this.bump(a, at, this.rules.addressFree);
          this.counts.set(pairKey, p);
          this.counts.set(addrKey, a);
        }
        // Those waiting are decided again, in their order, on what is known now.
        for (const wake of this.waiters.splice(0)) wake();
      },
      alarm,
    };
  }

  /** Whether an attempt on this count must wait: some are in flight, and all of them and it failing would pass the free allowance. */
  private atRisk(key: string, level: number, free: number): boolean {
    const busy = this.inFlight.get(key) ?? 0;
    return busy > 0 && this.delay(level + busy + 1, free) > 0;
  }

  private enter(key: string, by: 1 | -1): void {
    const n = (this.inFlight.get(key) ?? 0) + by;
    if (n > 0) this.inFlight.set(key, n);
    else this.inFlight.delete(key);
  }

  /** The refusal after a failure that brings a count to `level`: 0 within the free allowance. */
  private delay(level: number, free: number): number {
    const over = Math.ceil(level - free - 1e-9);
    return over <= 0 ? 0 : Math.min(this.rules.maxMs, this.rules.baseMs * 2 ** Math.min(over - 1, 40));
  }

  private bump(c: Count, now: number, free: number): void {
    c.level += 1;
    const d = this.delay(c.level, free);
    c.until = d === 0 ? 0 : now + d;
  }

  /** A key's count with what has leaked away since it was last touched. */
  private current(key: string, now: number): Count {
    const c = this.counts.get(key);
    if (!c) return { level: 0, at: now, until: 0 };
    const level = Math.max(0, c.level - Math.max(0, now - c.at) / this.rules.leakMs);
    return { level, at: now, until: c.until };
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    this.counts.sweep(now, this.rules.leakMs);
  }
}

/**
 * Whose count an address is: an IPv4 address (also when IPv4-mapped, ::ffff:a.b.c.d) as it is; an IPv6
 * address by its /64, since a host picks any address of its LAN's /64 at will (privacy addresses).
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('%')[0]?.split('::') ?? [''];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}
