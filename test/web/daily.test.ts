import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PINS } from '../../src/demo/demo.js';
import { demoPages } from '../helpers/demo-pages.js';

/**
 * The pages as hall staff and citizens use them all day (issue 13, "Daily use"): live updates never
 * destroy what a person types or picks, the kiosk is laid out for its portrait screen and resets to the
 * standard Chinese screen, the status page says where to go in plain words, the soft caller explains a
 * window that does not exist. Every page loads its UI library from the hall server, never the internet.
 */
describe('pages in daily use', () => {
  /** Requests the pages made to anywhere but the hall (a CDN, a font service): none allowed. */
  const outside: string[] = [];
  const errors: string[] = [];
  const rig = demoPages(7, (c) =>
    c.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === 'hall.test') return route.continue();
      outside.push(url.href);
      return route.abort();
    }),
  );
  const context = (opts?: Parameters<typeof rig.context>[0]) => rig.context(opts);
  async function open(c: BrowserContext, url: string): Promise<Page> {
    const p = await c.newPage();
    p.on('pageerror', (e) => errors.push(`${p.url()}: ${e.message}`));
    await p.goto(url);
    return p;
  }
  async function signIn(p: Page, staffId: string, pin: string): Promise<void> {
    await p.waitForURL(/\/sign-in/);
    await p.fill('#staffId', staffId);
    await p.fill('#secret', pin);
    await p.click('#sign-in');
  }
  const issue = async (serviceId: string): Promise<{ number: string; statusUrl: string }> => {
    const res = await fetch(`http://127.0.0.1:${rig.demo.kioskPort}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId }) });
    expect(res.status).toBe(200);
    return (await res.json()) as { number: string; statusUrl: string };
  };
  /** Resolves after `n` more snapshots reached the page on `url` (its own EventSource, same cookies). */
  const snapshots = (p: Page, url: string, n: number) =>
    p.evaluate(
      ([u, count]) =>
        new Promise<void>((resolve) => {
          const s = new EventSource(u as string);
          let seen = 0;
          // The first snapshot is the current state on connect; count only the ones after it.
          s.addEventListener('snapshot', () => {
            if (seen++ === count) {
              s.close();
              resolve();
            }
          });
        }),
      [url, n] as const,
    );


  it('status page: no window open, then "about N min" at position 2, then "请到 1 号窗口办理" / "Please go to window 1"', async () => {
    const first = await issue('social');
    const phone = await open(await context({ viewport: { width: 390, height: 844 } }), first.statusUrl.replace(/^http:\/\/127\.0\.0\.1:\d+/, rig.server));
    await phone.waitForSelector('#state:text("等候中")');
    await phone.waitForSelector('#wait:text("暂无开放窗口，开放后计算")');
    // Window 1 opens (s01 signs in on its keypad): one free window calls the first ticket at once; the second waits a service time.
    rig.demo.hardware.keypadEmulators.get(1)!.typeLogin('1');
    await phone.waitForSelector('#wait:text("即将叫号")');
    const second = await issue('social');
    const phone2 = await open(await context({ viewport: { width: 390, height: 844 } }), second.statusUrl.replace(/^http:\/\/127\.0\.0\.1:\d+/, rig.server));
    await phone2.waitForSelector('#position:text("2")');
    const wait = (await phone2.textContent('#wait')) ?? '';
    expect(wait).toMatch(/^约 [1-9]\d* 分钟$/);
    rig.demo.hardware.keypadEmulators.get(1)!.press('call');
    await phone.waitForSelector('#state:text("请到 1 号窗口办理")');
    await phone.click('#lang');
    await phone.waitForSelector('#state:text("Please go to window 1")');
  }, 60_000);

  it('prints the no-show policy the hall runs on the ticket', async () => {
    const printed = rig.demo.hardware.printerEmulator.nextTicket();
    await issue('social');
    const lines = (await printed).blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
    // config/demo.yaml: policy.noShow { requeueAfter: 3, maxRequeues: 1 }.
    expect(lines).toContain('过号顺延 3 位重新排队（限一次）');
    expect(lines.join(' ')).not.toContain('过号请重新取号');
  });

  it("admin: a follow-up note typed during a burst of live updates keeps its text and focus; a closed window's staff pick stays", async () => {
    // A bad rating at window 1 (s01 already serves there): call, ask, 5 = 非常不满意.
    const keypad = rig.demo.hardware.keypadEmulators.get(1)!;
    keypad.press('call');
    keypad.press('rating-request');
    await expect.poll(() => keypad.ratingMode, { timeout: 10_000 }).toBe(true);
    keypad.giveGrade(5);
    const admin = await open(await context({ viewport: { width: 1600, height: 1000 } }), `${rig.server}/admin`);
    await signIn(admin, 'm01', DEMO_PINS.manager);
    await admin.waitForURL(/\/admin$/);
    const row = admin.locator('#ratings tr', { hasText: '非常不满意' });
    await row.waitFor();
    // Window statuses and staff in Chinese.
    await admin.locator('#windows tr[data-window="1"]').getByText('开放', { exact: true }).waitFor();
    await admin.locator('#windows tr[data-window="1"]').getByText('王芳 s01').waitFor();
    await admin.locator('#windows tr[data-window="2"]').getByText('关闭', { exact: true }).waitFor();
    const pick = admin.locator('#windows tr[data-window="2"] select');
    await pick.selectOption('s03');
    const note = row.locator('input');
    await note.click();
    await note.evaluate((e) => ((e as unknown as { mark?: number }).mark = 42));
    // The burst: a ticket every few ms while the note is typed key by key; the page must have received many snapshots meanwhile.
    const updates = snapshots(admin, '/api/stream/staff', 5);
    let bursting = true;
    const burst = (async () => {
      // Tickets of any answer (a service may reach its quota): each one is an event, so a snapshot.
      for (let i = 0; bursting; i++) await fetch(`http://127.0.0.1:${rig.demo.kioskPort}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId: ['tax', 'social', 'medical'][i % 3] }) });
    })();
    const text = '已电话联系市民，解释了办理流程';
    for (const ch of text) {
      await admin.keyboard.type(ch);
      // Wait for one live update between keys, so every key lands between two re-renders.
      await snapshots(admin, '/api/stream/staff', 1);
    }
    await updates;
    bursting = false;
    await burst;
    expect(await note.inputValue()).toBe(text);
    // The same element, still focused: nothing rebuilt it.
    expect(await note.evaluate((e) => (e as unknown as { mark?: number }).mark === 42 && (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement === e)).toBe(true);
    expect(await pick.inputValue()).toBe('s03');
    await row.getByRole('button').click();
    await admin.locator('#ratings tr', { hasText: `已回复：${text}` }).waitFor();
    await admin.locator('#windows tr[data-window="2"]').getByRole('button', { name: '开放 Open' }).click();
    await admin.locator('#windows tr[data-window="2"]').getByText('张伟 s03').waitFor();
  }, 120_000);

  it("admin: the staff picker offers who can serve with no default, marks who is seated, words a seated pick's refusal to the manager; a keypad pause reads 暂停服务 once; a bad rating's follow-up in one place", async () => {
    // Runs after the test above: s01 serves at window 1 (its keypad), s03 at window 2 (opened on admin); a bad rating replied.
    const admin = await open(await context({ viewport: { width: 1600, height: 1000 } }), `${rig.server}/admin`);
    await signIn(admin, 'm01', DEMO_PINS.manager);
    await admin.waitForURL(/\/admin$/);
    const w3 = admin.locator('#windows tr[data-window="3"]');
    await w3.getByText('关闭', { exact: true }).waitFor();
    const pick = w3.locator('select');
    const options = await pick.locator('option').evaluateAll((os) => os.map((o) => ({ value: (o as unknown as { value: string }).value, text: (o as unknown as { textContent: string }).textContent })));
    // Staff only: not the manager m01 (孙敏), not the technician t01; a prompt first, chosen by nobody.
    expect(options[0]).toEqual({ value: '', text: '选择人员 choose staff' });
    expect(options.map((o) => o.value)).not.toContain('m01');
    expect(options.map((o) => o.value)).not.toContain('t01');
    expect(options.slice(1).map((o) => o.value)).toEqual(['s01', 's02', 's03', 's04', 's05', 's06', 's07', 's08', 's09', 's10', 's11', 's12', 's13', 's14']);
    expect(options.find((o) => o.value === 's01')?.text).toBe('王芳 s01（已在 1 号窗口）');
    expect(options.find((o) => o.value === 's03')?.text).toBe('张伟 s03（已在 2 号窗口）');
    expect(options.find((o) => o.value === 's04')?.text).toBe('刘洋 s04');
    expect(await pick.inputValue()).toBe('');
    expect(await w3.getByRole('button', { name: '开放 Open' }).isDisabled()).toBe(true);
    // A seated one: refused in the manager's words, not "1 号窗口正以您的工号开启".
    await pick.selectOption('s01');
    await w3.getByRole('button', { name: '开放 Open' }).click();
    await admin.locator('#status:text("s01 王芳 已在 1 号窗口登录，请先关闭 1 号窗口")').waitFor();
    expect(await admin.textContent('#status')).not.toContain('您');

    // The keypad's pause: its reason repeats the status, so the status is said once; the admin's own reason adds something.
    const keypad = rig.demo.hardware.keypadEmulators.get(1)!;
    keypad.press('pause');
    const w1status = admin.locator('#windows tr[data-window="1"] td').nth(1);
    await admin.locator('#windows tr[data-window="1"]').getByRole('button', { name: '恢复 Resume' }).waitFor();
    expect(await w1status.textContent()).toBe('暂停服务');
    await admin.locator('#windows tr[data-window="1"]').getByRole('button', { name: '恢复 Resume' }).click();
    await admin.locator('#windows tr[data-window="1"]').getByRole('button', { name: '暂停 Pause' }).click();
    await admin.locator('#windows tr[data-window="1"] td:text("暂停服务（管理员暂停）")').waitFor();
    await admin.locator('#windows tr[data-window="1"]').getByRole('button', { name: '恢复 Resume' }).click();
    await admin.locator('#windows tr[data-window="1"]').getByRole('button', { name: '暂停 Pause' }).waitFor();

    // One place for a bad rating's follow-up: one table; its reply is typed once; then rectification or not true.
    expect(await admin.locator('#follow-ups, [data-follow-up]').count()).toBe(0);
    expect(await admin.locator('h2', { hasText: '差评' }).count()).toBe(1);
    const row = admin.locator('#ratings tr', { hasText: '已回复：已电话联系市民，解释了办理流程' });
    await row.waitFor();
    expect(await row.locator('input').count()).toBe(2);
    await row.locator('input[data-field="note"]').fill('已对窗口人员进行业务培训');
    await row.getByRole('button', { name: '整改 Rectified' }).click();
    await admin.locator('#ratings tr', { hasText: '整改：已对窗口人员进行业务培训' }).waitFor();
  }, 120_000);

  it('kiosk: fills a 1080×1920 portrait screen with thumb-sized buttons; a press spanning a live update is not lost', async () => {
    const kiosk = await open(await context({ viewport: { width: 1080, height: 1920 }, hasTouch: true }), rig.kioskUrl);
    await kiosk.waitForSelector('#services .svc');
    const boxes = await kiosk.$$eval('#services .svc', (bs) => bs.map((b) => b.getBoundingClientRect().toJSON() as { top: number; bottom: number; right: number; width: number; height: number }));
    expect(boxes.length).toBe(8);
    const top = Math.min(...boxes.map((b) => b.top));
    // The menu ends with the appointment check-in button under the service buttons.
    const checkinBottom = await kiosk.$eval('#checkin', (b) => b.getBoundingClientRect().bottom);
    const bottom = Math.max(checkinBottom, ...boxes.map((b) => b.bottom));
    const footerTop = await kiosk.$eval('footer', (f) => f.getBoundingClientRect().top);
    // The menu spans the screen between the header and the footer, not its top third.
    expect(top).toBeLessThan(400);
    expect(bottom).toBeGreaterThan(footerTop - 60);
    expect(bottom).toBeLessThanOrEqual(footerTop);
    // A thumb (ISO 9241-410 / common touch guidance: at least ~9 mm, we ask for far more on a public kiosk): 300×200 px or more each.
    for (const b of boxes) {
      expect(b.width).toBeGreaterThanOrEqual(300);
      expect(b.height).toBeGreaterThanOrEqual(200);
    }
    // Nothing overflows the screen sideways.
    expect(Math.max(...boxes.map((b) => b.right))).toBeLessThanOrEqual(1080);

    // A slow press: finger down, two snapshots (2 s apart) arrive, finger up on the same button: it is chosen.
    const button = kiosk.locator('#services [data-service="social"]');
    await button.evaluate((e) => ((e as unknown as { mark?: number }).mark = 7));
    const box = (await button.boundingBox())!;
    await kiosk.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await kiosk.mouse.down();
    await snapshots(kiosk, '/kiosk/api/stream', 2);
    await kiosk.mouse.up();
    await kiosk.waitForSelector('#phone-step:not(.hidden)');
    expect(await button.evaluate((e) => (e as unknown as { mark?: number }).mark)).toBe(7);
  }, 60_000);

  it('kiosk: elderly mode keeps the hall name on one line; the idle reset returns to standard Chinese from every screen', async () => {
    const kiosk = await (await context({ viewport: { width: 1080, height: 1920 }, hasTouch: true })).newPage();
    kiosk.on('pageerror', (e) => errors.push(`kiosk: ${e.message}`));
    await kiosk.clock.install();
    await kiosk.goto(rig.kioskUrl);
    await kiosk.waitForSelector('#services .svc');
    await kiosk.tap('#elderly');
    await kiosk.waitForSelector('body.elderly');
    const lineTops = await kiosk.$eval('#hall', (h) => {
      // The text's line boxes: one distinct top per line.
      const { document } = globalThis as unknown as { document: { createRange: () => { selectNodeContents: (n: unknown) => void; getClientRects: () => { top: number }[] } } };
      const r = document.createRange();
      r.selectNodeContents(h);
      return [...new Set([...r.getClientRects()].map((x) => Math.round(x.top)))];
    });
    expect(await kiosk.textContent('#hall')).toMatch(/政务服务中心/);
    expect(lineTops.length).toBe(1);

    const standard = async () => {
      await kiosk.waitForSelector('#menu:not(.hidden)');
      expect(await kiosk.$eval('body', (b) => b.classList.contains('elderly'))).toBe(false);
      expect(await kiosk.getAttribute('html', 'lang')).toBe('zh-CN');
      expect(await kiosk.textContent('#lang')).toBe('English');
      expect(await kiosk.textContent('#menu h2')).toBe('请选择办理的业务');
    };
    // From the menu itself: English and large text left behind by the last citizen.
    await kiosk.tap('#lang');
    await kiosk.waitForSelector('#menu h2:text("Choose a service")');
    await kiosk.clock.fastForward(31_000);
    await standard();
    // From the phone step, in English and large text.
    await kiosk.tap('#lang');
    await kiosk.tap('#elderly');
    await kiosk.tap('#services [data-service="social"]');
    await kiosk.waitForSelector('#phone-step:not(.hidden)');
    await kiosk.tap('#pad button[aria-label="1"]');
    // A touch restarts the wait: 20 s after it the screen is still there.
    await kiosk.clock.fastForward(20_000);
    expect(await kiosk.isVisible('#phone-step')).toBe(true);
    await kiosk.clock.fastForward(11_000);
    await standard();
    expect(await kiosk.textContent('#phone-shown')).toBe('—');
  }, 60_000);

  it('soft caller: the N hint reads on the yellow button; /caller?window=99 says there is no such window and lists the windows', async () => {
    const caller = await open(await context({ viewport: { width: 1280, height: 900 } }), `${rig.server}/caller?window=99`);
    // Staff signing in at window 99 (the link's window): told there is none, and which there are.
    await signIn(caller, 's02', DEMO_PINS.staff);
    await caller.waitForSelector('#error:not(.hidden)');
    expect(await caller.textContent('#error')).toMatch(/^没有 99 号窗口，本大厅的窗口：1、2、3、.*There is no window 99/);
    // A manager signs in without a window and follows the link.
    await caller.fill('#window', '');
    await signIn(caller, 'm01', DEMO_PINS.manager);
    await caller.waitForURL(/\/caller\?window=99$/);
    const banner = caller.locator('#no-window');
    await banner.getByText('没有 99 号窗口').waitFor();
    expect(await banner.textContent()).toContain('There is no window 99');
    const links = await banner.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(['/caller?window=1', '/caller?window=2', '/caller?window=3', '/caller?window=4', '/caller?window=5', '/caller?window=6', '/caller?window=7', '/caller?window=8', '/caller?window=9', '/caller?window=10', '/caller?window=11', '/caller?window=12'].slice(0, links.length));
    expect(links.length).toBeGreaterThan(1);
    expect(await caller.textContent('body')).not.toMatch(/expected number|Too small/);
    // Nothing acts on a window nobody chose.
    expect(await caller.isDisabled('#next')).toBe(true);
    // WCAG contrast of the key hint against its own background: at least 4.5:1.
    const contrast = await caller.$eval('#next kbd', (k) => {
      const rgb = (c: string) => (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
      const lum = (c: number[]) => {
        const [r, g, b] = c.map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const s = (globalThis as unknown as { getComputedStyle: (e: unknown) => { color: string; backgroundColor: string } }).getComputedStyle(k);
      const a = lum(rgb(s.color));
      const b = lum(rgb(s.backgroundColor));
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    });
    expect(contrast).toBeGreaterThanOrEqual(4.5);
    await banner.getByRole('link', { name: '2 号窗口', exact: true }).click();
    await caller.waitForURL(/\/caller\?window=2$/);
    await expect.poll(() => caller.inputValue('#window')).toBe('2');
    expect(await caller.isVisible('#no-window')).toBe(false);
    expect(await caller.isDisabled('#next')).toBe(false);
    // Pause only an open window, resume only a paused one (both were on at once): the buttons follow the status shown.
    const buttons = async () => {
      const state = (await caller.textContent('#state')) ?? '';
      const expected = state.startsWith('开放') ? [false, true] : state.startsWith('暂停服务') ? [true, false] : [true, true];
      return [await caller.isDisabled('#pause'), await caller.isDisabled('#resume')].join() === expected.join() ? state.split(' ')[0] : `mismatch at ${state}`;
    };
    await expect.poll(buttons).toBe('开放');
    await caller.click('#pause');
    await expect.poll(buttons).toBe('暂停服务');
    await caller.click('#resume');
    await expect.poll(buttons).toBe('开放');
  }, 60_000);

  it('loaded nothing from outside the hall and threw no page errors', async () => {
    // The UI library comes from the installed npm packages, through the hall server and the kiosk agent alike.
    for (const base of [`http://127.0.0.1:${rig.demo.httpPort}`, `http://127.0.0.1:${rig.demo.kioskPort}`]) {
      for (const f of ['preact.mjs', 'hooks.mjs', 'htm.mjs']) {
        const r = await fetch(`${base}/web/vendor/${f}`);
        expect(r.status, f).toBe(200);
        expect(r.headers.get('content-type')).toMatch(/javascript/);
      }
      expect((await fetch(`${base}/web/vendor/..%2Fpackage.json`)).status).toBe(404);
    }
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });
});
