/**
 * The SIGKILL campaign in CI: a short run of scripts/soak.ts (`npm run soak` runs 1,000 kills). Kills
 * across `hallq server` and both agents while tickets are issued; nothing acknowledged may be lost,
 * renumbered or duplicated. HALLQ_SOAK_KILLS and HALLQ_SOAK_SEED change the run.
 */
import { describe, expect, it } from 'vitest';
import { formatSoak, runSoak } from '../../scripts/soak.js';

const KILLS = Number(process.env.HALLQ_SOAK_KILLS ?? 20);

describe('SIGKILL soak (short)', () => {
  it(`${KILLS} kills across server and agents: 0 acknowledged tickets lost, renumbered or duplicated`, async () => {
    const r = await runSoak({ kills: KILLS, maxMs: 10 * 60_000, ...(process.env.HALLQ_SOAK_SEED ? { seed: Number(process.env.HALLQ_SOAK_SEED) } : {}) });
    console.log(formatSoak(r));
    expect(r.kills.server + r.kills.agent).toBeGreaterThan(0);
    expect(r.acknowledged).toBeGreaterThan(0);
    expect(r.lost).toEqual([]);
    expect(r.renumbered).toEqual([]);
    expect(r.duplicated).toEqual([]);
    expect(r.numbersTwice).toEqual([]);
  }, 20 * 60_000);
});
