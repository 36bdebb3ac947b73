import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HallqError } from '../../drivers/common/error.js';
import { emergencyPresets } from '../../src/core/index.js';
import { startKioskRig, type KioskRig } from '../helpers/kiosk-rig.js';

const cjk = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

/**
 * issue 13 (a technician's tryout): the kiosk of a hall that sends no SMS (`server.sms.provider: none`)
 * with its printer out, in Chinese and in English, opened on hall.test in Chromium. Each language says
 * the printer is out once (the banner gives way to the screen that says it), English says it in English
 * alone (only the switch says 中文), also when the language is switched on that screen, and nothing
 * offers an SMS ticket — also when the paper runs out during the print; an emergency notice over the
 * kiosk follows the language too.
 */
describe('the kiosk of a hall without SMS, printer out, in both languages', () => {
  let rig: KioskRig | undefined;
  let page: Page;
  const printer = { health: 'out', fails: false, print: () => (printer.fails ? Promise.reject(new HallqError('PAPER_OUT', 'paper ran out mid-ticket')) : Promise.resolve({ confirmation: 'device' })) };

  beforeAll(async () => {
    rig = await startKioskRig({ smsEnabled: false, printer });
    page = await rig.page();
    await page.goto(rig.pageUrl);
    await page.waitForSelector('#printer:not(.hidden)');
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
  });

  /** The lines the citizen sees (innerText leaves hidden screens out). */
  const seen = async () => (await page.innerText('body')).split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const toEnglish = async () => {
    await page.tap('#lang');
    await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
  };
  const toChinese = async () => {
    await page.tap('#lang');
    await page.locator('html[lang="zh-CN"]').waitFor({ state: 'attached' });
  };
  const refused = async (service: string) => {
    await page.tap(`[data-service="${service}"]`);
    await page.waitForSelector('#error:not(.hidden)');
  };
  /** English alone: no Chinese on any line but the language switch. */
  const englishOnly = (lines: string[]) => expect(lines.filter((l) => cjk.test(l))).toEqual(['中文']);

  it('in Chinese: the desk, said once (中文 · English on the refusal), no SMS offered', async () => {
    expect((await seen()).filter((l) => l.includes('打印机'))).toEqual(['打印机暂不可用，请咨询导办人员']);
    await refused('A');
    const lines = await seen();
    expect(lines.filter((l) => l.includes('打印机'))).toEqual(['打印机暂时无法出票，请咨询导办人员 · The printer cannot print now; please ask the staff at the desk']);
    expect(lines.join('\n')).not.toMatch(/短信|SMS/);
    expect(await page.isVisible('#sms-only')).toBe(false);
  });

  it('switched to English on that screen: English alone, said once', async () => {
    await toEnglish();
    const lines = await seen();
    englishOnly(lines);
    expect(lines.filter((l) => /printer/i.test(l))).toEqual(['The printer cannot print now; please ask the staff at the desk']);
    expect(lines.join('\n')).not.toMatch(/SMS/);
  });

  it('in English from the menu: the banner and the refusal in English alone, the refusal said once', async () => {
    await page.tap('#error-back');
    await page.waitForSelector('#menu:not(.hidden)');
    let lines = await seen();
    englishOnly(lines);
    expect(lines.filter((l) => /printer/i.test(l))).toEqual(['The printer is unavailable; please ask the staff at the desk']);
    await refused('B');
    lines = await seen();
    englishOnly(lines);
    expect(lines.filter((l) => /printer/i.test(l))).toEqual(['The printer cannot print now; please ask the staff at the desk']);
    expect(await page.isVisible('#sms-only')).toBe(false);
  });

  it('switched back to Chinese on that screen: Chinese first again', async () => {
    await toChinese();
    expect((await seen()).filter((l) => l.includes('打印机'))).toEqual(['打印机暂时无法出票，请咨询导办人员 · The printer cannot print now; please ask the staff at the desk']);
    await page.tap('#error-back');
  });

  it('paper out during the print: the desk, not an SMS ticket, in both languages', async () => {
    printer.health = 'ok';
    printer.fails = true;
    await page.waitForSelector('#printer.hidden', { state: 'attached' });
    await refused('A');
    let lines = await seen();
    expect(lines.filter((l) => l.includes('打印机'))).toEqual(['打印机暂时无法出票，请咨询导办人员 · The printer cannot print now; please ask the staff at the desk']);
    expect(lines.join('\n')).not.toMatch(/短信|SMS/);
    await toEnglish();
    lines = await seen();
    englishOnly(lines);
    expect(lines.filter((l) => /printer/i.test(l))).toEqual(['The printer cannot print now; please ask the staff at the desk']);
    expect(await page.isVisible('#sms-only')).toBe(false);
    await page.tap('#error-back');
  });

  it('an emergency notice over the kiosk: English alone in English (a preset in English, an own text as written), Chinese with English in Chinese', async () => {
    const hall = rig!.server;
    const notice = '#hallq-emergency:not(.hidden)';
    expect(hall.mqtt.run({ id: 'raise-suspend', type: 'RaiseEmergency', preset: 'suspend', source: 'admin' }).ok).toBe(true);
    await page.waitForSelector(`${notice} [data-emergency-text]:text("${emergencyPresets.suspend.text.en}")`);
    expect(await page.innerText('#hallq-emergency')).toBe(`EMERGENCY\n${emergencyPresets.suspend.text.en}`);
    // A manager's own text is shown as written, under the English title.
    expect(hall.mqtt.run({ id: 'raise-own', type: 'RaiseEmergency', text: '三楼电梯检修，请走楼梯', source: 'admin' }).ok).toBe(true);
    await page.waitForSelector(`${notice} [data-emergency-text]:text("三楼电梯检修，请走楼梯")`);
    expect(await page.innerText('#hallq-emergency')).toBe('EMERGENCY\n三楼电梯检修，请走楼梯');
    expect(hall.mqtt.run({ id: 'clear-1', type: 'ClearEmergency', source: 'admin' }).ok).toBe(true);
    await page.waitForSelector('#hallq-emergency.hidden', { state: 'attached' });
    await toChinese();
    expect(hall.mqtt.run({ id: 'raise-fire', type: 'RaiseEmergency', preset: 'fire', source: 'admin' }).ok).toBe(true);
    await page.waitForSelector(`${notice} [data-emergency-text]:text("${emergencyPresets.fire.text.zh}")`);
    expect(await page.innerText('#hallq-emergency')).toBe(`紧急疏散 · EVACUATION\n${emergencyPresets.fire.text.zh}`);
    expect(hall.mqtt.run({ id: 'clear-2', type: 'ClearEmergency', source: 'admin' }).ok).toBe(true);
    await page.waitForSelector('#hallq-emergency.hidden', { state: 'attached' });
  });
});
