import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { SerialTransport } from '../../drivers/common/serial-transport.js';
import { EscPosEmulator } from '../../drivers/printer/emulator.js';
import { EscPosPrinter } from '../../drivers/printer/driver.js';
import { KioskFlow } from '../../src/agent/flows/kiosk.js';
import { CardSlot, startKioskHttp } from '../../src/agent/kiosk-http.js';
import type { AgentLink } from '../../src/agent/link.js';
import { personFromCard } from '../../src/bus/person.js';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { residentIdCheckChar } from '../../src/core/index.js';
import { startServerFrom, type RunningServer } from '../../src/server/main.js';
import { launchChromium } from '../helpers/browser.js';
import { freePort, startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { openPtyPair, type PtyPair } from '../helpers/pty.js';
import { startAgent } from '../wire/rig.js';
import { cliAuth, writeConfig } from '../wire/server-process.js';
import { signFor } from './fake-platform.js';
import { dirs, SECRET } from './rig.js';

const id18 = (first17: string) => first17 + residentIdCheckChar(first17);
const KEY = 'the-hall-id-hash-key-0123456789abcdef\n';

/**
 * Appointments pushed to the running server over HTTP (signed), then checked in at the kiosk page in
 * Chromium by appointment code, by phone and by the ID card on the reader; the printer emulator prints
 * each appointment ticket; a cancelled appointment's code finds nothing.
 */
describe('appointment check-in at the kiosk, in the browser', () => {
  let broker: Broker | undefined;
  let server: RunningServer | undefined;
  let link: AgentLink | undefined;
  let kioskHttp: Awaited<ReturnType<typeof startKioskHttp>> | undefined;
  let browser: Browser | undefined;
  let pty: PtyPair | undefined;
  let printer: EscPosPrinter | undefined;
  let emulator: EscPosEmulator | undefined;
  afterAll(async () => {
    await browser?.close();
    if (kioskHttp) {
      const h = kioskHttp;
      await new Promise<void>((r) => h.close(() => r()));
      h.closeAllConnections();
    }
    await link?.stop();
    await server?.stop();
    await printer?.close();
    await emulator?.close();
    await pty?.close();
    await broker?.stop();
    dirs.cleanup();
  });

  it('by code, by phone and by card; not a cancelled one', async () => {
    broker = await startMosquitto();
    const dir = dirs.make();
    const config = writeConfig(dir, broker.url, 0);
    writeFileSync(join(dir, 'platform.secret'), `${SECRET}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'idhash.key'), KEY, { mode: 0o600 });
    appendFileSync(config, `platform:\n  secretFile: ${join(dir, 'platform.secret')}\n  appointments: { idHashKeyFile: ${join(dir, 'idhash.key')} }\n`);
    server = await startServerFrom(loadConfigOrThrow(config), Date.now, silentLogger);
    const httpPort = (server.http.address() as { port: number }).port;
    link = await startAgent(broker.url, 'kiosk-1');
    pty = await openPtyPair();
    const device = new SerialTransport({ path: pty.device, baudRate: 115200 });
    await device.open();
    emulator = new EscPosEmulator();
    emulator.attach(device);
    printer = new EscPosPrinter(new SerialTransport({ path: pty.host, baudRate: 115200 }), { logger: silentLogger });
    await printer.open();
    const kiosk = new KioskFlow(link, printer, { statusBaseUrl: 'http://hall.test', logger: silentLogger });
    const card = new CardSlot();
    const kioskPort = await freePort();
    kioskHttp = await startKioskHttp(link, kiosk, card, { host: '127.0.0.1', port: kioskPort, statusBaseUrl: 'http://hall.test', idHashKey: Buffer.from(KEY) }, silentLogger);

    // The platform pushes four appointments for a few minutes from now (on time), then cancels one.
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const slot = { serviceId: 'A', slotStart: iso(now + 5 * 60_000), slotEnd: iso(now + 35 * 60_000) };
    const cardId = id18('11010519491231002');
    const list = [
      { id: 'W-1', ...slot, idNumber: id18('11010519800101001'), code: 'QX7K2M' },
      { id: 'W-2', ...slot, idNumber: id18('11010519900101003'), phone: '13700001234' },
      { id: 'W-3', ...slot, idNumber: cardId, name: '李四' },
      { id: 'W-4', ...slot, idNumber: id18('11010519700101004'), code: 'GONE42' },
      { id: 'W-5', ...slot, idNumber: id18('11010519851111005'), phone: '13700005555' },
      { id: 'W-6', ...slot, idNumber: id18('11010519750505006'), code: 'LATE99' },
    ];
    const push = async (body: unknown) => {
      const raw = JSON.stringify(body);
      const res = await fetch(`http://127.0.0.1:${httpPort}/api/platform/appointments`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', ...signFor(SECRET, Date.now(), raw) } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { results: { result: string }[] }).results.map((r) => r.result);
    };
    expect(await push({ appointments: list })).toEqual(['booked', 'booked', 'booked', 'booked', 'booked', 'booked']);
    expect(await push({ appointments: [{ ...list[3], status: 'cancelled' }] })).toEqual(['cancelled']);
    await link.reach(server.engine.state.seq);

    browser = await launchChromium();
    const touch = await browser.newContext({ hasTouch: true, viewport: { width: 1080, height: 1920 } });
    const page = await touch.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://hall.test:${kioskPort}/kiosk`);
    const checkIn = async (p: Page, typed: string | undefined): Promise<string> => {
      await p.tap('#checkin');
      await p.waitForSelector('#checkin-step:not(.hidden)');
      if (typed !== undefined) await p.fill('#checkin-input', typed);
      await p.tap(typed === undefined ? '#checkin-card' : '#checkin-go');
      await p.waitForSelector('#result:not(.hidden), #error:not(.hidden)');
      const text = (await p.isVisible('#result')) ? ((await p.textContent('#result-number')) ?? '') : `error: ${(await p.textContent('#error-text')) ?? ''}`;
      await p.tap((await p.isVisible('#result')) ? '#done' : '#error-back');
      return text;
    };

    let printed = emulator.nextTicket();
    const byCode = await checkIn(page, 'qx7k2m');
    expect(byCode).toMatch(/^A\d{3}$/);
    expect((await printed).blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []))).toContain(byCode);
    printed = emulator.nextTicket();
    const byPhone = await checkIn(page, '13700001234');
    expect(byPhone).toMatch(/^A\d{3}$/);
    await printed;
    card.put(personFromCard(cardId, '李四', Buffer.from(KEY)));
    printed = emulator.nextTicket();
    const byCard = await checkIn(page, undefined);
    expect(byCard).toMatch(/^A\d{3}$/);
    await printed;
    expect(await checkIn(page, 'GONE42')).toContain('没有今日的预约');
    // The same code again: already checked in, told its number (not "no appointment").
    expect(await checkIn(page, 'QX7K2M')).toContain(`该预约已签到，您的号码是 ${byCode}`);

    // By the card with a phone for the SMS (the kiosk's request when the printer is out): looked up by the
    // card, not by that phone (W-5 was booked with another); asked by the card with none on the reader: said so.
    const checkInApi = (body: unknown) => fetch(`http://127.0.0.1:${kioskPort}/kiosk/api/check-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // A malformed code is refused with the rule it breaks, in both languages.
    const badCode = await checkInApi({ code: 'ab' });
    expect(badCode.status).toBe(400);
    const said = ((await badCode.json()) as { error: { message: string; messageZh: string } }).error;
    expect(said.message).toContain('an appointment code: 4 to 32 letters and digits');
    expect(said.messageZh).toContain('预约码：4 至 32 位字母或数字');
    const noCard = await checkInApi({ card: true, phone: '13911112222' });
    expect(noCard.status).toBe(400);
    expect(((await noCard.json()) as { error: { code: string } }).error.code).toBe('no-card');
    // A card with no booking today: told in a card's words (the citizen typed nothing to check), the card kept for a service.
    card.put(personFromCard(id18('11010119900101999'), '赵六', Buffer.from(KEY)));
    const unbooked = await checkInApi({ card: true });
    expect(unbooked.status).toBe(404);
    expect(((await unbooked.json()) as { error: { code: string } }).error.code).toBe('unknown-appointment-card');
    expect(card.peek()?.idHash).toBeDefined();
    card.put(personFromCard(list[4]?.idNumber ?? '', '王五', Buffer.from(KEY)));
    printed = emulator.nextTicket();
    const byCardWithPhone = await checkInApi({ card: true, phone: '13911112222' });
    expect(byCardWithPhone.status).toBe(200);
    const w5 = ((await byCardWithPhone.json()) as { number: string }).number;
    expect((await printed).blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []))).toContain(w5);

    const s = server.engine.state;
    expect(['W-1', 'W-2', 'W-3', 'W-4', 'W-5'].map((id) => s.appointments[id]?.status)).toEqual(['checked-in', 'checked-in', 'checked-in', 'cancelled', 'checked-in']);
    const classes = Object.values(s.tickets).filter((t) => t.appointmentId).map((t) => [t.appointmentId, t.class, t.number]);
    expect(classes).toEqual([
      ['W-1', 'appointment', byCode],
      ['W-2', 'appointment', byPhone],
      ['W-3', 'appointment', byCard],
      ['W-5', 'appointment', w5],
    ]);
    expect(errors).toEqual([]);
    // /api/state keeps the keyed hashes home; admin sees the import's count.
    const api = await (await fetch(`http://127.0.0.1:${httpPort}/api/state`, { headers: cliAuth(config) })).text();
    expect(api).toContain('W-1');
    expect(api).not.toMatch(/idHash|phoneHash|codeHash/);
    const admin = (await (await fetch(`http://127.0.0.1:${httpPort}/api/admin/platform`, { headers: cliAuth(config) })).json()) as { appointments: { imported: number } };
    expect(admin.appointments.imported).toBe(6);

    // The server away: a check-in is "try again" (503 server-unavailable) as an issue is, not a refusal (409).
    const running = server;
    server = undefined;
    await running.stop();
    const away = await checkInApi({ code: 'LATE99' });
    expect(away.status).toBe(503);
    expect(((await away.json()) as { error: { code: string } }).error.code).toBe('server-unavailable');
  }, 180_000);
});
