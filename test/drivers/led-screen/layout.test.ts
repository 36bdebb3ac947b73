import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bxMarkup, layoutKey, layoutScreen, parseBxMarkup, plainText, sanitizeScreenText } from '../../../drivers/led-screen/layout.js';

describe('screen layout (pure)', () => {
  it('shows the called ticket in red and the window in green, static', () => {
    const l = layoutScreen({ window: 3, ticket: 'A012', paused: false });
    expect(l.runs).toEqual([
      { colour: 'red', text: 'A012' },
      { colour: 'green', text: ' 请到3号窗口' },
    ]);
    expect(l.scroll).toBe(false);
    expect(bxMarkup(l)).toBe('\\C1A012\\C2 请到3号窗口');
  });

  it('an emergency notice takes the whole screen: red, scrolling, over ticket, pause and line (DB22/T 2871.4 §11.6)', () => {
    const l = layoutScreen({ window: 3, ticket: 'A012', paused: true, line: '请保管好随身物品', notice: '发生火警，请\\有序\u0007撤离' });
    expect(l).toEqual({ runs: [{ colour: 'red', text: '发生火警，请 有序 撤离' }], colour: 'red', scroll: true });
    expect(bxMarkup(l)).toBe('\\C1发生火警，请 有序 撤离');
    expect(plainText(layoutScreen({ window: 3, paused: false, notice: '火'.repeat(300) }))).toHaveLength(120);
    // A blank notice is no notice.
    expect(plainText(layoutScreen({ window: 3, paused: false, notice: '  ' }))).toBe('3号窗口');
  });

  it('shows 暂停服务 when paused, even with a ticket', () => {
    const l = layoutScreen({ window: 12, ticket: 'B001', paused: true });
    expect(plainText(l)).toBe('12号窗口 暂停服务');
    expect(l.colour).toBe('red');
    expect(bxMarkup(l)).toBe('\\C312号窗口 \\C1暂停服务');
  });

  it('shows just the window when idle', () => {
    expect(plainText(layoutScreen({ window: 5, paused: false }))).toBe('5号窗口');
    expect(plainText(layoutScreen({ window: 5, ticket: '  ', paused: false }))).toBe('5号窗口');
  });

  it('appends the optional line in yellow and scrolls', () => {
    const l = layoutScreen({ window: 3, ticket: 'A012', paused: false, line: '请张*三到3号窗口办理' });
    expect(l.scroll).toBe(true);
    expect(l.runs.at(-1)).toEqual({ colour: 'yellow', text: ' 请张*三到3号窗口办理' });
  });

  it('cannot be tricked into colour codes or control characters, and caps the line', () => {
    expect(sanitizeScreenText('a\\C1b\r\nc', 20)).toBe('a C1b  c');
    const l = layoutScreen({ window: 1, paused: false, line: 'x'.repeat(100) }, { maxLineChars: 10 });
    expect(l.runs.at(-1)?.text).toBe(` ${'x'.repeat(10)}`);
  });

  it('gives the same key to contents that look the same, and different keys otherwise', () => {
    const a = layoutKey(layoutScreen({ window: 3, ticket: 'A012', paused: true }));
    const b = layoutKey(layoutScreen({ window: 3, paused: true }));
    const c = layoutKey(layoutScreen({ window: 3, ticket: 'A012', paused: false }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('BX markup parses back into the same runs (property)', () => {
    const text = fc.string({ minLength: 1, maxLength: 12 }).map((s) => sanitizeScreenText(s, 12));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), fc.option(text, { nil: undefined }), fc.boolean(), fc.option(text, { nil: undefined }), (window, ticket, paused, line) => {
        const l = layoutScreen({ window, paused, ...(ticket === undefined ? {} : { ticket }), ...(line === undefined ? {} : { line }) });
        expect(parseBxMarkup(bxMarkup(l))).toEqual(l.runs.filter((r) => r.text !== ''));
      }),
    );
  });
});
