import { describe, expect, it } from 'vitest';
import { rigPages } from '../helpers/rig-pages.js';

/**
 * A staff id typed in Chinese (tryout: refused with "expected text in the right format" and nothing
 * more) is refused with what a staff id looks like, in Chinese and English, and without quoting what
 * was typed (a name, or a phone number typed into the wrong field, is personal data).
 */
const FORMAT_ZH = '1 至 40 位英文字母、数字、_ 或 -';
const FORMAT_EN = '1 to 40 letters A–Z, digits, _ or -, e.g. s01';
const TYPED = ['张三', '13812345678张'];

describe('a staff id in the wrong format', () => {
  const pages = rigPages();

  it.each(TYPED)('POST /api/auth/sign-in with %s: 400 saying the format, not what was typed', async (staffId) => {
    const res = await fetch(`${pages.base.replace('hall.test', '127.0.0.1')}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ staffId, secret: '1111', window: 1 }) });
    expect(res.status).toBe(400);
    const text = await res.text();
    const body = JSON.parse(text) as { error: { code: string; message: string; messageZh: string } };
    expect(body.error.code).toBe('payload-invalid');
    expect(body.error.message).toContain(FORMAT_EN);
    expect(body.error.messageZh).toContain(FORMAT_ZH);
    for (const part of [staffId, '张三', '13812345678']) expect(text).not.toContain(part);
  });

  it.each(TYPED)('the sign-in page with %s says the format in both languages, not what was typed', async (staffId) => {
    const page = await (await pages.context()).newPage();
    await page.goto(`${pages.base}/sign-in`);
    await page.fill('#staffId', staffId);
    await page.fill('#secret', '1111');
    await page.fill('#window', '1');
    await page.click('#sign-in');
    await page.waitForSelector('#error:not(.hidden)');
    const error = (await page.textContent('#error')) ?? '';
    expect(error).toContain(FORMAT_ZH);
    expect(error).toContain(FORMAT_EN);
    for (const part of ['张三', '13812345678']) expect(error).not.toContain(part);
  });
});
