/**
 * Failed sign-ins, counted per staff id and per client address: after `limit` failures within
 * `windowMs` the key is locked for `lockMs` (even the right PIN is refused then). A success clears
 * the staff id's count. In memory: a restart forgets, which an attacker cannot cause from outside.
 */
export class Lockout {
  private readonly failures = new Map<string, { count: number; first: number; lockedUntil: number }>();
  constructor(
    private readonly clock: () => number,
    readonly opts: { perStaff: number; perAddress: number; windowMs: number; lockMs: number } = { perStaff: 5, perAddress: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  ) {}

  /** Ms until the staff id or the address may try again; 0 when they may now. */
  lockedFor(staffId: string, address: string): number {
    const now = this.clock();
    return Math.max(0, ...[`staff:${staffId}`, `addr:${address}`].map((k) => (this.failures.get(k)?.lockedUntil ?? 0) - now));
  }

  fail(staffId: string, address: string): void {
    this.bump(`staff:${staffId}`, this.opts.perStaff);
    this.bump(`addr:${address}`, this.opts.perAddress);
  }

  succeed(staffId: string): void {
    this.failures.delete(`staff:${staffId}`);
  }

  private bump(k: string, limit: number): void {
    const now = this.clock();
    if (this.failures.size > 10_000) for (const [key, f] of this.failures) if (f.lockedUntil < now && now - f.first > this.opts.windowMs) this.failures.delete(key);
    let f = this.failures.get(k);
    if (!f || (now - f.first > this.opts.windowMs && f.lockedUntil < now)) f = { count: 0, first: now, lockedUntil: 0 };
    f.count += 1;
    if (f.count >= limit) f.lockedUntil = now + this.opts.lockMs;
    this.failures.set(k, f);
  }
}
