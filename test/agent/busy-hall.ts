/**
 * The citizens and windows of the island campaigns (test/agent/island-campaign.ts in process,
 * test/agent/island-processes.test.ts with real processes): one ticket, then one call key, in turn.
 */

/** Lease size and pace for a cut of `cutMs`: the cut's A tickets (two in three) stay within three quarters of one block. */
export function islandPacing(cutMs: number): { leaseSize: number; paceMs: number } {
  // Leases are at most 200 numbers (island.leaseSize), so a kiosk never runs out however fast the machine is.
  const leaseSize = cutMs > 60_000 ? 200 : 60;
  return { leaseSize, paceMs: Math.max(700, Math.ceil((cutMs * 2) / 3 / (leaseSize * 0.75))) };
}

export interface BusyHallSteps {
  /** A citizen takes a ticket of `serviceId` at the kiosk. */
  takeTicket: (serviceId: string) => Promise<{ ok: true } | { ok: false; code: string }>;
  /** The i-th call key press; resolves true when it called a ticket (false or skipped: nothing called). */
  pressCall: (i: number) => Promise<boolean>;
  paceMs: number;
}

/** Runs the hall for `ms`: B every third ticket, A otherwise; a call key after each ticket. */
export async function busyHall(ms: number, steps: BusyHallSteps): Promise<{ issued: number; calls: number; refusals: string[] }> {
  const until = Date.now() + ms;
  let issued = 0;
  let calls = 0;
  const refusals: string[] = [];
  for (let i = 0; Date.now() < until; i += 1) {
    const r = await steps.takeTicket(i % 3 === 0 ? 'B' : 'A');
    if (r.ok) issued += 1;
    else refusals.push(r.code);
    if (await steps.pressCall(i)) calls += 1;
    // Citizens arrive every paceMs at most (load pacing, not a wait for something).
    await new Promise((r) => setTimeout(r, steps.paceMs));
  }
  return { issued, calls, refusals };
}
