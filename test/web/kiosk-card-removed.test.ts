import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_CARDS } from '../../drivers/idcard/test-cards.js';
import { personFromCard } from '../../src/bus/person.js';
import { startKioskRig, type KioskRig } from '../helpers/kiosk-rig.js';
import { wireConfig } from '../wire/rig.js';

/** The wire hall with a service that needs an ID card (户籍 household). */
const hall = {
  ...wireConfig,
  services: [...wireConfig.services, { id: 'household', name: { zh: '户籍', en: 'Household' }, prefix: 'H', dailyQuota: 999, idRequired: true, avgServiceMinutes: 5 }],
  windows: wireConfig.windows.map((w) => ({ ...w, tiers: [['A', 'B', 'household']] })),
};

/**
 * The kiosk page when the card is taken off the reader (the agent clears its card slot: hardware.ts on
 * the reader's `removed`): it drops `已读取身份证：…` from its stream at once, and on the phone step of a
 * service that needs the card asks for the card again. While it shows a card, a touch is told to the
 * agent (`/kiosk/api/touch`), which holds the card 30 s from the last one.
 */
describe('the kiosk page when the ID card is taken off the reader', () => {
  let rig: KioskRig | undefined;
  let page: Page;
  const printer = { health: 'ok', print: () => Promise.resolve({ confirmation: 'device' }) };
  const zhang = personFromCard(TEST_CARDS.zhang.idNumber, TEST_CARDS.zhang.name, 'k');

  beforeAll(async () => {
    rig = await startKioskRig({ smsEnabled: true, printer, hall });
    page = await rig.page();
    await page.goto(rig.pageUrl);
    await page.waitForSelector('[data-service="household"]');
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('drops the card shown, and the phone step of an ID-required service goes back to asking for the card', async () => {
    if (!rig) throw new Error('no rig');
    rig.card.put(zhang);
    await page.locator('#card', { hasText: '已读取身份证：张*华' }).waitFor();
    // A touch while a card is shown is told to the agent.
    const touch = page.waitForRequest((r) => r.url().endsWith('/kiosk/api/touch') && r.method() === 'POST', { timeout: 5000 });
    await page.tap('[data-service="household"]');
    await touch;
    await page.waitForSelector('#phone-step:not(.hidden)');

    rig.card.clear(); // what the reader's `removed` does
    await page.waitForSelector('#card-needed:not(.hidden)', { timeout: 5000 });
    expect(await page.textContent('#card')).toBe('');
    expect(await page.isVisible('#phone-step')).toBe(false);

    // Laid again: on to the phone step, as before.
    rig.card.put(zhang);
    await page.waitForSelector('#phone-step:not(.hidden)', { timeout: 5000 });
  }, 60_000);
});
