/**
 * Island mode's partition campaign with the server cut away for 30 s (HALLQ_ISLAND_CUT_S changes it),
 * then the broker for 30 s. The 300 s cut is island-300s.test.ts; the campaign is island-campaign.ts.
 */
import { islandCampaign } from './island-campaign.js';

islandCampaign(Number(process.env['HALLQ_ISLAND_CUT_S'] ?? 30) * 1000, { brokerCutMs: 30_000 });
