import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoPages } from '../helpers/demo-pages.js';

/** The page's DOM as the measuring functions below use it (the tests compile without the DOM lib). */
interface El {
  getBoundingClientRect(): { toJSON(): unknown };
  getAttribute(name: string): string | null;
}

/**
 * The kiosk on a touch-only screen, as a fresh tester used it (issue 13 follow-up): the appointment
 * check-in has the phone step's on-screen keypad (the one component) with the letters an appointment
 * code may hold, at a thumb's size on 1080×1920; what the kiosk can check itself (nothing typed, too
 * short) it says before asking the hall, and a refusal is said in a citizen's words, never a schema's
 * (`body.code：收到空文字…`) — on the off-site rating page too; the large-text button shows whether large
 * text is on and how to leave it.
 */
describe('citizen pages: the kiosk on a touch-only screen, the rating link', () => {
  const rig = demoPages(11);
  const developerWords = /body\.|params\.|found |expected |收到|应为/;

  async function kioskPage(): Promise<{ page: Page; checkIns: string[] }> {
    const page = await (await rig.context({ viewport: { width: 1080, height: 1920 }, hasTouch: true })).newPage();
    const checkIns: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/kiosk/api/check-in')) checkIns.push(r.postData() ?? '');
    });
    await page.goto(rig.kioskUrl);
    await page.waitForSelector('#services .svc');
    await page.tap('#checkin');
    await page.waitForSelector('#checkin-step:not(.hidden)');
    return { page, checkIns };
  }
  const type = async (page: Page, text: string) => {
    for (const k of text) await page.tap(`#checkin-pad button[aria-label="${k}"]`);
  };

  it('check-in: an on-screen keypad of digits and code letters, thumb-sized, the same component as the phone step', async () => {
    const { page } = await kioskPage();
    const keys = await page.$$eval('#checkin-pad button', (bs) => bs.map((b) => ({ label: (b as unknown as El).getAttribute('aria-label'), ...((b as unknown as El).getBoundingClientRect().toJSON() as { left: number; right: number; bottom: number; width: number; height: number }) })));
    // Appointment codes are 4–32 letters and digits (the platform's format): every one has its key, and delete and clear.
    expect(keys.map((k) => k.label).sort()).toEqual([...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'clear', 'delete'].sort());
    for (const k of keys) {
      expect(k.width, `key ${k.label}`).toBeGreaterThanOrEqual(90);
      expect(k.height, `key ${k.label}`).toBeGreaterThanOrEqual(110);
      expect(k.left).toBeGreaterThanOrEqual(0);
      expect(k.right).toBeLessThanOrEqual(1080);
      expect(k.bottom).toBeLessThanOrEqual(1920);
    }
    // One component: the phone step's pad is drawn by the same keypad.
    expect(await page.$$eval('#checkin-pad > .keypad, #pad > .keypad', (ps) => ps.length)).toBe(2);
    await type(page, 'QX7K2N');
    await page.tap('#checkin-pad button[aria-label="delete"]');
    await type(page, 'M');
    expect(await page.inputValue('#checkin-input')).toBe('QX7K2M');
    // No system keyboard over the screen: the field takes the keypad's text.
    expect(await page.getAttribute('#checkin-input', 'inputmode')).toBe('none');
    await page.tap('#checkin-pad button[aria-label="clear"]');
    expect(await page.inputValue('#checkin-input')).toBe('');
  });

  it("check-in: nothing typed or too short is said before asking the hall; the hall's refusals in a citizen's words, in both languages", async () => {
    const { page, checkIns } = await kioskPage();
    await page.tap('#checkin-go');
    await page.waitForSelector('#checkin-error:not(.hidden)');
    expect(await page.textContent('#checkin-error')).toBe('请输入预约码或手机号 · Enter your appointment code or phone number');
    await type(page, '1');
    expect(await page.isVisible('#checkin-error')).toBe(false);
    await page.tap('#checkin-go');
    await page.waitForSelector('#checkin-error:not(.hidden)');
    expect(await page.textContent('#checkin-error')).toMatch(/^预约码为 4 至 32 位字母或数字，手机号为 11 位数字.* · An appointment code has 4 to 32 letters and digits, a phone number 11 digits/);
    expect(checkIns).toEqual([]);
    // English: the English alone.
    await page.tap('#lang');
    await page.waitForSelector('html[lang="en"]', { state: 'attached' });
    expect(await page.textContent('#checkin-error')).toMatch(/^An appointment code has 4 to 32/);
    await page.tap('#lang');
    await page.waitForSelector('html[lang="zh-CN"]', { state: 'attached' });

    // A code the hall has no appointment for: the hall's answer, worded for the citizen.
    await type(page, 'X7K2M');
    await page.tap('#checkin-go');
    await page.waitForSelector('#error:not(.hidden)');
    expect(await page.textContent('#error-text')).toBe('没有今日的预约，请核对预约码或手机号 · No appointment found for today: check the code or phone number');
    expect(checkIns).toEqual([JSON.stringify({ code: '1X7K2M' })]);
    await page.tap('#error-back');

    // Whatever the request layer says (a schema's words), the citizen reads the kiosk's own sentence.
    await page.route('**/kiosk/api/check-in', (route) =>
      route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: { code: 'payload-invalid', message: 'body.code: found empty text, expected text in the right format', messageZh: 'body.code：收到空文字，应为格式正确的文字' } }) }),
    );
    await page.tap('#checkin');
    await type(page, 'AB12');
    await page.tap('#checkin-go');
    await page.waitForSelector('#error:not(.hidden)');
    const said = (await page.textContent('#error-text')) ?? '';
    expect(said).toBe('暂时无法办理，请咨询导办人员 · This cannot be done here now: please ask the staff at the desk');
    expect(said).not.toMatch(developerWords);
    await page.tap('#lang');
    await page.waitForSelector('html[lang="en"]', { state: 'attached' });
    expect(await page.textContent('#error-text')).toBe('This cannot be done here now: please ask the staff at the desk');
    expect(await page.innerText('body')).not.toMatch(developerWords);
  });

  it('large text: the button is lit and says how to leave while on, and plain again when left', async () => {
    const page = await (await rig.context({ viewport: { width: 1080, height: 1920 }, hasTouch: true })).newPage();
    await page.goto(rig.kioskUrl);
    await page.waitForSelector('#services .svc');
    const look = () => page.$eval('#elderly', (b) => ({ text: (b as unknown as { textContent: string }).textContent, bg: (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(b).backgroundColor, pressed: (b as unknown as El).getAttribute('aria-pressed') }));
    const off = await look();
    expect(off).toMatchObject({ text: '长者模式 Large text', pressed: 'false' });
    await page.tap('#elderly');
    await page.waitForSelector('body.elderly');
    const on = await look();
    expect(on.pressed).toBe('true');
    expect(on.text).toBe('✓ 退出长者模式');
    // Visibly another button: the accent yellow, not the panel blue.
    expect(on.bg).not.toBe(off.bg);
    expect(on.bg).toBe('rgb(255, 210, 63)');
    await page.tap('#lang');
    await page.waitForSelector('html[lang="en"]', { state: 'attached' });
    expect((await look()).text).toBe('✓ Leave large text');
    await page.tap('#elderly');
    await page.waitForSelector('body:not(.elderly)');
    expect(await look()).toEqual({ ...off, text: 'Large text' });
  });

  it("the rating page: a mangled link is said to be invalid, not a schema's words", async () => {
    const page = await (await rig.context({ viewport: { width: 390, height: 844 } })).newPage();
    await page.goto(`${rig.server}/r/20261202-A001.mangled`);
    await page.waitForSelector('#result:not(.hidden)');
    expect(await page.textContent('#result')).toBe('评价链接无效或已失效 · This rating link is not valid (any more)');
    expect(await page.innerText('body')).not.toMatch(developerWords);
  });
});
